/**
 * `npm run token -- --sub <id> --email <address> [--name <name>] [--admin] [--unverified]`:
 * prints a JWT signed by the local identity (the key in the data directory), and nothing else.
 */
import { parseArgs } from 'node:util';
import { loadOrCreateKey, mintToken } from '../local/identity';
import { loadSettings } from '../local/settings';

const usage =
  'usage: npm run token -- --sub <id> --email <address> [--name <name>] [--admin] [--unverified] [--ttl <seconds>]';

try {
  const { values } = parseArgs({
    options: {
      sub: { type: 'string' },
      email: { type: 'string' },
      name: { type: 'string' },
      admin: { type: 'boolean', default: false },
      unverified: { type: 'boolean', default: false },
      ttl: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(
      `${usage}\nPrints a JWT signed by the local identity, nothing else. To capture it, keep npm quiet:\n` +
        '  T=$(npm run -s token -- --sub alice --email alice@example.com --name Alice)\n',
    );
    process.exit(0);
  }
  if (!values.sub) throw new Error('--sub is required');
  const ttlSeconds = values.ttl === undefined ? undefined : Number(values.ttl);
  if (ttlSeconds !== undefined && !Number.isInteger(ttlSeconds))
    throw new Error('--ttl must be a whole number of seconds');
  const settings = loadSettings();
  const key = await loadOrCreateKey(settings.dataDir);
  const token = await mintToken(key, {
    sub: values.sub,
    email: values.email,
    name: values.name,
    admin: values.admin,
    unverified: values.unverified,
    ttlSeconds,
  });
  process.stdout.write(`${token}\n`);
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${usage}\n`);
  process.exit(2);
}
