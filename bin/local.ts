/**
 * `npm start`: runs the whole service on this machine until Ctrl-C, SIGTERM or SIGHUP, or until
 * the process that started it (npm, or whatever ran this file) is gone.
 */
import { execFileSync } from 'node:child_process';
import { JavaMissing } from '../local/dynamodb-local';
import { type RunningService, startLocalService } from '../local/runner';
import { loadSettings } from '../local/settings';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const HELP = `Usage: npm start

Runs the invitations service on this machine: the API gateway and handlers, DynamoDB Local
(needs Java 17+), the SES v2 emulator behind a fault layer, the stream pollers, a local event
bus and the email and expiry sweeps. Ctrl-C, SIGTERM or SIGHUP stops every part. It takes no options; configure it with
environment variables (PORT, DYNAMODB_PORT, SES_PORT, SES_FAULTS_PORT, LOCAL_DATA_DIR,
REQUEST_LOG, POWERTOOLS_LOG_LEVEL, …): the README's "Run it locally" section lists them all.`;

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(HELP);
  process.exit(0);
}
if (args.length) {
  console.error(`npm start takes no options (got ${args.join(' ')}).\n\n${HELP}`);
  process.exit(2);
}

let service: RunningService | undefined;
let stopping = false;

async function shutdown(reason: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`\n${reason}: stopping…`);
  await starting.catch(() => undefined);
  await service?.stop();
  console.log('stopped');
  process.exit(0);
}

process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGHUP', () => void shutdown('SIGHUP'));
watchLauncher();

/**
 * `kill <npm pid>` ends npm and its shell but never reaches this process, and a killed npm takes
 * nothing with it: so the runner watches its parent, and npm too when npm started it.
 */
function watchLauncher(): void {
  const watched = [process.ppid];
  if (process.env.npm_lifecycle_event === 'start') {
    const npm = parentOf(process.ppid);
    if (npm && npm > 1) watched.push(npm);
  }
  const timer = setInterval(() => {
    if (watched.some((pid) => !isAlive(pid))) void shutdown('the process that started the service exited');
  }, 500);
  timer.unref();
}

function parentOf(pid: number): number | undefined {
  try {
    const output = execFileSync('ps', ['-o', 'ppid=', '-p', String(pid)], { encoding: 'utf8' });
    return Number(output.trim()) || undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const starting = (async () => {
  const settings = loadSettings();
  console.log(`Starting the invitations service (data in ${settings.dataDir})…`);
  service = await startLocalService(settings);
  if (stopping) return;
  const { urls } = service;
  console.log(`
  API            ${urls.api}/api/…  (every route is under /api, e.g. ${urls.api}/api/openapi.json)
  API reference  ${urls.docs}
  Email inbox    ${urls.inbox}${
    urls.sesFaults
      ? `
  SES faults     ${urls.sesFaults}/_local/faults`
      : `
  SES            ${settings.sesEndpoint}`
  }
  ${
    settings.external
      ? `Tokens         from ${settings.external.issuer} (audience ${settings.external.audience})`
      : `JWKS           ${urls.jwks}
  Mint a token   T=$(npm run -s token -- --sub alice --email alice@example.com --name Alice)`
  }
  Events         tail -f ${settings.dataDir}/events.jsonl${settings.webhook ? `  (and POSTed to ${settings.webhook.url})` : ''}
  Try it         npm run demo

ready: every part accepts requests (Ctrl-C stops them all)`);
  void stopOnFailure(service);
})();

async function stopOnFailure(running: RunningService): Promise<void> {
  const failure = await running.failure;
  if (stopping) return;
  stopping = true;
  console.error(`\n${failure.message} Stopping the other parts.`);
  await running.stop();
  process.exit(1);
}

starting.catch((error: unknown) => {
  if (error instanceof Error && (error instanceof JavaMissing || error.cause instanceof JavaMissing)) {
    console.error(`\n${(error.cause as Error | undefined)?.message ?? error.message}\n`);
  } else {
    console.error(`\nThe service could not start. ${error instanceof Error ? error.message : String(error)}\n`);
  }
  process.exit(1);
});
