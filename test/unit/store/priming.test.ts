/**
 * Priming at init: with DYNAMODB_PRIME set, importing the store's client sends that one declared
 * read (as many at once as DYNAMODB_PRIME_CONNECTIONS says) before the import completes, and an
 * unreachable or refusing DynamoDB never fails the import.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runFreshModule } from '../../support/fresh-process';

const CLIENT = new URL('../../../functions/store/client.ts', import.meta.url).pathname;
/** Imports the client in a fresh process and reports when the import completed. */
const IMPORT = `await import(${JSON.stringify(CLIENT)}); console.log('imported ' + Date.now());`;

let server: Server | undefined;
afterEach(() => server?.close());

interface Received {
  target: string;
  at: number;
  /** Which of the server's connections carried it. */
  connection: number;
}

async function fakeDynamo(status: number): Promise<{ endpoint: string; requests: Received[] }> {
  const requests: Received[] = [];
  const sockets = new Map<object, number>();
  server = createServer((request: IncomingMessage, response) => {
    if (!sockets.has(request.socket)) sockets.set(request.socket, sockets.size);
    requests.push({
      target: String(request.headers['x-amz-target']),
      at: Date.now(),
      connection: sockets.get(request.socket) as number,
    });
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
  const stdout = await runFreshModule(IMPORT, { TABLE_NAME: 'primed-table', ...env });
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
    expect(dynamo.requests[0]?.connection).toBe(0);
    expect(dynamo.requests[0]?.at).toBeLessThanOrEqual(importedAt);
  });

  it('with DYNAMODB_PRIME=GetItem,BatchGetItem sends each once, at once, before the import completes', async () => {
    const dynamo = await fakeDynamo(200);
    const importedAt = await importClient({
      DYNAMODB_PRIME: 'GetItem,BatchGetItem',
      DYNAMODB_ENDPOINT: dynamo.endpoint,
    });
    expect(dynamo.requests.map((request) => request.target).sort()).toEqual([
      'DynamoDB_20120810.BatchGetItem',
      'DynamoDB_20120810.GetItem',
    ]);
    expect(new Set(dynamo.requests.map((request) => request.connection)).size).toBe(2);
    expect(Math.max(...dynamo.requests.map((request) => request.at))).toBeLessThanOrEqual(importedAt);
  });

  it('with DYNAMODB_PRIME_CONNECTIONS=5 sends five of that read at once, on five connections, before the import completes', async () => {
    const dynamo = await fakeDynamo(200);
    const importedAt = await importClient({
      DYNAMODB_PRIME: 'BatchGetItem',
      DYNAMODB_PRIME_CONNECTIONS: '5',
      DYNAMODB_ENDPOINT: dynamo.endpoint,
    });
    expect(dynamo.requests.map((request) => request.target)).toEqual(Array(5).fill('DynamoDB_20120810.BatchGetItem'));
    expect(new Set(dynamo.requests.map((request) => request.connection)).size).toBe(5);
    expect(Math.max(...dynamo.requests.map((request) => request.at))).toBeLessThanOrEqual(importedAt);
  });

  it('refuses a connection count that is not a whole number from 1 to 10', async () => {
    for (const count of ['0', '11', '2.5', 'many']) {
      await expect(importClient({ DYNAMODB_PRIME: 'GetItem', DYNAMODB_PRIME_CONNECTIONS: count })).rejects.toThrow(
        /DYNAMODB_PRIME_CONNECTIONS/,
      );
    }
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
    await expect(importClient({ DYNAMODB_PRIME: 'GetItem,Scan' })).rejects.toThrow(/DYNAMODB_PRIME/);
  });
});
