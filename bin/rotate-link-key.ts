/**
 * `npm run rotate-link-key -- --secret-id <arn> [--grace-days 30]` rotates the deployed
 * link-token key (credentials for the account in the shell); `--local` rotates the key file of
 * `npm start`'s data directory instead. Prints the ring's versions, never a key.
 */
import { parseArgs } from 'node:util';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { dataPaths } from '../local/data-dir';
import { loadSettings } from '../local/settings';
import { DEFAULT_GRACE_DAYS, describeRing, fileStore, rotateLinkKey, secretStore } from './link-key-rotation';

const usage = 'usage: npm run rotate-link-key -- (--secret-id <arn> | --local) [--grace-days <days>]';

try {
  const { values } = parseArgs({
    options: {
      'secret-id': { type: 'string' },
      local: { type: 'boolean', default: false },
      'grace-days': { type: 'string', default: String(DEFAULT_GRACE_DAYS) },
    },
    strict: true,
  });
  if (Boolean(values['secret-id']) === values.local) throw new Error('give exactly one of --secret-id and --local');
  const graceDays = Number(values['grace-days']);
  const store = values['secret-id']
    ? secretStore(new SecretsManagerClient({}), values['secret-id'])
    : fileStore(dataPaths(loadSettings().dataDir).tokenKey);
  const ring = await rotateLinkKey(store, { graceDays });
  process.stdout.write(`${describeRing(ring)}\n`);
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${usage}\n`);
  process.exitCode = 1;
}
