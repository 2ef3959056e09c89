/**
 * `npm run migrate -- [--table NAME [--region REGION] [--endpoint URL]] [--segments N] [--dry-run]`:
 * brings items written by older versions of the service to the current layout, one step after
 * the other (functions/store/layout-steps.ts), scanning the table in parallel segments. Without
 * --table, the table of `npm start` on its DynamoDB Local; with --table, that table in AWS with
 * the operator's credentials (the SDK's usual chain: AWS_PROFILE, environment, SSO), or at
 * --endpoint. Every write is conditional: safe while the service serves traffic, and to re-run.
 * Prints {"scanned", "steps": {<step>: {"needed", "updated", "skipped"}}}.
 */
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Table } from '../functions/store/dynamo/table';
import { migrateLayout } from '../functions/store/layout-migration';
import { LAYOUT_STEPS } from '../functions/store/layout-steps';
import { LOCAL_CREDENTIALS } from '../local/dynamodb-local';
import { loadSettings } from '../local/settings';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const usage = `Usage: npm run migrate -- [--table NAME [--region REGION] [--endpoint URL]] [--segments N] [--dry-run]

Steps, in order:
${LAYOUT_STEPS.map((step) => `  ${step.name}: ${step.description}`).join('\n')}`;

const { values } = parseArgs({
  options: {
    table: { type: 'string' },
    region: { type: 'string' },
    endpoint: { type: 'string' },
    segments: { type: 'string', default: '4' },
    'dry-run': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(usage);
  process.exit(0);
}
const segments = Number(values.segments);
if (!Number.isInteger(segments) || segments < 1 || segments > 1_000_000) {
  console.error(`--segments must be a whole number from 1 to 1000000.\n\n${usage}`);
  process.exit(2);
}

const target = values.table
  ? {
      tableName: values.table,
      client: new DynamoDBClient({
        region: values.region ?? process.env.AWS_REGION ?? 'us-east-1',
        ...(values.endpoint ? { endpoint: values.endpoint } : {}),
      }),
      where: values.endpoint ?? 'AWS',
    }
  : (() => {
      const settings = loadSettings();
      const endpoint = values.endpoint ?? `http://127.0.0.1:${settings.dynamoPort}`;
      return {
        tableName: settings.tableName,
        client: new DynamoDBClient({ region: 'us-east-1', endpoint, credentials: LOCAL_CREDENTIALS }),
        where: `${endpoint} (is \`npm start\` running?)`,
      };
    })();

const documents = DynamoDBDocumentClient.from(target.client, { marshallOptions: { removeUndefinedValues: true } });
try {
  const report = await migrateLayout(new Table(documents, target.tableName), LAYOUT_STEPS, {
    segments,
    dryRun: values['dry-run'] ?? false,
  });
  console.log(JSON.stringify(report));
} catch (error) {
  console.error(
    `The migration of ${target.tableName} on ${target.where} failed: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
} finally {
  documents.destroy();
}
