import { Duration, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { RetryPolicy } from '../functions/consumers';

/**
 * The queue where work that could not be done ends up for an operator: encrypted, TLS only,
 * kept 14 days. It is the end of the line (an alarm watches it), so it has no queue of its own
 * behind it; `endOf` says what it is the end of, for that cdk-nag acknowledgement.
 */
export function failureQueue(scope: Construct, id: string, endOf: string): sqs.Queue {
  const queue = new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason:
      `This queue is itself ${endOf}; a message here is the end of the line, raises an alarm and is handled by ` +
      'an operator, so a queue behind it would add nothing.',
  });
  return queue;
}

/** A consumer entry's retries before its work ends in the failure queue, in the shape CDK takes. */
export function retriesOf(policy: RetryPolicy): { retryAttempts: number; maxEventAge: Duration } {
  return { retryAttempts: policy.retryAttempts, maxEventAge: Duration.seconds(policy.maxEventAgeSeconds) };
}
