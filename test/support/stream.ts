/** Reads DynamoDB Local's real table stream, every shard, in the Lambda record shape. */
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import { toLambdaStreamRecord } from '../../functions/stream/records';
import { dynamoEndpoint } from './dynamodb-local';

const config = { endpoint: dynamoEndpoint(), region: 'us-east-1' };

export class StreamReader {
  private readonly streams = new DynamoDBStreamsClient(config);
  private readonly iterators = new Map<string, string | undefined>();
  private streamArn?: string;
  private readonly seen: DynamoDBRecord[] = [];
  private readonly returned = new Set<DynamoDBRecord>();

  /**
   * Reads until the records that match and were not returned before satisfy `done`, and returns
   * them. Records of other items are kept for later calls.
   */
  async read(
    match: (record: DynamoDBRecord) => boolean,
    done: (records: DynamoDBRecord[]) => boolean = (records) => records.length > 0,
    timeoutMs = 10_000,
  ): Promise<DynamoDBRecord[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.seen.push(...(await this.readNew()));
      const found = this.seen.filter((record) => !this.returned.has(record) && match(record));
      if (done(found)) {
        for (const record of found) this.returned.add(record);
        return found;
      }
      if (Date.now() > deadline) throw new Error(`expected stream records did not arrive: ${found.length} seen`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Records about one item (partition key `pk`). */
  readFor(pk: string, done?: (records: DynamoDBRecord[]) => boolean): Promise<DynamoDBRecord[]> {
    return this.read((record) => record.dynamodb?.Keys?.PK?.S === pk, done);
  }

  private async readNew(): Promise<DynamoDBRecord[]> {
    this.streamArn ??= await latestStreamArn();
    const arn = this.streamArn;
    const records: DynamoDBRecord[] = [];
    for (const shardId of await this.shardIds(arn)) {
      if (!this.iterators.has(shardId)) {
        const { ShardIterator } = await this.streams.send(
          new GetShardIteratorCommand({ StreamArn: arn, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }),
        );
        this.iterators.set(shardId, ShardIterator);
      }
      let iterator = this.iterators.get(shardId);
      while (iterator) {
        const page = await this.streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
        records.push(...(page.Records ?? []).map((record) => toLambdaStreamRecord(record, arn)));
        iterator = page.NextShardIterator;
        this.iterators.set(shardId, iterator);
        if (!page.Records?.length) break;
      }
    }
    return records;
  }

  destroy(): void {
    this.streams.destroy();
  }

  private async shardIds(arn: string): Promise<string[]> {
    const ids: string[] = [];
    let start: string | undefined;
    do {
      const { StreamDescription } = await this.streams.send(
        new DescribeStreamCommand({ StreamArn: arn, ExclusiveStartShardId: start }),
      );
      ids.push(...(StreamDescription?.Shards ?? []).flatMap((shard) => (shard.ShardId ? [shard.ShardId] : [])));
      start = StreamDescription?.LastEvaluatedShardId;
    } while (start);
    return ids;
  }
}

async function latestStreamArn(): Promise<string> {
  const client = new DynamoDBClient(config);
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: process.env.TABLE_NAME }));
    if (!Table?.LatestStreamArn) throw new Error('the test table has no stream');
    return Table.LatestStreamArn;
  } finally {
    client.destroy();
  }
}
