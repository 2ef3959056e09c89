import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { InvitationsTable } from './invitations-table';
import type { RouteClass, ServiceAlarms } from './service-alarms';

export interface ServiceDashboardProps {
  readonly alarms: ServiceAlarms;
  readonly table: InvitationsTable;
  readonly apiFunctions: readonly lambda.IFunction[];
  readonly emailSender: lambda.IFunction;
  readonly nameSync: lambda.IFunction;
  readonly feedback: lambda.IFunction;
  readonly failureQueues: readonly sqs.IQueue[];
  /** The configuration set invitation emails go through. */
  readonly configurationSetName: string;
}

/**
 * One CloudWatch dashboard with the three parts of the service: the API (traffic, 5xx and p99
 * per route class, function errors and throttles), the table (capacity, throttles, errors,
 * latency) and the email pipeline (sends, bounces and complaints, reputation, stream lag,
 * parked records), and the state of every service alarm.
 */
export class ServiceDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: ServiceDashboardProps) {
    super(scope, id);
    const period = Duration.minutes(5);
    const api = props.alarms.apiMetrics;
    const classes = Object.keys(api) as RouteClass[];
    const table = props.table.table;
    const sum = (
      fns: readonly lambda.IFunction[],
      metric: (fn: lambda.IFunction) => cloudwatch.IMetric,
      label: string,
      idPrefix: string,
    ) =>
      new cloudwatch.MathExpression({
        expression: fns.map((_, i) => `${idPrefix}${i}`).join(' + '),
        usingMetrics: Object.fromEntries(fns.map((fn, i) => [`${idPrefix}${i}`, metric(fn)])),
        label,
        period,
      });
    const ses = (metricName: string, label: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/SES',
        metricName,
        dimensionsMap: { 'ses:configuration-set': props.configurationSetName },
        period,
        statistic: 'Sum',
        label,
      });

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.hours(3),
      widgets: [
        [new cloudwatch.TextWidget({ markdown: '## API', width: 24, height: 1 })],
        [
          graph(
            'Requests per route class',
            classes.map((c) => api[c].requests.with({ label: c })),
          ),
          graph(
            '5xx per route class',
            classes.map((c) => api[c].serverErrors.with({ label: c })),
          ),
          graph(
            'p99 latency per route class (ms)',
            classes.map((c) => api[c].latency.with({ label: c })),
          ),
          graph('API functions: errors and throttles (the per-function alarms name the function)', [
            sum(props.apiFunctions, (fn) => fn.metricErrors({ period }), 'Errors', 'errors'),
            sum(props.apiFunctions, (fn) => fn.metricThrottles({ period }), 'Throttles', 'throttles'),
          ]),
        ],
        [new cloudwatch.TextWidget({ markdown: '## Table', width: 24, height: 1 })],
        [
          graph('Consumed capacity', [
            table.metricConsumedReadCapacityUnits({ period, label: 'Read units' }),
            table.metricConsumedWriteCapacityUnits({ period, label: 'Write units' }),
          ]),
          graph('Throttle events', [
            table.metric('ReadThrottleEvents', { period, statistic: 'Sum', label: 'Read' }),
            table.metric('WriteThrottleEvents', { period, statistic: 'Sum', label: 'Write' }),
          ]),
          graph('System errors', [table.metricSystemErrorsForOperations({ period })]),
          graph('Request latency (ms, average)', [
            table.metricSuccessfulRequestLatency({
              dimensionsMap: { TableName: table.tableName, Operation: 'Query' },
              period,
              label: 'Query',
            }),
            table.metricSuccessfulRequestLatency({
              dimensionsMap: { TableName: table.tableName, Operation: 'TransactWriteItems' },
              period,
              label: 'TransactWriteItems',
            }),
            table.metricSuccessfulRequestLatency({
              dimensionsMap: { TableName: table.tableName, Operation: 'GetItem' },
              period,
              label: 'GetItem',
            }),
          ]),
        ],
        [new cloudwatch.TextWidget({ markdown: '## Email pipeline', width: 24, height: 1 })],
        [
          graph('Emails (configuration set)', [
            ses('Send', 'Sent'),
            ses('Delivery', 'Delivered'),
            ses('Bounce', 'Bounced'),
            ses('Complaint', 'Complaints'),
          ]),
          graph('Account reputation', [
            new cloudwatch.Metric({
              namespace: 'AWS/SES',
              metricName: 'Reputation.BounceRate',
              period: Duration.hours(1),
              statistic: 'Maximum',
              label: 'Bounce rate',
            }),
            new cloudwatch.Metric({
              namespace: 'AWS/SES',
              metricName: 'Reputation.ComplaintRate',
              period: Duration.hours(1),
              statistic: 'Maximum',
              label: 'Complaint rate',
            }),
          ]),
          graph('Stream consumers: how far behind (ms)', [
            props.emailSender.metric('IteratorAge', { period, statistic: 'Maximum', label: 'Email sender' }),
            props.nameSync.metric('IteratorAge', { period, statistic: 'Maximum', label: 'Workspace name sync' }),
          ]),
          graph('Email functions: errors, and records or events parked', [
            props.emailSender.metricErrors({ period, label: 'Sender errors' }),
            props.feedback.metricErrors({ period, label: 'Feedback errors' }),
            ...props.failureQueues.map((queue) =>
              queue.metricApproximateNumberOfMessagesVisible({
                period,
                statistic: 'Maximum',
                label: `${queue.node.id} queue`,
              }),
            ),
          ]),
        ],
        [
          new cloudwatch.AlarmStatusWidget({
            title: 'Service alarms',
            alarms: props.alarms.alarms,
            width: 24,
            height: 4,
          }),
        ],
      ],
    });
  }
}

function graph(title: string, metrics: cloudwatch.IMetric[]): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({ title, left: metrics, width: 6, height: 6 });
}
