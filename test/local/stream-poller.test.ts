/** The local event-source mapping: filtering, batching, partial failures, dead letters, position. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { toLambdaStreamRecord } from '../../functions/stream/records';
import { ensureTable, LOCAL_CREDENTIALS, localDynamoClient } from '../../local/dynamodb-local';
import { type StreamHandler, StreamPoller } from '../../local/stream-poller';

const endpoint = inject('dynamoEndpoint');
const dynamo = localDynamoClient(endpoint);
const streams = new DynamoDBStreamsClient({ endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'stream-poller-'));
});

afterAll(() => {
  dynamo.destroy();
  streams.destroy();
  rmSync(dir, { recursive: true, force: true });
});

const ids = (event: DynamoDBStreamEvent) => event.Records.map((record) => record.dynamodb?.NewImage?.PK?.S as string);

async function newTable(): Promise<string> {
  const tableName = `poller-${Math.random().toString(36).slice(2, 10)}`;
  await ensureTable(dynamo, tableName);
  return tableName;
}

async function streamArnOf(tableName: string): Promise<string> {
  const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
  return Table?.LatestStreamArn as string;
}

async function put(tableName: string, pk: string, entity = 'Thing'): Promise<void> {
  await dynamo.send(
    new PutItemCommand({ TableName: tableName, Item: { PK: { S: pk }, SK: { S: 'ITEM' }, entity: { S: entity } } }),
  );
}

function poller(tableName: string, streamArn: string, handler: StreamHandler, name = tableName) {
  return new StreamPoller({
    client: streams,
    streamArn,
    handler,
    toLambdaRecord: toLambdaStreamRecord,
    accepts: (record) => record.dynamodb?.NewImage?.entity?.S === 'Thing',
    positionFile: join(dir, `${name}.position.json`),
    deadLetterFile: join(dir, `${name}.dead-letters.jsonl`),
    maxRetries: 2,
    retryBaseDelayMs: 10,
    pollIntervalMs: 50,
    log: () => undefined,
  });
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('the stream poller', () => {
  it('delivers matching records in order as Lambda events, and resumes after the saved position', async () => {
    const table = await newTable();
    const arn = await streamArnOf(table);
    await put(table, 'a');
    await put(table, 'skip-me', 'Other');
    await put(table, 'b');

    const seen: string[] = [];
    const events: DynamoDBStreamEvent[] = [];
    const first = poller(table, arn, async (event) => {
      events.push(event);
      seen.push(...ids(event));
      return { batchItemFailures: [] };
    });
    first.start();
    await until(() => seen.length >= 2);
    await first.stop();
    expect(seen).toEqual(['a', 'b']);
    expect(events[0]?.Records[0]).toMatchObject({ eventName: 'INSERT', eventSourceARN: arn });

    await put(table, 'c');
    const later: string[] = [];
    const second = poller(table, arn, async (event) => {
      later.push(...ids(event));
    });
    second.start();
    await until(() => later.length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await second.stop();
    expect(later).toEqual(['c']);
  });

  it('retries from the first failed record, then dead-letters it after the bounded retries and moves on', async () => {
    const table = await newTable();
    const arn = await streamArnOf(table);
    for (const pk of ['a', 'b', 'c', 'd']) await put(table, pk);

    const calls: string[][] = [];
    let bFailures = 0;
    const subject = poller(table, arn, async (event) => {
      calls.push(ids(event));
      const failures = event.Records.filter((record) => {
        const pk = record.dynamodb?.NewImage?.PK?.S;
        if (pk === 'b' && bFailures < 1) {
          bFailures += 1;
          return true;
        }
        return pk === 'c';
      });
      return { batchItemFailures: failures.map((record) => ({ itemIdentifier: record.dynamodb?.SequenceNumber })) };
    });
    subject.start();
    await until(() => calls.some((call) => call.length === 1 && call[0] === 'd'));
    await subject.stop();

    // b fails once and succeeds on the retry; c, once it is the first failure, fails its attempt and both retries.
    expect(calls).toEqual([['a', 'b', 'c', 'd'], ['b', 'c', 'd'], ['c', 'd'], ['c', 'd'], ['d']]);
    const deadLetters = readFileSync(join(dir, `${table}.dead-letters.jsonl`), 'utf8')
      .trim()
      .split('\n');
    expect(deadLetters).toHaveLength(1);
    expect(JSON.parse(deadLetters[0] as string)).toMatchObject({
      attempts: 3,
      record: { dynamodb: { NewImage: { PK: { S: 'c' } } } },
    });
  });

  it('treats a thrown error or an unknown item identifier as a failure of the whole batch', async () => {
    const table = await newTable();
    const arn = await streamArnOf(table);
    await put(table, 'a');
    await put(table, 'b');
    const calls: string[][] = [];
    const subject = poller(table, arn, async (event) => {
      calls.push(ids(event));
      if (calls.length === 1) throw new Error('boom');
      if (calls.length === 2) return { batchItemFailures: [{ itemIdentifier: 'no-such-record' }] };
      return {};
    });
    subject.start();
    await until(() => calls.length >= 3);
    await subject.stop();
    expect(calls.slice(0, 3)).toEqual([
      ['a', 'b'],
      ['a', 'b'],
      ['a', 'b'],
    ]);
  });
});
