/**
 * Reads the table's stream the way a Lambda event-source mapping does: every shard, parents
 * before children, records filtered by the mapping's patterns, batched, handed to the stream
 * handler as a DynamoDBStreamEvent. `batchItemFailures` are honoured: the batch is retried from
 * the first failed record with exponential backoff, a bounded number of times; then that record
 * is written to a dead-letter file and the shard moves on. A record older than the mapping's
 * maximum record age is dead-lettered instead of delivered, also between retries. The position is checkpointed to a file
 * after every batch, so a restart resumes where the last run stopped.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type Shard,
  type _Record as StreamRecord,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { STREAM_EVENT_SOURCE } from '../functions/stream/event-source';
import { writeFileAtomic } from './data-dir';
import { lambdaContext } from './lambda-context';
import { PollingLoop } from './polling-loop';

const MAX_RETRY_DELAY_MS = 10_000;
/**
 * Records read from a shard at once, as Lambda's pollers read up to 1,000; the mapping's filter
 * applies before batching, so a handler gets up to `batchSize` matching records, not `batchSize`
 * records of which most are filtered out.
 */
const RECORDS_PER_READ = 1000;
/** Bounds one shard's turn, so that other shards (and stop requests) are not kept waiting. */
const MAX_PAGES_PER_POLL = 20;

export type StreamHandler = (event: DynamoDBStreamEvent, context: Context) => Promise<unknown>;

export interface StreamPollerOptions {
  client: DynamoDBStreamsClient;
  streamArn: string;
  handler: StreamHandler;
  /** Converts a record read with the Streams API into the shape Lambda delivers. */
  toLambdaRecord(record: StreamRecord, streamArn: string): DynamoDBRecord;
  /** The mapping's filter criteria: records that do not match are skipped (and count as processed). */
  accepts(record: DynamoDBRecord): boolean;
  positionFile: string;
  deadLetterFile: string;
  functionName?: string;
  batchSize?: number;
  /** Retries of a failing record after its first attempt, before it is dead-lettered. */
  maxRetries?: number;
  /** A record older than this (by its ApproximateCreationDateTime) is dead-lettered, not delivered. */
  maxRecordAgeSeconds?: number;
  /** Milliseconds since the epoch; the record age is measured against it. */
  now?(): number;
  retryBaseDelayMs?: number;
  pollIntervalMs?: number;
  handlerTimeoutMs?: number;
  log?(message: string, detail?: unknown): void;
}

interface Position {
  streamArn: string;
  shards: Record<string, { sequenceNumber?: string; finished?: boolean }>;
}

interface Item {
  raw: StreamRecord;
  record: DynamoDBRecord;
}

export class StreamPoller extends PollingLoop {
  private readonly options: Required<
    Pick<
      StreamPollerOptions,
      | 'batchSize'
      | 'maxRetries'
      | 'maxRecordAgeSeconds'
      | 'now'
      | 'retryBaseDelayMs'
      | 'pollIntervalMs'
      | 'handlerTimeoutMs'
      | 'functionName'
    >
  > &
    StreamPollerOptions;
  private position: Position;
  private readonly iterators = new Map<string, string>();
  /** Number of handler invocations so far, for diagnostics and tests. */
  invocations = 0;

  constructor(options: StreamPollerOptions) {
    const resolved = {
      batchSize: STREAM_EVENT_SOURCE.batchSize,
      maxRetries: STREAM_EVENT_SOURCE.retryAttempts,
      maxRecordAgeSeconds: STREAM_EVENT_SOURCE.maxRecordAgeSeconds,
      now: Date.now,
      retryBaseDelayMs: 200,
      pollIntervalMs: 250,
      handlerTimeoutMs: 60_000,
      functionName: 'stream-handler',
      ...options,
    };
    super(resolved.pollIntervalMs);
    this.options = resolved;
    this.position = this.loadPosition();
  }

  protected pollFailed(error: unknown): void {
    this.log('poll failed, retrying', error);
  }

