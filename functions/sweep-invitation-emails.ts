/**
 * The email sweep, on a schedule (EventBridge Scheduler; a timer under `npm start`): queues again
 * every invitation email the table still owes that nothing else will move on, and holds' retries.
 * Invoked with `{"redrive": ["HELD", "FAILED"]}` it is the operator's re-drive: every send in
 * those states is queued again at once (`npm run redrive` locally, `aws lambda invoke` deployed).
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { REDRIVABLE_STATUSES } from './domain/delivery';
import { logger, METRIC, metrics } from './platform/observability';
import { deliveries } from './services';
import { DEFAULT_SWEEP_SETTINGS, EmailSweep, type SweepReport } from './use-cases/email-sweep';

const seconds = (fallbackMs: number) =>
  z._default(z.coerce.number().check(z.int(), z.positive()), Math.round(fallbackMs / 1000));

/** The sweep's thresholds, read once at cold start; the defaults suit AWS, tests shorten them. */
const settings = z
  .object({
    EMAIL_SWEEP_STALE_SECONDS: seconds(DEFAULT_SWEEP_SETTINGS.staleAfterMs),
    EMAIL_HELD_RETRY_SECONDS: seconds(DEFAULT_SWEEP_SETTINGS.heldRetryAfterMs),
  })
  .parse(process.env);

const sweep = new EmailSweep(deliveries, {
  ...DEFAULT_SWEEP_SETTINGS,
  staleAfterMs: settings.EMAIL_SWEEP_STALE_SECONDS * 1000,
  heldRetryAfterMs: settings.EMAIL_HELD_RETRY_SECONDS * 1000,
});

/** A scheduled event carries anything; only an explicit re-drive request changes what runs. */
const RedriveRequest = z.object({ redrive: z.array(z.enum(REDRIVABLE_STATUSES)).check(z.minLength(1)) });

export const handler = middy<unknown, SweepReport, Error, Context>({ timeoutEarlyInMillis: 0 })
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .handler(async (event) => {
    const request = RedriveRequest.safeParse(event);
    if (!request.success && typeof event === 'object' && event !== null && 'redrive' in event) {
      throw new Error(`redrive must list one or more of ${REDRIVABLE_STATUSES.join(', ')}`);
    }
    const report = request.success ? await sweep.redrive(request.data.redrive) : await sweep.sweep();
    metrics.addMetric(METRIC.heldEmails, MetricUnit.Count, report.held);
    metrics.addMetric(METRIC.emailsRequeued, MetricUnit.Count, report.requeued);
    logger.info(request.success ? 'Invitation emails re-driven' : 'Invitation email sweep', { ...report });
    return report;
  });
