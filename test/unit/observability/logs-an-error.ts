// Bundled by source-stack.test.ts as a Lambda function would be; the line numbers below are asserted there.
import { logger } from '../../../functions/platform/observability';

function failDeepInside(): never {
  throw new Error('outer failure', { cause: new TypeError('inner failure') });
}

try {
  failDeepInside();
} catch (error) {
  logger.error('Request failed', error as Error);
}
