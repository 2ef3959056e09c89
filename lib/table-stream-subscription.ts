import { Duration, Validations } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { STREAM_EVENT_SOURCE } from '../functions/stream/event-source';
import type { FilterPattern } from '../functions/stream/filters';
import { failureQueue } from './failure-queue';
import type { InvitationsTable } from './invitations-table';
import type { ServiceFunction } from './service-function';

export interface TableStreamSubscriptionProps {
  readonly table: InvitationsTable;
  readonly consumer: ServiceFunction;
  /** The records that reach the consumer: the shared patterns the local stream poller applies too. */
  readonly filterPatterns: readonly FilterPattern[];
  /** The id of the on-failure queue, created in the given scope. */
  readonly failureQueueId: string;
}

export interface TableStreamSubscription {
  readonly failures: sqs.Queue;
  readonly eventSource: DynamoEventSource;
}

/**
 * Feeds a stream function from the table's stream the one way every consumer is fed: filtered by
 * its shared patterns, with the shared batch size, bisection, bounded retries and record age, and
 * per-record failures reported by the handler. A record that still fails ends in an encrypted,
 * TLS-only queue of its own, created in `scope` so that its logical id is the scope's.
 */
export function subscribeToTableStream(scope: Construct, props: TableStreamSubscriptionProps): TableStreamSubscription {
  const failures = failureQueue(scope, props.failureQueueId, 'the on-failure destination of the stream mapping');

  // TRIM_HORIZON, not LATEST: a record written between the stream's creation and the mapping's
  // would otherwise never be processed. Replays are harmless, every consumer is idempotent.
  const eventSource = new DynamoEventSource(props.table.table, {
    startingPosition: lambda.StartingPosition.TRIM_HORIZON,
    batchSize: STREAM_EVENT_SOURCE.batchSize,
    bisectBatchOnError: STREAM_EVENT_SOURCE.bisectBatchOnError,
    retryAttempts: STREAM_EVENT_SOURCE.retryAttempts,
    maxRecordAge: Duration.seconds(STREAM_EVENT_SOURCE.maxRecordAgeSeconds),
    reportBatchItemFailures: true,
    onFailure: new SqsDlq(failures),
    filters: props.filterPatterns.map((pattern) => ({ pattern: JSON.stringify(pattern) })),
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
