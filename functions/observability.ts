import { Logger } from '@aws-lambda-powertools/logger';
import { withSourceStacks } from './source-stack';

/**
 * The one logger. Service name and level come from POWERTOOLS_SERVICE_NAME and POWERTOOLS_LOG_LEVEL.
 * Logged errors carry stacks that point at the TypeScript sources (functions/source-stack.ts).
 */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'invitations',
  jsonReplacerFn: (_key, value) => withSourceStacks(value),
});
