/**
 * Starts `npm start`'s entry point as a child process on free ports with its own data directory,
 * as a developer would run it, and stops it (and checks nothing it started is left) afterwards.
 */

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { type Answer, createInvitationsClient } from '../../../client/index';
import { freePort, LOCAL_CREDENTIALS } from '../../../local/dynamodb-local';
import { loadOrCreateKey, mintToken, type TokenRequest } from '../../../local/identity';
import { waitFor } from '../../support/wait-for';

export const ROOT = resolve(import.meta.dirname, '../../..');

export interface Runner {
  api: string;
  ses: string;
  dataDir: string;
  ports: { api: number; dynamo: number; ses: number; sesFaults: number };
  /** The SES fault layer's control API (local/ses-faults.ts). */
  sesFaults: string;
  child: ChildProcess;
  /** Resolves with the exit code once the runner process has exited. */
  exited: Promise<number | null>;
  output(): string;
  token(request: TokenRequest): Promise<string>;
  /** SIGTERM, then wait for the exit; resolves with the exit code. */
  stop(): Promise<number | null>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export function newDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'invitations-e2e-'));
}

/**
 * Removes a runner's data directory. Through npm the runner is a grandchild: the last of its
 * parts can still be writing there for a moment after npm has exited (or been killed), which
 * makes a single removal fail with ENOTEMPTY, so it is retried for up to about five seconds.
 */