  /**
   * Reads and delivers whatever is available on every shard that may be read now. A shard waits
   * until its parent (if the stream still lists it) has been read to its end; a parent that ends
   * during this poll lets its children be read in the same poll.
   */
  async pollOnce(): Promise<void> {
    const shards = await this.listShards();
    const known = new Set(shards.map((shard) => shard.ShardId));
    const visited = new Set<string>();
    const readable = (shard: Shard) => {
      const id = shard.ShardId as string;
      if (visited.has(id) || this.position.shards[id]?.finished) return false;
      const parent = shard.ParentShardId;
      return !parent || !known.has(parent) || this.position.shards[parent]?.finished === true;
    };
    for (let next = shards.find(readable); next; next = shards.find(readable)) {
      if (this.halted) return;
      visited.add(next.ShardId as string);
      await this.readShard(next.ShardId as string);
    }
  }

  private async listShards(): Promise<Shard[]> {
    const shards: Shard[] = [];
    let exclusiveStartShardId: string | undefined;
    do {
      const { StreamDescription } = await this.options.client.send(
        new DescribeStreamCommand({ StreamArn: this.options.streamArn, ExclusiveStartShardId: exclusiveStartShardId }),
      );
      shards.push(...(StreamDescription?.Shards ?? []));
      exclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStartShardId);
    return shards;
  }

  private async readShard(shardId: string): Promise<void> {
    for (let page = 0; page < MAX_PAGES_PER_POLL; page++) {
      const iterator = this.iterators.get(shardId) ?? (await this.newIterator(shardId));
      let response: Awaited<ReturnType<typeof this.getRecords>>;
      try {
        response = await this.getRecords(iterator);
      } catch (error) {
        this.iterators.delete(shardId);
        if (error instanceof ExpiredIteratorException) continue;
        throw error;
      }
      const records = response.Records ?? [];
      // Until the batch is through, the next read must start again from the saved position.
      this.iterators.delete(shardId);
      if (records.length && !(await this.deliver(shardId, records))) return;
      if (response.NextShardIterator) this.iterators.set(shardId, response.NextShardIterator);
      if (!response.NextShardIterator) {
        this.checkpoint(shardId, { finished: true });
        return;
      }
      // Like Lambda, keep reading while a shard has records; wait for the next poll once it has none.
      if (!records.length) return;
    }
  }

