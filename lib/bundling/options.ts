/**
 * How every Lambda bundle is built, in one place: the CDK construct (lib/service-function.ts)
 * passes these settings to NodejsFunction's esbuild run, and bench/cold-start.ts builds the very
 * same bundles with esbuild's API to measure them. Plain data only, so the benchmark does not
 * load aws-cdk-lib.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';
import { EMAIL_FEEDBACK, EMAIL_SENDER, EMAIL_SWEEP, WORKSPACE_NAME_SYNC } from '../../functions/consumers';

/**
 * The package's root, the nearest folder with a package.json: this checkout, or the installed
 * package, whose compiled construct lives in dist/ and whose handler sources in functions/.
 */
export const PROJECT_ROOT = packageRootOf(dirname(fileURLToPath(import.meta.url)));

function packageRootOf(folder: string): string {
  if (existsSync(join(folder, 'package.json'))) return folder;
  const parent = dirname(folder);
  if (parent === folder) throw new Error('invitations-service: no package.json above its own code');
  return packageRootOf(parent);
}

/**
 * The lockfile that pins what the bundles contain: this checkout's. An installed package has
 * none (npm never packs one), and NodejsFunction then finds the embedding app's own.
 */
export const LOCK_FILE: string | undefined = existsSync(join(PROJECT_ROOT, 'package-lock.json'))
  ? join(PROJECT_ROOT, 'package-lock.json')
  : undefined;

/** The Lambda runtime is Node.js 24; the syntax target stays at 22 so a bundle also runs on the previous LTS. */
export const ESBUILD_TARGET = 'node22';

/**
 * ESM output calls `require` only where a bundled CommonJS dependency asks for a Node.js
 * built-in; this gives it one. The local name avoids clashing with anything in the bundle.
 */
export const CREATE_REQUIRE_BANNER =
  "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

/** Module replacements applied to every bundle: specifier → absolute file. */
export const BUNDLE_ALIASES: Readonly<Record<string, string>> = {
  '@aws-sdk/credential-provider-node': join(PROJECT_ROOT, 'lib/bundling/env-credentials.ts'),
  'node:stream/web': join(PROJECT_ROOT, 'lib/bundling/lazy-web-streams.ts'),
};

export const LAMBDA_BUNDLE = {
  format: 'esm',
  target: ESBUILD_TARGET,
  platform: 'node',
  /** Everything is bundled, the AWS SDK included: one file to parse, versions pinned by our lockfile. */
  external: [] as string[],
  /** Prefer the ES module builds of dependencies: they tree-shake, the CommonJS builds do not. */
  mainFields: ['module', 'main'],
  minify: true,
  /**
   * The map beside the bundle lets logged stacks point at TypeScript. It is read only when an error
   * is logged (functions/platform/source-stack.ts), not at every cold start as --enable-source-maps would.
   * It omits the sources themselves.
   */
  sourcemap: true,
  sourcesContent: false,
  banner: CREATE_REQUIRE_BANNER,
  alias: BUNDLE_ALIASES,
} as const;

/**
 * The functions that are not in the route table: the two fed by the table stream, the one fed by
 * EventBridge, and the email sweep run by EventBridge Scheduler.
 */
export const EMAIL_SENDER_HANDLER = EMAIL_SENDER.handler;
export const WORKSPACE_NAME_SYNC_HANDLER = WORKSPACE_NAME_SYNC.handler;
export const EMAIL_FEEDBACK_HANDLER = EMAIL_FEEDBACK.handler;
export const EMAIL_SWEEP_HANDLER = EMAIL_SWEEP.handler;

/** The handler source of a function: functions/<name>.ts. */
export function handlerEntry(handler: string): string {
  return join(PROJECT_ROOT, 'functions', `${handler}.ts`);
}

/** esbuild's build options for one bundle, identical to what the CDK stack produces (index.mjs + map). */
export function esbuildBuildOptions(entry: string, outfile: string): BuildOptions {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: LAMBDA_BUNDLE.format,
    target: LAMBDA_BUNDLE.target,
    platform: LAMBDA_BUNDLE.platform,
    external: [...LAMBDA_BUNDLE.external],
    mainFields: [...LAMBDA_BUNDLE.mainFields],
    minify: LAMBDA_BUNDLE.minify,
    sourcemap: LAMBDA_BUNDLE.sourcemap,
    sourcesContent: LAMBDA_BUNDLE.sourcesContent,
    banner: { js: LAMBDA_BUNDLE.banner },
    alias: { ...LAMBDA_BUNDLE.alias },
  };
}
