process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

import { readdirSync } from 'node:fs';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

/** The files under test/local that run against the shared DynamoDB Local; the others there need none. */
const LOCAL_WITH_DYNAMODB = ['test/local/ses-feedback.test.ts', 'test/local/stream-poller.test.ts'];

/** Starts DynamoDB Local once for every project that lists it, and hands its endpoint to the tests. */
const DYNAMODB_LOCAL = 'test/support/global-setup.ts';

const project = (
  name: string,
  include: string[],
  test: TestProjectInlineConfiguration['test'] = {},
): TestProjectInlineConfiguration => ({ extends: true, test: { name, include, ...test } });

const projects = [
  // Neither Java nor a running service: domain rules, mocked-SDK handlers, the local runtime's parts on their own.
  project('unit', ['test/unit/**/*.test.ts', 'test/handlers/**/*.test.ts', 'test/local/**/*.test.ts'], {
    exclude: LOCAL_WITH_DYNAMODB,
  }),
  // CDK synthesis (esbuild bundles) and cfn-lint: no Java either, but tens of seconds.
  project('infra', ['test/infra/**/*.test.ts']),
  project('integration', ['test/integration/**/*.test.ts'], { globalSetup: [DYNAMODB_LOCAL] }),
  project('local', LOCAL_WITH_DYNAMODB, { globalSetup: [DYNAMODB_LOCAL] }),
  // `npm start` as a child process: it starts its own DynamoDB Local (Java) and SES emulator.
  project('e2e', ['test/e2e/**/*.test.ts']),
  // `npm pack`, the example app installed from the tarball and synthesized, its client against `npm start` (Java).
  project('package', ['test/package/**/*.test.ts']),
  project('browser', ['test/browser/**/*.test.ts'], { globalSetup: ['test/support/browser-global-setup.ts'] }),
];

// A test folder no project includes would never run, and nothing would say so.
const covered = ['unit', 'handlers', 'local', 'infra', 'integration', 'e2e', 'package', 'browser', 'support'];
const uncovered = readdirSync(new URL('test', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && !covered.includes(entry.name))
  .map((entry) => `test/${entry.name}`);
if (uncovered.length) throw new Error(`no Vitest project includes ${uncovered.join(', ')}: add it to vitest.config.ts`);

export default defineConfig({
  test: {
    setupFiles: ['test/support/env.ts'],
    testTimeout: 30_000,
    hookTimeout: 90_000,
    projects,
  },
});