  private getRecords(iterator: string) {
    return this.options.client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: RECORDS_PER_READ }));
  }

  private async newIterator(shardId: string): Promise<string> {
    const after = this.position.shards[shardId]?.sequenceNumber;
    const request = {
      StreamArn: this.options.streamArn,
      ShardId: shardId,
      ...(after
        ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' as const, SequenceNumber: after }
        : { ShardIteratorType: 'TRIM_HORIZON' as const }),
    };
    try {
      const { ShardIterator } = await this.options.client.send(new GetShardIteratorCommand(request));
      return ShardIterator as string;
    } catch (error) {
      if (!(error instanceof TrimmedDataAccessException)) throw error;
      this.log(`records after the saved position of ${shardId} were trimmed; reading from the oldest`);
      const { ShardIterator } = await this.options.client.send(
        new GetShardIteratorCommand({
          StreamArn: this.options.streamArn,
          ShardId: shardId,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      );
      return ShardIterator as string;
    }
  }

  /**
   * Delivers one batch read from a shard. Returns false if stopped before the batch was fully
   * processed, in which case the position stays at the last completed record.
   */
  private async deliver(shardId: string, records: StreamRecord[]): Promise<boolean> {
    const items: Item[] = records.map((raw) => ({
      raw,
      record: this.options.toLambdaRecord(raw, this.options.streamArn),
    }));
    let pending = items.filter((item) => this.accepts(item.record));
    let attempts = 0;
    while (pending.length) {
      pending = pending.filter((item) => !this.tooOld(shardId, item, attempts));
      if (!pending.length) break;
      const batch = pending.slice(0, this.options.batchSize);
      const failedAt = await this.invoke(batch.map((item) => item.record));
      if (failedAt < 0) {
        this.checkpoint(shardId, { sequenceNumber: sequenceOf(batch[batch.length - 1] as Item) });
        pending = pending.slice(batch.length);
        attempts = 0;
        if (this.halted && pending.length) return false;
        continue;
      }
      const failed = pending[failedAt] as Item;
      if (failedAt > 0) {
        this.checkpoint(shardId, { sequenceNumber: sequenceOf(pending[failedAt - 1] as Item) });
        attempts = 0;
      }
      pending = pending.slice(failedAt);
      attempts += 1;
      if (attempts > this.options.maxRetries) {
        this.deadLetter(shardId, failed, attempts);
        this.checkpoint(shardId, { sequenceNumber: sequenceOf(failed) });
        pending = pending.slice(1);
        attempts = 0;
        continue;
      }
      const delay = Math.min(this.options.retryBaseDelayMs * 2 ** (attempts - 1), MAX_RETRY_DELAY_MS);
      await this.sleep(delay);
      if (this.halted) return false;
    }
    this.checkpoint(shardId, { sequenceNumber: sequenceOf(items[items.length - 1] as Item) });
    return true;
  }

  private accepts(record: DynamoDBRecord): boolean {
    try {
      return this.options.accepts(record);
    } catch (error) {
      this.log('a filter pattern failed on a record; skipping it', error);
      return false;
    }
  }

  /** Invokes the handler; returns the index of the first failed record, or -1 if all succeeded. */
  private async invoke(records: DynamoDBRecord[]): Promise<number> {
    this.invocations += 1;
    const context = lambdaContext(this.options.functionName, this.options.handlerTimeoutMs);
    let response: Partial<DynamoDBBatchResponse> | undefined;
    let timer: NodeJS.Timeout | undefined;
    // Like Lambda's function timeout: a handler that does not answer in time fails its whole
    // batch. The call itself cannot be killed in-process; whatever it still does is settled by
    // the handler's own conditional writes.
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`the handler did not finish within ${this.options.handlerTimeoutMs} ms`)),
        this.options.handlerTimeoutMs,
      );
    });
    try {
      response = (await Promise.race([
        this.options.handler({ Records: records }, context),
        timeout,
      ])) as Partial<DynamoDBBatchResponse>;
    } catch (error) {
      this.log('the handler failed; the batch will be retried', error);
      return 0;
    } finally {
      clearTimeout(timer);
    }
    const failures = response?.batchItemFailures ?? [];
    if (!failures.length) return -1;
    const indexes = failures.map(({ itemIdentifier }) =>
      itemIdentifier ? records.findIndex((record) => record.dynamodb?.SequenceNumber === itemIdentifier) : -1,
    );
    // Lambda treats an empty or unknown identifier as a failure of the whole batch.
    if (indexes.some((index) => index < 0)) return 0;
    return Math.min(...indexes);
  }

  /** Whether the record has outlived the maximum record age; if so it is dead-lettered. */
  private tooOld(shardId: string, item: Item, attempts: number): boolean {
    const created = item.record.dynamodb?.ApproximateCreationDateTime;
    if (created === undefined) return false;
    const ageSeconds = this.options.now() / 1000 - created;
    if (ageSeconds <= this.options.maxRecordAgeSeconds) return false;
    this.deadLetter(shardId, item, attempts, `older than ${this.options.maxRecordAgeSeconds} s`);
    return true;
  }

  private deadLetter(shardId: string, item: Item, attempts: number, reason = `failed ${attempts} times`): void {
    this.log(`record ${sequenceOf(item)} ${reason}; written to ${this.options.deadLetterFile}`);
    const entry = {
      failedAt: new Date().toISOString(),
      reason,
      streamArn: this.options.streamArn,
      shardId,
      attempts,
      record: item.record,
    };
    appendFileSync(this.options.deadLetterFile, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
  }

  private checkpoint(shardId: string, update: { sequenceNumber?: string; finished?: boolean }): void {
    this.position.shards[shardId] = { ...this.position.shards[shardId], ...update };
    writeFileAtomic(this.options.positionFile, `${JSON.stringify(this.position, null, 2)}\n`);
  }

  private loadPosition(): Position {
    const fresh: Position = { streamArn: this.options.streamArn, shards: {} };
    if (!existsSync(this.options.positionFile)) return fresh;
    try {
      const saved = JSON.parse(readFileSync(this.options.positionFile, 'utf8')) as Position;
      if (saved.streamArn === this.options.streamArn && saved.shards) return saved;
      this.log('the saved position belongs to another stream; starting from the oldest record');
    } catch (error) {
      this.log('the saved position is unreadable; starting from the oldest record', error);
    }
    return fresh;
  }

  /** Says which consumer's poller speaks, since there is one poller per stream consumer. */
  private log(message: string, detail?: unknown): void {
    const text = `stream poller for ${this.options.functionName}: ${message}`;
    (this.options.log ?? ((line, extra) => console.error(line, extra ?? '')))(text, detail);
  }
}

function sequenceOf(item: Item): string {
  return item.raw.dynamodb?.SequenceNumber as string;
}
