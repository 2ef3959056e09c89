/** The local event-source mapping: filtering, batching, partial failures, dead letters, position. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toLambdaStreamRecord } from '../../functions/stream/records';
import { ensureTable, LOCAL_CREDENTIALS, localDynamoClient } from '../../local/dynamodb-local';
import { type StreamHandler, StreamPoller, type StreamPollerOptions } from '../../local/stream-poller';
import { dynamoEndpoint } from '../support/dynamodb-local';
import { waitFor } from '../support/wait-for';

const endpoint = dynamoEndpoint();
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

function poller(
  tableName: string,
  streamArn: string,
  handler: StreamHandler,
  name = tableName,
  overrides: Partial<StreamPollerOptions> = {},
) {
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
    ...overrides,
  });
}

function deadLetters(tableName: string) {
  return readFileSync(join(dir, `${tableName}.dead-letters.jsonl`), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
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
    // Polled by hand: once a whole poll after the one that delivered 'c' has delivered nothing,
    // nothing before the saved position is coming again.
    await waitFor(
      async () => {
        await second.pollOnce();
        return later.length >= 1;
      },
      { what: "the record put after the saved position, 'c'" },
    );
    await second.pollOnce();
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

describe('shard lineage', () => {
  it('reads a parent shard to its end before its children, and remembers finished shards', async () => {
    // A stream in which shard "parent" closed and split into "child"; "child" is listed first.
    const record = (shard: string, n: number) => ({
      eventID: `${shard}-${n}`,
      eventName: 'INSERT' as const,
      dynamodb: {
        SequenceNumber: `${shard === 'parent' ? 1 : 2}0000${n}`,
        NewImage: { PK: { S: `${shard}-${n}` }, entity: { S: 'Thing' } },
      },
    });
    const shards = {
      child: { records: [record('child', 1)], closed: false },
      parent: { records: [record('parent', 1), record('parent', 2)], closed: true },
    };
    const reads: string[] = [];
    const fake = {
      send: async (command: { constructor: { name: string }; input: Record<string, string> }) => {
        const { name } = command.constructor;
        if (name === 'DescribeStreamCommand') {
          return {
            StreamDescription: {
              Shards: [
                { ShardId: 'child', ParentShardId: 'parent' },
                { ShardId: 'parent', ParentShardId: 'trimmed-grandparent' },
              ],
            },
          };
        }
        if (name === 'GetShardIteratorCommand') return { ShardIterator: `${command.input.ShardId}|0` };
        if (name === 'GetRecordsCommand') {
          const [shardId, offset] = (command.input.ShardIterator as string).split('|') as [keyof typeof shards, string];
          reads.push(shardId);
          const shard = shards[shardId];
          const Records = shard.records.slice(Number(offset));
          const end = Number(offset) + Records.length;
          return { Records, NextShardIterator: shard.closed && Records.length === 0 ? undefined : `${shardId}|${end}` };
        }
        throw new Error(`unexpected ${name}`);
      },
    };
    const delivered: string[] = [];
    const name = 'lineage';
    const subject = new StreamPoller({
      client: fake as unknown as DynamoDBStreamsClient,
      streamArn: 'arn:aws:dynamodb:local:000000000000:table/lineage/stream/x',
      handler: async (event) => {
        delivered.push(...ids(event));
      },
      toLambdaRecord: toLambdaStreamRecord,
      accepts: () => true,
      positionFile: join(dir, `${name}.position.json`),
      deadLetterFile: join(dir, `${name}.dead-letters.jsonl`),
      log: () => undefined,
    });

    // The child is listed first but waits until the parent's end has been read.
    await subject.pollOnce();
    expect(reads).toEqual(['parent', 'parent', 'child', 'child']);
    expect(delivered).toEqual(['parent-1', 'parent-2', 'child-1']);
    const position = JSON.parse(readFileSync(join(dir, `${name}.position.json`), 'utf8'));
    expect(position.shards.parent).toEqual({ sequenceNumber: '100002', finished: true });
    expect(position.shards.child).toEqual({ sequenceNumber: '200001' });
    reads.length = 0;
    await subject.pollOnce();
    expect(reads).toEqual(['child']);
  });

  it('dead-letters records older than the maximum record age instead of delivering them, also between retries', async () => {
    const table = await newTable();
    const arn = await streamArnOf(table);
    await put(table, 'a');
    await put(table, 'b');
    let clock = Date.now();
    const calls: string[][] = [];
    const subject = poller(
      table,
      arn,
      async (event) => {
        calls.push(ids(event));
        const first = event.Records[0];
        if (first?.dynamodb?.NewImage?.PK?.S !== 'a') return {};
        // 'a' fails, and while it waits for its retry both records outlive the maximum age.
        clock += 121_000;
        return { batchItemFailures: [{ itemIdentifier: first.dynamodb.SequenceNumber }] };
      },
      table,
      // Creation times are rounded down to the minute, so a fresh record may already look 60 s old.
      { maxRecordAgeSeconds: 120, maxRetries: 5, now: () => clock },
    );
    await subject.pollOnce();
    expect(calls).toEqual([['a', 'b']]);
    expect(deadLetters(table).map((entry) => [entry.record.dynamodb.NewImage.PK.S, entry.reason])).toEqual([
      ['a', 'older than 120 s'],
      ['b', 'older than 120 s'],
    ]);

    // The position moved past both: nothing is delivered again.
    clock = Date.now();
    await put(table, 'c');
    await subject.pollOnce();
    expect(calls).toEqual([['a', 'b'], ['c']]);
  });
});

describe('a handler that never answers', () => {
  it('fails its batch after the function timeout, as Lambda does, and the retry delivers the records', async () => {
    const tableName = await newTable();
    await put(tableName, 'hung-1');
    const calls: string[][] = [];
    const handler: StreamHandler = (event) => {
      calls.push(ids(event));
      // The first call hangs for good; the retry answers.
      return calls.length === 1 ? new Promise(() => undefined) : Promise.resolve({ batchItemFailures: [] });
    };
    const subject = poller(tableName, await streamArnOf(tableName), handler, tableName, { handlerTimeoutMs: 200 });
    const started = Date.now();
    await subject.pollOnce();
    expect(calls).toEqual([['hung-1'], ['hung-1']]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
  });
});

describe('batching after filtering, as Lambda does', () => {
  it('hands the handler up to batchSize matching records at a time, however many others the shard holds between them', async () => {
    const tableName = await newTable();
    for (let n = 0; n < 25; n++) {
      await put(tableName, `skip-${n}-a`, 'Other');
      await put(tableName, `want-${String(n).padStart(2, '0')}`);
      await put(tableName, `skip-${n}-b`, 'Other');
    }
    const batches: string[][] = [];
    const handler: StreamHandler = async (event) => {
      batches.push(ids(event));
      return { batchItemFailures: [] };
    };
    const subject = poller(tableName, await streamArnOf(tableName), handler, tableName, { batchSize: 10 });
    await subject.pollOnce();
    expect(batches.map((batch) => batch.length)).toEqual([10, 10, 5]);
    expect(batches.flat()).toEqual(Array.from({ length: 25 }, (_, n) => `want-${String(n).padStart(2, '0')}`));
  });
});
