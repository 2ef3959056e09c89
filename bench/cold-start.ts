/**
 * npm run bench:cold — what a cold start costs, per function the stack deploys.
 *
 * Builds every bundle with the stack's own esbuild settings (lib/bundling/options.ts), then, in
 * fresh Node.js processes, measures (a) importing the bundle and (b) importing it and handling
 * one request (against DynamoDB Local), beside `node -e 0` on the same machine; and, inside the
 * process, the first request's time over a second one's, as the bundle runs without priming and
 * with the priming reads the stack gives the function (DYNAMODB_PRIME and DYNAMODB_PRIME_CONNECTIONS,
 * functions/store/client.ts). Runs are
 * interleaved so that machine noise hits every column alike; the table shows medians.
 *
 *   npm run bench:cold                 # 11 runs per measurement
 *   npm run bench:cold -- --runs 21
 *   npm run bench:cold -- --node /path/to/node24/bin/node   # measure with another Node.js
 *
 * Targets: API bundles ≤ 350 KB minified; import ≤ 1.1 × the "DynamoDB client alone" row; the
 * primed first request ≤ 1.3 × a warm one.
 *
 * Two reference rows, built the same way, show what no function can go below: an empty ES module
 * (the cost of loading any ES module at all) and a bundle holding only the DynamoDB client with the
 * five commands the store sends (what `@aws-sdk/client-dynamodb` costs before any of our code runs).
 * Each round measures the bundles in a new random order: in a fixed order the same bundle measured
 * twice in one round differed by about 7 ms, more than some of the differences shown.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { type FunctionNeeds, type PrimingRead, primingConnectionsOf, primingReadsOf } from '../functions/access';
import { EMAIL_FEEDBACK, EMAIL_SENDER, WORKSPACE_NAME_SYNC } from '../functions/consumers';
import { generateTokenKey } from '../functions/domain/link-token';
import { type Route, routes } from '../functions/routes';
import {
  EMAIL_FEEDBACK_HANDLER,
  EMAIL_SENDER_HANDLER,
  esbuildBuildOptions,
  handlerEntry,
  PROJECT_ROOT,
  WORKSPACE_NAME_SYNC_HANDLER,
} from '../lib/bundling/options';
import { ensureTable, freePort, localDynamoClient, startDynamoDbLocal } from '../local/dynamodb-local';
import { apiEvent, sesFeedbackEvent, streamEvent, TABLE_NAME, workspaceRenameEvent } from './cold-start-events';

const MAX_BUNDLE_BYTES = 350 * 1024;
/** Import over the "DynamoDB client alone" reference row. */
const MAX_IMPORT_RATIO = 1.1;
const MAX_FIRST_OVER_WARM = 1.3;
const CLIENT_ALONE = 'DynamoDB client alone';

interface Subject {
  handler: string;
  kind: 'api' | 'stream' | 'event' | 'reference';
  bundle: string;
  bytes: number;
  event?: unknown;
  /** The declared read the function primes its DynamoDB client with at init, as deployed, and how many at once. */
  priming?: PrimingRead[];
  primingConnections?: number;
}

/** Reference bundles: name → entry source, resolved from the project root. */
const REFERENCES: Record<string, string> = {
  'empty ES module': 'export const handler = undefined;',
  [CLIENT_ALONE]: [
    "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
    "import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';",
    'export const handler = DynamoDBDocumentClient.from(new DynamoDBClient({}));',
    'export const commands = [BatchGetCommand, GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand];',
  ].join('\n'),
};

const runs = Number(argument('--runs') ?? 11);
/** The Node.js that runs the measured processes (and `node -e 0`); this one by default. */
const nodeBinary = argument('--node') ?? process.execPath;
const workDir = mkdtempSync(join(tmpdir(), 'cold-start-'));
const runner = join(PROJECT_ROOT, 'bench/cold-start-runner.mjs');
/** The link-token key the functions read (TOKEN_KEY_FILE) and the token routes' sample links are signed with. */
const linkTokenKey = generateTokenKey();

