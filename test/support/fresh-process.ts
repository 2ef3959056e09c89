/**
 * Runs a script as an ES module in a fresh Node.js process (TypeScript through tsx), as a Lambda
 * init would start: with only PATH, a region, placeholder credentials and the given variables in
 * its environment. Resolves to what it printed; rejects when it exits with an error.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export async function runFreshModule(script: string, env: Record<string, string>): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    env: {
      PATH: process.env.PATH,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...env,
    },
    timeout: 20_000,
  });
  return stdout;
}
