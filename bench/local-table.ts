/**
 * The DynamoDB Local a benchmark runs against: started on a free port, with the service's
 * environment pointing at it and its table created. Set before any store module is imported, as
 * the store reads its configuration at import.
 */
import { randomUUID } from 'node:crypto';
import {
  ensureTable,
  freePort,
  LOCAL_CREDENTIALS,
  localDynamoClient,
  startDynamoDbLocal,
} from '../local/dynamodb-local';

export async function benchTable(tableName: string) {
  const dynamo = await startDynamoDbLocal({ port: await freePort() });
  Object.assign(process.env, {
    TABLE_NAME: tableName,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    DYNAMODB_ENDPOINT: dynamo.endpoint,
    CURSOR_SECRET: randomUUID() + randomUUID(),
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  const raw = localDynamoClient(dynamo.endpoint);
  await ensureTable(raw, tableName);
  return { raw, stop: () => dynamo.stop() };
}
