import { Duration, Validations } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { TableStreamConsumer } from '../functions/consumers';
import { failureQueue } from './failure-queue';
import type { InvitationsTable } from './invitations-table';
import type { ServiceFunction } from './service-function';

export interface TableStreamSubscriptionProps {
  readonly table: InvitationsTable;
  readonly consumer: ServiceFunction;
  /** The consumer's entry: its filter patterns, batching and failure queue, as the local stream poller reads them too. */
  readonly entry: TableStreamConsumer;
}

export interface TableStreamSubscription {
  readonly failures: sqs.Queue;
  readonly eventSource: DynamoEventSource;
}

/**
 * Feeds a stream function from the table's stream as its entry says: filtered by its patterns,
 * with its batch size, bisection, bounded retries and record age, and per-record failures
 * reported by the handler. A record that still fails ends in an encrypted, TLS-only queue of its
 * own, created in `scope` so that its logical id is the scope's.
 */
export function subscribeToTableStream(scope: Construct, props: TableStreamSubscriptionProps): TableStreamSubscription {
  const { batching, filterPatterns } = props.entry;
  const failures = failureQueue(scope, props.entry.failureQueue, 'the on-failure destination of the stream mapping');

  // TRIM_HORIZON, not LATEST: a record written between the stream's creation and the mapping's
  // would otherwise never be processed. Replays are harmless, every consumer is idempotent.
  const eventSource = new DynamoEventSource(props.table.table, {
    startingPosition: lambda.StartingPosition.TRIM_HORIZON,
    batchSize: batching.batchSize,
    bisectBatchOnError: batching.bisectBatchOnError,
    retryAttempts: batching.retryAttempts,
    maxRecordAge: Duration.seconds(batching.maxRecordAgeSeconds),
    reportBatchItemFailures: true,
    onFailure: new SqsDlq(failures),
    filters: filterPatterns.map((pattern) => ({ pattern: JSON.stringify(pattern) })),
  });
  props.consumer.addEventSource(eventSource);

  Validations.of(props.consumer.role as iam.IRole).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'dynamodb:ListStreams, which the stream event-source mapping needs, supports no resource narrower than *; ' +
      'every other action of this role names the resource it acts on (the table, its stream, an index, a queue, ' +
      'a secret or an SES identity).',
  });

  return { failures, eventSource };
}
