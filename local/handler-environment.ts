/**
 * What every handler run on this machine needs in its environment to reach DynamoDB Local and log
 * as the local service: shared by `npm start` and the commands run beside it (`npm run redrive`).
 * Set before the first handler is imported, since handlers read their configuration at import.
 */
import { type DataPaths, ensureSecret } from './data-dir';
import { LOCAL_CREDENTIALS } from './dynamodb-local';
import type { LocalSettings } from './settings';

export function tableEnvironment(
  settings: Pick<LocalSettings, 'tableName'>,
  paths: Pick<DataPaths, 'cursorSecret'>,
  dynamoEndpoint: string,
): Record<string, string> {
  return {
    TABLE_NAME: settings.tableName,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    DYNAMODB_ENDPOINT: dynamoEndpoint,
    CURSOR_SECRET: ensureSecret(paths.cursorSecret),
    POWERTOOLS_SERVICE_NAME: process.env.POWERTOOLS_SERVICE_NAME ?? 'invitations-local',
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
    // Embedded-metric lines would fill the console on every email; POWERTOOLS_METRICS_DISABLED=false shows them.
    POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED ?? 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}