async function main(): Promise<void> {
  // The SDK warns on Node.js < 22 when the DynamoDB Local client is created; that is noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  try {
    const subjects = await buildAll();
    const dynamo = await startDynamoDbLocal({ port: await freePort() });
    try {
      const client = localDynamoClient(dynamo.endpoint);
      await ensureTable(client, TABLE_NAME);
      client.destroy();
      report(subjects, measure(subjects, environment(dynamo.endpoint)));
    } finally {
      await dynamo.stop();
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

async function buildAll(): Promise<Subject[]> {
  const all: readonly Route[] = routes;
  const functions = Promise.all([
    ...all.map((route) => buildFunction(route.handler, 'api', apiEvent(route, linkTokenKey), route)),
    buildFunction(EMAIL_SENDER_HANDLER, 'stream', streamEvent(), EMAIL_SENDER),
    buildFunction(WORKSPACE_NAME_SYNC_HANDLER, 'stream', workspaceRenameEvent(), WORKSPACE_NAME_SYNC),
    buildFunction(EMAIL_FEEDBACK_HANDLER, 'event', sesFeedbackEvent(), EMAIL_FEEDBACK),
  ]);
  const references = Promise.all(
    Object.entries(REFERENCES).map(async ([name, contents], index) => {
      const bundle = join(workDir, `reference-${index}`, 'index.mjs');
      const { entryPoints: _, ...options } = esbuildBuildOptions('', bundle);
      await build({ ...options, stdin: { contents, resolveDir: PROJECT_ROOT, loader: 'ts' }, logLevel: 'warning' });
      return { handler: name, kind: 'reference' as const, bundle, bytes: statSync(bundle).size };
    }),
  );
  return [...(await functions), ...(await references)];
}

async function buildFunction(
  handler: string,
  kind: Exclude<Subject['kind'], 'reference'>,
  event: unknown,
  needs: FunctionNeeds,
): Promise<Subject> {
  const bundle = join(workDir, handler, 'index.mjs');
  await build({ ...esbuildBuildOptions(handlerEntry(handler), bundle), logLevel: 'warning' });
  return {
    handler,
    kind,
    bundle,
    bytes: statSync(bundle).size,
    event,
    priming: primingReadsOf(needs),
    primingConnections: primingConnectionsOf(needs),
  };
}

/** What a function sees in Lambda, with local endpoints; nothing inherited from this shell but PATH. */
function environment(dynamoEndpoint: string): NodeJS.ProcessEnv {
  const keyFile = join(workDir, 'link-token.key');
  writeFileSync(keyFile, linkTokenKey);
  return {
    PATH: process.env.PATH,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    POWERTOOLS_SERVICE_NAME: 'invitations',
    POWERTOOLS_LOG_LEVEL: 'INFO',
    TABLE_NAME,
    DYNAMODB_ENDPOINT: dynamoEndpoint,
    CURSOR_SECRET: randomBytes(32).toString('base64url'),
    TOKEN_KEY_FILE: keyFile,
    ACCEPT_URL: 'https://app.example.com/invitations/accept',
    SES_FROM_ADDRESS: 'invitations@example.com',
    SES_ENDPOINT: 'http://127.0.0.1:9',
    // Every run's create-workspace request is the same person's; the quota would answer 429 after ten runs.
    WORKSPACES_PER_USER: '1000000',
  };
}

interface Samples {
  baseline: number[];
  imports: Map<string, number[]>;
  requests: Map<string, number[]>;
  /** Inside the process: the first handling ÷ the second, without priming and with it, and primed first − second in ms. */
  firstUnprimed: Map<string, number[]>;
  firstPrimed: Map<string, number[]>;
  firstPrimedExtraMs: Map<string, number[]>;
  /** Primed: the first handling's CPU time over the second's (less sensitive than wall time to the table's latency). */
  firstPrimedCpu: Map<string, number[]>;
  status: Map<string, string>;
}

function measure(subjects: Subject[], env: NodeJS.ProcessEnv): Samples {
  const samples: Samples = {
    baseline: [],
    imports: new Map(),
    requests: new Map(),
    firstUnprimed: new Map(),
    firstPrimed: new Map(),
    firstPrimedExtraMs: new Map(),
    firstPrimedCpu: new Map(),
    status: new Map(),
  };
  const time = (args: string[], childEnv: NodeJS.ProcessEnv) => {
    const started = process.hrtime.bigint();
    const result = spawnSync(nodeBinary, args, { env: childEnv, encoding: 'utf8' });
    const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
    if (result.status !== 0) throw new Error(`${args.join(' ')} failed:\n${result.stderr}`);
    return { elapsed, stdout: result.stdout };
  };
  const plain = { PATH: process.env.PATH };
  // One untimed round warms the file cache.
  for (const subject of subjects) time([runner, subject.bundle], env);
  for (let run = 0; run < runs; run++) {
    samples.baseline.push(time(['-e', '0'], plain).elapsed);
    for (const subject of shuffled(subjects)) {
      push(samples.imports, subject.handler, time([runner, subject.bundle], env).elapsed);
      if (subject.event === undefined) continue;
      const request = time([runner, subject.bundle, JSON.stringify(subject.event)], env);
      push(samples.requests, subject.handler, request.elapsed);
      samples.status.set(subject.handler, lastLine(request.stdout));
      push(samples.firstUnprimed, subject.handler, handlings(request.stdout).ratio);
      if (!subject.priming?.length) continue;
      const primedEnv = {
        ...env,
        DYNAMODB_PRIME: subject.priming.join(','),
        DYNAMODB_PRIME_CONNECTIONS: String(subject.primingConnections ?? 1),
      };
      const primed = handlings(time([runner, subject.bundle, JSON.stringify(subject.event)], primedEnv).stdout);
      push(samples.firstPrimed, subject.handler, primed.ratio);
      push(samples.firstPrimedExtraMs, subject.handler, primed.extraMs);
      push(samples.firstPrimedCpu, subject.handler, primed.cpuRatio);
    }
    process.stderr.write(`\rrun ${run + 1}/${runs}`);
  }
  process.stderr.write('\n');
  return samples;
}

function report(subjects: Subject[], samples: Samples): void {
  const baseline = median(samples.baseline);
  const baselineMin = Math.min(...samples.baseline);
  const clientAlone = median(samples.imports.get(CLIENT_ALONE) ?? []);
  const rows = subjects.map((subject) => {
    const imports = samples.imports.get(subject.handler) ?? [];
    const requests = samples.requests.get(subject.handler) ?? [];
    const imported = median(imports);
    const api = subject.kind === 'api';
    const sizeOk = !api || subject.bytes <= MAX_BUNDLE_BYTES;
    const importOk = !api || imported <= MAX_IMPORT_RATIO * clientAlone;
    const handled = requests.length > 0 ? median(requests) : undefined;
    const primed = samples.firstPrimed.get(subject.handler);
    const primedOk = !api || !primed?.length || median(primed) <= MAX_FIRST_OVER_WARM;
    return [
      subject.kind === 'api' ? subject.handler : `${subject.handler} (${subject.kind})`,
      `${(subject.bytes / 1024).toFixed(1)}${sizeOk ? '' : ' ✗'}`,
      `${imported.toFixed(1)} (${Math.min(...imports).toFixed(1)})`,
      `${(imported / baseline).toFixed(2)} (${(Math.min(...imports) / baselineMin).toFixed(2)})`,
      `${(imported / clientAlone).toFixed(2)}${importOk ? '' : ' ✗'}`,
      handled === undefined ? '' : `${handled.toFixed(1)} (${Math.min(...requests).toFixed(1)})`,
      ratio(samples.firstUnprimed.get(subject.handler)),
      `${ratio(primed)}${primedOk ? '' : ' ✗'}`,
      ratio(samples.firstPrimedExtraMs.get(subject.handler)),
      ratio(samples.firstPrimedCpu.get(subject.handler)),
      samples.status.get(subject.handler) ?? '',
    ];
  });
  const header = [
    'function',
    'bundle KB',
    'import ms',
    '× node',
    '× client alone',
    'import + 1 request ms',
    'first ÷ warm request',
    'primed: first ÷ warm',
    'primed: first − warm ms',
    'primed: first ÷ warm CPU',
    'response',
  ];
  const lines = [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`);
  console.log(
    `Node.js ${nodeVersion()}, ${runs} runs; medians, (minimums). \`node -e 0\`: ${baseline.toFixed(1)} ms (${baselineMin.toFixed(1)}).`,
  );
  console.log(
    `Targets for API functions: bundle ≤ ${MAX_BUNDLE_BYTES / 1024} KB, import ≤ ${MAX_IMPORT_RATIO} × "${CLIENT_ALONE}", primed first ≤ ${MAX_FIRST_OVER_WARM} × warm request (✗ marks a miss).\n`,
  );
  console.log(lines.join('\n'));
}

// ------------------------------------------------------------------ helpers

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

function push(map: Map<string, number[]>, key: string, value: number): void {
  map.set(key, [...(map.get(key) ?? []), value]);
}

/** The runner's first handling time over its second, how many ms longer the first took, and their CPU times' ratio. */
function handlings(output: string): { ratio: number; extraMs: number; cpuRatio: number } {
  const { first, warm, firstCpu, warmCpu } = JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as {
    [K in 'first' | 'warm' | 'firstCpu' | 'warmCpu']: number;
  };
  return { ratio: first / warm, extraMs: first - warm, cpuRatio: firstCpu / warmCpu };
}

/** A new random order (Fisher–Yates). */
function shuffled<T>(values: readonly T[]): T[] {
  const order = [...values];
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [order[i], order[j]] = [order[j] as T, order[i] as T];
  }
  return order;
}

function ratio(values: number[] | undefined): string {
  return values?.length ? median(values).toFixed(2) : '';
}

function lastLine(output: string): string {
  const status = output.trim().split('\n').at(-1) ?? '';
  try {
    return String((JSON.parse(status) as { status: unknown }).status);
  } catch {
    return '?';
  }
}

function nodeVersion(): string {
  return spawnSync(nodeBinary, ['--version'], { encoding: 'utf8' }).stdout.trim();
}

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

await main();
