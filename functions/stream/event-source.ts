/**
 * How the table's stream feeds each stream handler (the email sender, the workspace name sync):
 * batch size and failure handling. The CDK event-source mappings (lib/table-stream-subscription.ts)
 * and the local stream pollers all read these, so the service retries and parks records the same
 * way on one machine as in AWS.
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
