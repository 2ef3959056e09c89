/**
 * How the table's stream feeds a stream handler: batch size and failure handling, shared by the
 * consumer entries of the email sender and the workspace name sync (functions/consumers.ts),
 * from which the CDK event-source mappings and the local stream pollers are built, so the
 * service retries and parks records the same way on one machine as in AWS.
 */
export const STREAM_EVENT_SOURCE = {
  batchSize: 10,
  /** Retries of a failing record before it is parked (SQS in AWS, a dead-letter file locally). */
  retryAttempts: 10,
  /** A record older than this is parked without further retries. */
  maxRecordAgeSeconds: 6 * 60 * 60,
  /** On failure, split the batch to isolate the failing record. */
  bisectBatchOnError: true,
} as const;
