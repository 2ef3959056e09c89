/**
 * `npm run redrive -- [--held] [--failed]`: queues the held (and/or failed) invitation emails of
 * the service `npm start` runs again, now. The same handler as the deployed re-drive
 * (`aws lambda invoke` on the sweep function), pointed at the running DynamoDB Local. Emails
 * already SENT are never sent again. Without flags, re-drives held emails.
 */
import { parseArgs } from 'node:util';
import { EMAIL_SWEEP } from '../functions/consumers';
import { prepareDataDir } from '../local/data-dir';
import { tableEnvironment } from '../local/handler-environment';
import { lambdaContext } from '../local/lambda-context';
import { FUNCTION_PREFIX } from '../local/runner';
import { loadSettings } from '../local/settings';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const { values } = parseArgs({
  options: { held: { type: 'boolean' }, failed: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
});
if (values.help) {
  console.log('Usage: npm run redrive -- [--held] [--failed]   (default: --held)');
  process.exit(0);
}
const statuses = [...(values.held || !values.failed ? ['HELD'] : []), ...(values.failed ? ['FAILED'] : [])];

const settings = loadSettings();
const paths = prepareDataDir(settings.dataDir);
Object.assign(process.env, tableEnvironment(settings, paths, `http://127.0.0.1:${settings.dynamoPort}`));

try {
  const { handler } = await import('../functions/sweep-invitation-emails');
  const report = await handler(
    { redrive: statuses },
    lambdaContext(`${FUNCTION_PREFIX}${EMAIL_SWEEP.handler}`, 60_000),
  );
  console.log(JSON.stringify(report));
} catch (error) {
  console.error(
    `The re-drive failed: ${error instanceof Error ? error.message : String(error)}. Is \`npm start\` running (DynamoDB Local on port ${settings.dynamoPort})?`,
  );
  process.exit(1);
}
