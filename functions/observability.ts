import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { withSourceStacks } from './source-stack';

/** Where the service's own metrics are published, unless POWERTOOLS_METRICS_NAMESPACE says otherwise. */
export const METRICS_NAMESPACE = 'Invitations';

/** The service's own metric names, shared by the functions that publish them and the alarms on them. */
export const METRIC = {
  emailAttempts: 'EmailAttempts',
  emailsSent: 'EmailsSent',
  emailsFailed: 'EmailsFailed',
  emailsHeld: 'EmailsHeld',
  emailsRetried: 'EmailsRetried',
  emailSendLatency: 'EmailSendLatency',
  /** A gauge from the sweep: how many sends wait for the operator right now. */
  heldEmails: 'HeldEmails',
  emailsRequeued: 'EmailsRequeued',
} as const;

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
