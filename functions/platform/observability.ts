import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { METRICS_NAMESPACE } from './metric-names';
import { withSourceStacks } from './source-stack';

export { METRIC, METRICS_NAMESPACE } from './metric-names';

/**
 * The one logger. Service name and level come from POWERTOOLS_SERVICE_NAME and POWERTOOLS_LOG_LEVEL.
 * Logged errors carry stacks that point at the TypeScript sources (functions/source-stack.ts).
 */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'invitations',
  jsonReplacerFn: (_key, value) => withSourceStacks(value),
});

/**
 * The one metrics buffer, flushed as CloudWatch embedded metric format at the end of each
 * invocation. Namespace and service come from POWERTOOLS_METRICS_NAMESPACE and
 * POWERTOOLS_SERVICE_NAME; the alarms in lib/monitoring.ts read the same names.
 */
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE,
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'invitations',
});
