/** The sender's counts as Powertools metrics (CloudWatch embedded metric format). */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRIC, metrics } from '../platform/observability';
import type { DeliveryMetrics } from '../use-cases/invitation-emails';

const COUNT_OF = {
  sent: METRIC.emailsSent,
  failed: METRIC.emailsFailed,
  held: METRIC.emailsHeld,
  retrying: METRIC.emailsRetried,
} as const;

export const deliveryMetrics: DeliveryMetrics = {
  attempted: () => metrics.addMetric(METRIC.emailAttempts, MetricUnit.Count, 1),
  settled: (outcome, latencyMs) => {
    metrics.addMetric(COUNT_OF[outcome], MetricUnit.Count, 1);
    if (latencyMs !== undefined) metrics.addMetric(METRIC.emailSendLatency, MetricUnit.Milliseconds, latencyMs);
  },
};
