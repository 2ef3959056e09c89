import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../functions/platform/metric-names';
import type { Route } from '../functions/routes';
import { TABLE } from '../functions/store/table-definition';
import type { InvitationsTable } from './invitations-table';

/** The DynamoDB operations the functions send (functions/access.ts maps them to grants). */
const OPERATIONS = [
  dynamodb.Operation.GET_ITEM,
  dynamodb.Operation.BATCH_GET_ITEM,
  dynamodb.Operation.QUERY,
  dynamodb.Operation.PUT_ITEM,
  dynamodb.Operation.UPDATE_ITEM,
  dynamodb.Operation.TRANSACT_WRITE_ITEMS,
];

/**
 * The two classes of routes, which have their own throttles and their own alarms: the public
 * ones (the link preview, the OpenAPI document) and the ones behind the JWT authorizer.
 */
export type RouteClass = 'Public' | 'Authenticated';

/**
 * Thresholds, and why.
 *
 * API: a 5xx rate over 1 % of at least 20 requests in 5 minutes: no client input causes a 5xx,
 * so a few in a quiet hour are a bug to look at, and a rate rather than a count keeps the alarm
 * meaningful at any traffic. p99 latency over 2 s for 15 minutes: requests are one to three
 * DynamoDB round trips (tens of milliseconds) and a cold start is well under a second, so a p99
 * of seconds means DynamoDB, Lambda or SES-side contention, not normal variation.
 *
 * SES: AWS reviews an account at a bounce rate of 5 % and a complaint rate of 0.1 %, and may pause
 * its sending above 10 % and 0.5 %. The alarms fire at 3 % and 0.05 %, early enough to act
 * (check where invitations go, who sends them) before a review.
 */
export const ALARM_THRESHOLDS = {
  apiServerErrorRatePercent: 1,
  apiMinimumRequests: 20,
  apiP99LatencyMs: 2000,
  sesBounceRate: 0.03,
  sesComplaintRate: 0.0005,
} as const;

export interface ServiceAlarmsProps {
  readonly topic: sns.ITopic;
  readonly table: InvitationsTable;
  /** The stage's access logs, one JSON line per request (lib/invitations-api.ts). */
  readonly accessLogs: logs.ILogGroup;
  readonly routes: readonly Route[];
}

/**
 * Alarms on the service as a whole, beside the per-function and per-queue ones of
 * lib/monitoring.ts: DynamoDB throttling and system errors, API 5xx rate and p99 latency per
 * route class (measured from the access logs), and SES's reputation. All notify the alarm topic.
 */
