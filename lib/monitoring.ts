import { Duration } from 'aws-cdk-lib';
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
  readonly stage: apigw.HttpStage;
  readonly alarmEmail?: string;
}

/** How far behind the stream a stream consumer may fall before someone should look. */
export const MAX_ITERATOR_AGE = Duration.minutes(5);

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
    key.grant(new iam.ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.topic = new sns.Topic(this, 'Alarms', {
      displayName: 'Invitations service alarms',
      masterKey: key,
      enforceSSL: true,
    });
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
