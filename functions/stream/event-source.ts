/**
 * How the table's stream feeds the email handler: batch size and failure handling. The CDK
 * event-source mapping (lib/invitation-email.ts) and the local stream poller both read these, so
 * the service retries and parks records the same way on one machine as in AWS.
 */
export const EMAIL_EVENT_SOURCE = {
  batchSize: 10,
  /** Retries of a failing record before it is parked (SQS in AWS, a dead-letter file locally). */
  retryAttempts: 10,
  /** A record older than this is parked without further retries. */
  maxRecordAgeSeconds: 6 * 60 * 60,
  /** On failure, split the batch to isolate the failing record. */
  bisectBatchOnError: true,
} as const;
