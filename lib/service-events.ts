import { Duration, SecretValue } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { DynamoEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EVENT_PUBLISHER, WORKSPACE_NAME_SYNC } from '../functions/consumers';
import { WEBHOOK_SECRET_HEADER } from '../functions/events/config';
import { failureQueue, retriesOf } from './failure-queue';
import type { ServiceResources } from './function-needs';
import { ServiceFunction } from './service-function';
import { subscribeToTableStream } from './table-stream-subscription';

export interface ServiceEventsProps {
  /** The table, keys and bus; each function gets what its consumer entry declares (functions/consumers.ts). */
  readonly resources: ServiceResources;
  readonly logRetention: logs.RetentionDays;
  /** Every event, to the operator's HTTPS endpoint through an API destination; the secret is sent as a header. */
  readonly webhook?: { readonly url: string; readonly secretArn: string };
}

/**
 * The service's domain events: the publisher reads the table stream (its second and last reader,
 * beside the email sender) and puts every event on the bus; a rule hands workspace updates and
 * removed members to the workspace name sync; with a webhook, a second rule sends every event to
 * the operator's endpoint through an API destination. What cannot be delivered ends in a queue.
 */
export class ServiceEvents extends Construct {
  readonly publisher: ServiceFunction;
  readonly publishFailures: sqs.Queue;
  readonly eventSource: DynamoEventSource;
  readonly nameSync: ServiceFunction;
  readonly nameSyncFailures: sqs.Queue;
  readonly nameSyncRule: events.Rule;
  readonly webhook?: {
    readonly connection: events.Connection;
    readonly destination: events.ApiDestination;
    readonly rule: events.Rule;
    readonly failures: sqs.Queue;
  };

  constructor(scope: Construct, id: string, props: ServiceEventsProps) {
    super(scope, id);
    const { bus, source } = props.resources.events;

    this.publisher = new ServiceFunction(this, 'PublishEvents', {
      handler: EVENT_PUBLISHER.handler,
      profile: EVENT_PUBLISHER.profile,
      description: EVENT_PUBLISHER.description,
      logRetention: props.logRetention,
      environment: props.resources.environmentFor(EVENT_PUBLISHER),
    });
    props.resources.grant(this.publisher, EVENT_PUBLISHER);
    const subscription = subscribeToTableStream(this, {
      table: props.resources.table,
      consumer: this.publisher,
      entry: EVENT_PUBLISHER,
    });
    this.publishFailures = subscription.failures;
    this.eventSource = subscription.eventSource;

    this.nameSync = new ServiceFunction(this, 'SyncWorkspaceNames', {
      handler: WORKSPACE_NAME_SYNC.handler,
      profile: WORKSPACE_NAME_SYNC.profile,
      description: WORKSPACE_NAME_SYNC.description,
      logRetention: props.logRetention,
      environment: props.resources.environmentFor(WORKSPACE_NAME_SYNC),
    });
    props.resources.grant(this.nameSync, WORKSPACE_NAME_SYNC);
    this.nameSyncFailures = failureQueue(
      this,
      WORKSPACE_NAME_SYNC.failureQueue,
      'the dead-letter queue of the name sync rule and the on-failure destination of the name sync function',
    );
    this.nameSync.configureAsyncInvoke({
      ...retriesOf(WORKSPACE_NAME_SYNC.invocation),
      onFailure: new SqsDestination(this.nameSyncFailures),
    });
    this.nameSyncRule = new events.Rule(this, 'NameSyncRule', {
      description: 'Workspace updates and removed members, for the workspace name sync',
      eventBus: bus,
      eventPattern: { source: [source], detailType: [...WORKSPACE_NAME_SYNC.detailTypes] },
    });
    this.nameSyncRule.addTarget(
      new targets.LambdaFunction(this.nameSync, {
        ...retriesOf(WORKSPACE_NAME_SYNC.delivery),
        deadLetterQueue: this.nameSyncFailures,
      }),
    );

    if (props.webhook) {
      // The secret stays in Secrets Manager: the connection resolves it at deploy time and keeps
      // it in a secret of its own, and EventBridge adds it to every request as the header.
      const connection = new events.Connection(this, 'WebhookConnection', {
        description: 'The operator webhook: the shared secret as a header',
        authorization: events.Authorization.apiKey(
          WEBHOOK_SECRET_HEADER,
          SecretValue.secretsManager(props.webhook.secretArn),
        ),
      });
      const destination = new events.ApiDestination(this, 'WebhookDestination', {
        description: 'Every domain event of the invitations service',
        connection,
        endpoint: props.webhook.url,
        httpMethod: events.HttpMethod.POST,
      });
      const failures = failureQueue(this, 'WebhookFailures', 'the dead-letter queue of the webhook rule');
      const rule = new events.Rule(this, 'WebhookRule', {
        description: 'Every domain event, to the operator webhook',
        eventBus: bus,
        eventPattern: { source: [source] },
      });
      // EventBridge retries a failing endpoint (5xx, 429, timeouts) with backoff for a day, then parks the event.
      rule.addTarget(
        new targets.ApiDestination(destination, {
          retryAttempts: 185,
          maxEventAge: Duration.hours(24),
          deadLetterQueue: failures,
        }),
      );
      this.webhook = { connection, destination, rule, failures };
    }
  }
}
