import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRIC, METRICS_NAMESPACE } from '../functions/platform/metric-names';
import { SERVICE_NAME } from './service-function';

/** A function fed by the table stream, and the queue its failed records end in. */
export interface MonitoredStreamConsumer {
  /** Names its iterator-age alarm: `<name>IteratorAge`. */
  readonly name: string;
  /** What it is, for alarm descriptions: "The email sender". */
  readonly label: string;
  readonly function: lambda.Function;
  /** Its alarm takes the queue's construct id. */
  readonly failureQueue: sqs.IQueue;
}

/** A function invoked asynchronously by an EventBridge rule, and the queue its failed events end in. */
export interface MonitoredEventConsumer {
  /** What it is, for alarm descriptions: "The email feedback recorder". */
  readonly label: string;
  readonly function: lambda.Function;
  /** Its alarm takes the queue's construct id. */
  readonly failureQueue: sqs.IQueue;
}

export interface MonitoringProps {
  /** The API's functions. */
  readonly functions: readonly lambda.Function[];
  readonly streamConsumers: readonly MonitoredStreamConsumer[];
  readonly eventConsumers: readonly MonitoredEventConsumer[];
  /** Other queues where undeliverable messages are parked (the webhook's dead letters): each gets its alarm. */
  readonly parkingQueues?: readonly { readonly what: string; readonly queue: sqs.IQueue }[];
  readonly stage: apigw.HttpStage;
  readonly alarmEmail?: string;
}

/** How far behind the stream a stream consumer may fall before someone should look. */
export const MAX_ITERATOR_AGE = Duration.minutes(5);

/** Above this share of failed sends (over at least EMAIL_FAILURE_MIN_ATTEMPTS attempts in 15 minutes), someone should look. */
export const EMAIL_FAILURE_RATIO = 0.1;
export const EMAIL_FAILURE_MIN_ATTEMPTS = 10;

/**
 * Alarms on what needs a person: a parked stream record or event, a function error or throttle,
 * a stream consumer falling behind the stream, and server errors at the API. All notify one SNS
 * topic.
 */
export class Monitoring extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);

    // A customer managed key because CloudWatch cannot publish to a topic encrypted with the AWS managed SNS key.
    const key = new kms.Key(this, 'TopicKey', {
      description: 'Encrypts invitations service alarm notifications',
      enableKeyRotation: true,
    });
    this.topic = new sns.Topic(this, 'Alarms', {
      displayName: 'Invitations service alarms',
      masterKey: key,
      enforceSSL: true,
    });
    // enforceSSL gives the topic a policy of its own, which replaces the default one: without an
    // Allow, CloudWatch could not publish an alarm. Both grants hold only for this account's alarms.
    const stack = Stack.of(this);
    const cloudwatchAlarms = new iam.ServicePrincipal('cloudwatch.amazonaws.com');
    const fromOurAlarms = {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: {
        'aws:SourceArn': stack.formatArn({
          service: 'cloudwatch',
          resource: 'alarm',
          resourceName: '*',
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      },
    };
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [cloudwatchAlarms],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: fromOurAlarms,
      }),
    );
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsEncrypt',
        principals: [cloudwatchAlarms],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: fromOurAlarms,
      }),
    );
    if (props.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));

    const period = Duration.minutes(5);
    const parked = (queue: sqs.IQueue, what: string) =>
      this.alarm(queue.node.id, {
        alarmDescription: `${what}, which was parked in the ${queue.node.id} queue.`,
        metric: queue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }),
        threshold: 1,
      });
    for (const consumer of props.streamConsumers) {
      parked(consumer.failureQueue, `${consumer.label} could not process a stream record`);
      this.alarm(`${consumer.name}IteratorAge`, {
        alarmDescription: `${consumer.label} is more than ${MAX_ITERATOR_AGE.toMinutes()} minutes behind the table stream.`,
        metric: consumer.function.metric('IteratorAge', { period, statistic: 'Maximum' }),
        threshold: MAX_ITERATOR_AGE.toMilliseconds(),
      });
    }
    this.alarm('ApiServerErrors', {
      alarmDescription: 'The API answered with 5xx (integration failures, timeouts, unhandled errors).',
      metric: new cloudwatch.Metric({
        namespace: 'AWS/ApiGateway',
        metricName: '5xx',
        dimensionsMap: { ApiId: props.stage.api.apiId, Stage: props.stage.stageName },
        period,
        statistic: 'Sum',
      }),
      threshold: 5,
    });
    for (const consumer of props.eventConsumers) {
      parked(consumer.failureQueue, `${consumer.label} could not take or process an event`);
    }
    for (const { what, queue } of props.parkingQueues ?? []) parked(queue, what);
    const emailMetric = (metricName: string, statistic: string, metricPeriod = period) =>
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { service: SERVICE_NAME },
        period: metricPeriod,
        statistic,
      });
    this.alarm('HeldEmails', {
      alarmDescription:
        'Invitation emails are held: SES refuses to send until the account is fixed (unverified identity, sandbox, ' +
        'paused sending, missing configuration set). See the runbook; then re-drive.',
      metric: emailMetric(METRIC.heldEmails, 'Maximum'),
      threshold: 1,
    });
    const window = Duration.minutes(15);
    this.alarm('EmailFailureRatio', {
      alarmDescription:
        `More than ${EMAIL_FAILURE_RATIO * 100} % of invitation email attempts failed for good in 15 minutes ` +
        '(addresses SES refuses, items that cannot be rendered).',
      metric: new cloudwatch.MathExpression({
        expression: `IF(attempts >= ${EMAIL_FAILURE_MIN_ATTEMPTS}, failed / attempts, 0)`,
        usingMetrics: {
          attempts: emailMetric(METRIC.emailAttempts, 'Sum', window),
          failed: emailMetric(METRIC.emailsFailed, 'Sum', window),
        },
        period: window,
        label: 'Share of email attempts that failed',
      }),
      threshold: EMAIL_FAILURE_RATIO,
    });
    const consumers = [...props.streamConsumers, ...props.eventConsumers];
    for (const fn of [...props.functions, ...consumers.map((consumer) => consumer.function)]) {
      const name = fn.node.id;
      this.alarm(`${name}Errors`, {
        alarmDescription: `${name} failed: an unhandled error, a timeout or running out of memory.`,
        metric: fn.metricErrors({ period, statistic: 'Sum' }),
        threshold: 1,
      });
      this.alarm(`${name}Throttles`, {
        alarmDescription: `${name} was throttled: the account's concurrency is exhausted.`,
        metric: fn.metricThrottles({ period, statistic: 'Sum' }),
        threshold: 1,
      });
    }
  }

  private alarm(id: string, props: Pick<cloudwatch.AlarmProps, 'metric' | 'threshold' | 'alarmDescription'>): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      ...props,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    alarm.addOkAction(new SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}