export function removeDataDir(dataDir: string): void {
  rmSync(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
}

export async function startRunner(
  options: {
    dataDir?: string;
    ports?: Runner['ports'];
    env?: Record<string, string>;
    /** `npm`: through `npm start`, as the README says (npm → sh → node); by default the entry point itself. */
    launch?: 'npm' | 'entry';
  } = {},
): Promise<Runner> {
  const dataDir = options.dataDir ?? newDataDir();
  const ports = options.ports ?? {
    api: await freePort(),
    dynamo: await freePort(),
    ses: await freePort(),
    sesFaults: await freePort(),
  };
  const [command, args] =
    options.launch === 'npm' ? ['npm', ['start']] : [process.execPath, ['--import', 'tsx', 'bin/local.ts']];
  const child = spawn(command as string, args as string[], {
    cwd: ROOT,
    env: {
      ...process.env,
      npm_lifecycle_event: '',
      PORT: String(ports.api),
      DYNAMODB_PORT: String(ports.dynamo),
      SES_PORT: String(ports.ses),
      SES_FAULTS_PORT: String(ports.sesFaults),
      LOCAL_DATA_DIR: dataDir,
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const output = collectOutput(child);
  const exited = once(child, 'exit').then(([code]) => {
    running.delete(child);
    return code as number | null;
  });
  const runner: Runner = {
    api: `http://localhost:${ports.api}`,
    ses: `http://127.0.0.1:${ports.ses}`,
    sesFaults: `http://127.0.0.1:${ports.sesFaults}/_local`,
    dataDir,
    ports,
    child,
    exited,
    output,
    token: async (request) => mintToken(await loadOrCreateKey(dataDir), request),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const code = await exited;
      clearTimeout(timer);
      killLeftovers(dataDir, ports.ses);
      return code;
    },
  };
  const deadline = Date.now() + 60_000;
  while (!/\bready\b/.test(output())) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await runner.stop();
      throw new Error(`the runner did not become ready:\n${output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return runner;
}

/** The pids of every process below `pid`, children first. */
export function descendantsOf(pid: number): number[] {
  const listing = execFileSync('ps', ['-eo', 'pid=,ppid='], { encoding: 'utf8' });
  const pairs = listing
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number) as [number, number]);
  const found: number[] = [];
  const visit = (parent: number) => {
    for (const [child, ppid] of pairs) {
      if (ppid === parent && !found.includes(child)) {
        found.push(child);
        visit(child);
      }
    }
  };
  visit(pid);
  return found;
}

/** Whether anything answers HTTP at `url` within a second. */
export async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(1000) });
    return true;
  } catch {
    return false;
  }
}

/** Processes whose command line shows they belong to this data directory or SES port. */
export function leftoverProcesses(dataDir: string, sesPort: number): string[] {
  const listing = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return listing
    .split('\n')
    .filter(
      (line) =>
        (line.includes('DynamoDBLocal') && line.includes(dataDir)) ||
        (line.includes('aws-ses-v2-local') && line.includes(`--port ${sesPort} `)),
    );
}

/** A safety net so a failing test never leaves Java or the emulator behind; tests assert there are none. */
function killLeftovers(dataDir: string, sesPort: number): void {
  for (const line of leftoverProcesses(dataDir, sesPort)) {
    const pid = Number(line.trim().split(/\s+/)[0]);
    if (pid) process.kill(pid, 'SIGKILL');
  }
}

export interface StoredEmail {
  messageId: string;
  from: string;
  destination: { to: string[] };
  subject: string;
  body: { html?: string; text?: string };
  at: number;
}

export async function emails(runner: Runner): Promise<StoredEmail[]> {
  const response = await fetch(`${runner.ses}/store`);
  return ((await response.json()) as { emails: StoredEmail[] }).emails;
}

/** Waits until the emulator holds an email to `address`, and returns the emails to it. */
export async function emailsTo(runner: Runner, address: string, count = 1, timeoutMs = 10_000): Promise<StoredEmail[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await emails(runner)).filter((email) => email.destination.to.some((to) => to.includes(address)));
    if (found.length >= count) return found;
    if (Date.now() > deadline) throw new Error(`no email to ${address} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Calls `probe` until `done` accepts what it returns, and returns that; after `timeoutMs` fails
 * with the last value seen, so that a test shows how far the service got.
 */
export async function eventually<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`not reached within ${timeoutMs} ms; last seen: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface SavedPosition {
  streamArn: string;
  shards: Record<string, { sequenceNumber?: string; finished?: boolean }>;
}

/**
 * Waits until the stream consumer that keeps `positionFile` in the data directory has handled
 * every record the table's stream holds now: the sign that whatever it has not done by then, it
 * will not do for any of those records.
 */
export async function consumedStreamEnd(runner: Runner, positionFile: string, timeoutMs = 15_000): Promise<void> {
  const saved = () => JSON.parse(readFileSync(join(runner.dataDir, positionFile), 'utf8')) as SavedPosition;
  const streams = new DynamoDBStreamsClient({
    endpoint: `http://127.0.0.1:${runner.ports.dynamo}`,
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
  });
  try {
    const end = await lastSequenceNumbers(streams, saved().streamArn);
    await waitFor(
      () => {
        const { shards } = saved();
        return Object.entries(end).every(([shardId, last]) => {
          const shard = shards[shardId];
          return shard?.finished || (shard?.sequenceNumber !== undefined && BigInt(shard.sequenceNumber) >= last);
        });
      },
      { what: `${positionFile} to reach the end of the stream as it was, ${JSON.stringify(end, bigints)}`, timeoutMs },
    );
  } finally {
    streams.destroy();
  }
}

const bigints = (_: string, value: unknown) => (typeof value === 'bigint' ? String(value) : value);

/** The sequence number of the last record on each shard that holds any. */
async function lastSequenceNumbers(streams: DynamoDBStreamsClient, streamArn: string): Promise<Record<string, bigint>> {
  const last: Record<string, bigint> = {};
  let start: string | undefined;
  do {
    const { StreamDescription } = await streams.send(
      new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: start }),
    );
    for (const { ShardId } of StreamDescription?.Shards ?? []) {
      if (!ShardId) continue;
      let { ShardIterator: iterator } = await streams.send(
        new GetShardIteratorCommand({ StreamArn: streamArn, ShardId, ShardIteratorType: 'TRIM_HORIZON' }),
      );
      while (iterator) {
        const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
        const records = page.Records ?? [];
        const sequence = records.at(-1)?.dynamodb?.SequenceNumber;
        if (sequence) last[ShardId] = BigInt(sequence);
        iterator = records.length ? page.NextShardIterator : undefined;
      }
    }
    start = StreamDescription?.LastEvaluatedShardId;
  } while (start);
  return last;
}

/** The invitation link in an email's text body. */
export function linkIn(email: StoredEmail): URL {
  const text = email.body.text ?? email.body.html ?? '';
  const found = /https?:\/\/[^\s"'<>]+token=[^\s"'<>&]+/.exec(text);
  if (!found) throw new Error(`no invitation link in: ${text}`);
  return new URL(found[0].replace(/&amp;/g, '&'));
}

/** Any request to the runner's API, through the service's own client, answered as it came. */
export async function http(
  runner: Runner,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const client = createInvitationsClient({ baseUrl: runner.api, token: options.token });
  return client.send(method, path, { body: options.body, headers: options.headers });
}

/** Everything a child writes to stdout and stderr, interleaved as it arrives. */
function collectOutput(child: ChildProcess): () => string {
  let output = '';
  const append = (chunk: Buffer) => {
    output += chunk;
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  return () => output;
}

/** Runs the entry point expecting it to fail on start; resolves with its exit code and output. */
export async function runUntilExit(
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/local.ts'], {
    cwd: ROOT,
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'ERROR', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const output = collectOutput(child);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code] = await once(child, 'exit');
  clearTimeout(timer);
  running.delete(child);
  return { code: code as number | null, output: output() };
}