export class ServiceAlarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];
  /** Per route class: requests, server errors and latency, from the access logs. */
  readonly apiMetrics: Record<
    RouteClass,
    { requests: cloudwatch.Metric; serverErrors: cloudwatch.Metric; latency: cloudwatch.Metric }
  >;

  constructor(scope: Construct, id: string, props: ServiceAlarmsProps) {
    super(scope, id);
    const period = Duration.minutes(5);
    const table = props.table.table;

    // One alarm per direction: an alarm's math may use at most 10 metrics, and the table with its
    // indexes counts six per direction.
    for (const [direction, metricName, prefix] of [
      ['Read', 'ReadThrottleEvents', 'r'],
      ['Write', 'WriteThrottleEvents', 'w'],
    ] as const) {
      this.alarm(`Table${direction}Throttles`, {
        alarmDescription: `DynamoDB throttled ${direction.toLowerCase()}s of the table or one of its indexes: requests answer 503 and stream writes back up.`,
        metric: new cloudwatch.MathExpression({
          expression: `${[prefix, ...indexIds(prefix)].join(' + ')}`,
          usingMetrics: {
            [prefix]: table.metric(metricName, { period, statistic: 'Sum' }),
            ...indexMetrics(table, metricName, prefix, period),
          },
          label: `${direction} throttle events (table and indexes)`,
          period,
        }),
        threshold: 1,
      });
    }
    this.alarm('TableSystemErrors', {
      alarmDescription: 'DynamoDB answered requests of the service with an internal error (HTTP 500).',
      metric: table.metricSystemErrorsForOperations({ operations: OPERATIONS, period }),
      threshold: 1,
    });

    const publicKeys = props.routes
      .filter((route) => route.auth === 'public')
      .map((route) => `${route.method} ${route.path}`);
    const classes: Record<RouteClass, string> = {
      Public: publicKeys.map((key) => `$.routeKey = "${key}"`).join(' || '),
      // Everything else that matched a route ("-" is a request no route matched: API Gateway's 404).
      Authenticated: [...publicKeys, '-'].map((key) => `$.routeKey != "${key}"`).join(' && '),
    };
    const metrics = {} as ServiceAlarms['apiMetrics'];
    for (const [routeClass, selection] of Object.entries(classes) as [RouteClass, string][]) {
      const filter = (name: string, pattern: string, value: string) =>
        new logs.MetricFilter(this, `${routeClass}${name}Filter`, {
          logGroup: props.accessLogs,
          filterPattern: logs.FilterPattern.literal(`{ (${selection})${pattern} }`),
          metricNamespace: METRICS_NAMESPACE,
          metricName: `${routeClass}Api${name}`,
          metricValue: value,
          unit: name === 'Latency' ? cloudwatch.Unit.MILLISECONDS : cloudwatch.Unit.COUNT,
        });
      const requests = filter('Requests', '', '1').metric({ period, statistic: 'Sum' });
      const serverErrors = filter('ServerErrors', ' && $.status >= 500', '1').metric({ period, statistic: 'Sum' });
      const latency = filter('Latency', '', '$.latencyMs').metric({ period, statistic: 'p99' });
      metrics[routeClass] = { requests, serverErrors, latency };

      this.alarm(`${routeClass}ApiServerErrorRate`, {
        alarmDescription:
          `More than ${ALARM_THRESHOLDS.apiServerErrorRatePercent} % of the ${routeClass.toLowerCase()} routes' requests ` +
          `answered 5xx (of at least ${ALARM_THRESHOLDS.apiMinimumRequests} in 5 minutes).`,
        metric: new cloudwatch.MathExpression({
          expression: `IF(requests >= ${ALARM_THRESHOLDS.apiMinimumRequests}, 100 * FILL(errors, 0) / requests, 0)`,
          usingMetrics: { requests, errors: serverErrors },
          label: `${routeClass} 5xx rate (%)`,
          period,
        }),
        threshold: ALARM_THRESHOLDS.apiServerErrorRatePercent,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      });
      this.alarm(`${routeClass}ApiLatency`, {
        alarmDescription: `The ${routeClass.toLowerCase()} routes' p99 latency was over ${ALARM_THRESHOLDS.apiP99LatencyMs} ms for 15 minutes.`,
        metric: latency,
        threshold: ALARM_THRESHOLDS.apiP99LatencyMs,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
      });
    }
    this.apiMetrics = metrics;

    const reputation = (name: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/SES',
        metricName: name,
        period: Duration.hours(1),
        statistic: 'Maximum',
      });
    this.alarm('SesBounceRate', {
      alarmDescription: `The account's SES bounce rate reached ${ALARM_THRESHOLDS.sesBounceRate * 100} % (AWS reviews the account at 5 %).`,
      metric: reputation('Reputation.BounceRate'),
      threshold: ALARM_THRESHOLDS.sesBounceRate,
    });
    this.alarm('SesComplaintRate', {
      alarmDescription: `The account's SES complaint rate reached ${ALARM_THRESHOLDS.sesComplaintRate * 100} % (AWS reviews the account at 0.1 %).`,
      metric: reputation('Reputation.ComplaintRate'),
      threshold: ALARM_THRESHOLDS.sesComplaintRate,
    });

    for (const alarm of this.alarms) {
      alarm.addAlarmAction(new SnsAction(props.topic));
      alarm.addOkAction(new SnsAction(props.topic));
    }
  }

  private alarm(
    id: string,
    props: Pick<cloudwatch.AlarmProps, 'metric' | 'threshold' | 'alarmDescription'> &
      Partial<Pick<cloudwatch.AlarmProps, 'comparisonOperator' | 'evaluationPeriods'>>,
  ): void {
    this.alarms.push(
      new cloudwatch.Alarm(this, id, {
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        ...props,
      }),
    );
  }
}

const INDEX_NAMES = Object.values(TABLE.indexes).map((index) => index.name);

function indexIds(prefix: string): string[] {
  return INDEX_NAMES.map((name) => `${prefix}${name.toLowerCase()}`);
}

function indexMetrics(table: dynamodb.Table, metricName: string, prefix: string, period: Duration) {
  return Object.fromEntries(
    INDEX_NAMES.map((name) => [
      `${prefix}${name.toLowerCase()}`,
      table.metric(metricName, {
        period,
        statistic: 'Sum',
        dimensionsMap: { TableName: table.tableName, GlobalSecondaryIndexName: name },
      }),
    ]),
  );
}
