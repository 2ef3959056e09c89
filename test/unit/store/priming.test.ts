/**
 * Priming at init: with DYNAMODB_PRIME set, importing the store's client sends that one declared
 * read before the import completes, and an unreachable or refusing DynamoDB never fails the import.
 */
import { execFile } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const CLIENT = new URL('../../../functions/store/client.ts', import.meta.url).pathname;
/** Imports the client in a fresh process and reports when the import completed. */
const IMPORT = `await import(${JSON.stringify(CLIENT)}); console.log('imported ' + Date.now());`;

let server: Server | undefined;
afterEach(() => server?.close());

async function fakeDynamo(status: number): Promise<{ endpoint: string; requests: { target: string; at: number }[] }> {
  const requests: { target: string; at: number }[] = [];
  server = createServer((request: IncomingMessage, response) => {
    requests.push({ target: String(request.headers['x-amz-target']), at: Date.now() });
    request.resume();
    request.on('end', () => {
      response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
      response.end(
        status === 200 ? '{}' : '{"__type":"com.amazon.coral.service#AccessDeniedException","message":"no"}',
      );
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

async function importClient(env: Record<string, string>): Promise<number> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', IMPORT], {
    env: {
      PATH: process.env.PATH,
      TABLE_NAME: 'primed-table',
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...env,
    },
    timeout: 20_000,
  });
  return Number(/imported (\d+)/.exec(stdout)?.[1]);
}

describe('priming the DynamoDB client at init', () => {
  it.each([
    ['GetItem', 'DynamoDB_20120810.GetItem'],
    ['BatchGetItem', 'DynamoDB_20120810.BatchGetItem'],
  ])('with DYNAMODB_PRIME=%s sends that read once, before the import completes', async (read, target) => {
    const dynamo = await fakeDynamo(200);
    const importedAt = await importClient({ DYNAMODB_PRIME: read, DYNAMODB_ENDPOINT: dynamo.endpoint });
    expect(dynamo.requests.map((request) => request.target)).toEqual([target]);
    expect(dynamo.requests[0]?.at).toBeLessThanOrEqual(importedAt);
  });

  it('sends nothing without DYNAMODB_PRIME', async () => {
    const dynamo = await fakeDynamo(200);
    await importClient({ DYNAMODB_ENDPOINT: dynamo.endpoint });
    expect(dynamo.requests).toEqual([]);
  });

  it('completes the import when the read is refused', async () => {
    const dynamo = await fakeDynamo(400);
    expect(await importClient({ DYNAMODB_PRIME: 'GetItem', DYNAMODB_ENDPOINT: dynamo.endpoint })).toBeGreaterThan(0);
    expect(dynamo.requests).toHaveLength(1);
  });

  it('completes the import when DynamoDB cannot be reached', async () => {
    expect(await importClient({ DYNAMODB_PRIME: 'GetItem', DYNAMODB_ENDPOINT: 'http://127.0.0.1:9' })).toBeGreaterThan(
      0,
    );
  });

  it('refuses a priming read that is not one of the two', async () => {
    await expect(importClient({ DYNAMODB_PRIME: 'Scan' })).rejects.toThrow(/DYNAMODB_PRIME/);
  });
});
