/**
 * Connects one stream poller per consumer of the table stream to its handler, its filter patterns
 * and batching (its entry in functions/consumers.ts, which its CDK event-source mapping is built
 * from too) and the conversion of Streams API records to Lambda's record shape.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { _Record as StreamRecord } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import { type TableStreamConsumer, tableStreamConsumers } from '../functions/consumers';
import { matchesFilterPatterns } from '../functions/stream/filters';
import { toLambdaStreamRecord } from '../functions/stream/records';
import type { StreamHandler } from './stream-poller';

export interface StreamWiring {
  /** The handler's name, as in functions/<name>.ts. */
  name: string;
  handler: StreamHandler;
  toLambdaRecord(record: StreamRecord, streamArn: string): DynamoDBRecord;
  accepts(record: DynamoDBRecord): boolean;
  batchSize: number;
  maxRetries: number;
  maxRecordAgeSeconds: number;
}

/**
 * The wiring of every consumer whose handler is in this checkout, in the order of `consumers`,
 * and the consumers left out because their handler is not. Handlers are imported only once the
 * environment is set, since they read their configuration at import.
 */
export async function loadStreamWiring(
  consumers: readonly TableStreamConsumer[] = tableStreamConsumers,
): Promise<{ wired: StreamWiring[]; absent: TableStreamConsumer[] }> {
  const present = consumers.filter((consumer) => existsSync(fileURLToPath(handlerUrl(consumer.handler))));
  const wired = await Promise.all(
    present.map(async ({ handler: name, filterPatterns, batching }): Promise<StreamWiring> => {
      const { handler } = (await import(handlerUrl(name).href)) as { handler: StreamHandler };
      return {
        name,
        handler,
        toLambdaRecord: toLambdaStreamRecord,
        accepts: (record) => matchesFilterPatterns(record, filterPatterns),
        // Bisection needs no counterpart: the poller retries from the first failed record the handler reports.
        batchSize: batching.batchSize,
        maxRetries: batching.retryAttempts,
        maxRecordAgeSeconds: batching.maxRecordAgeSeconds,
      };
    }),
  );
  return { wired, absent: consumers.filter((consumer) => !present.includes(consumer)) };
}

function handlerUrl(name: string): URL {
  return new URL(`../functions/${name}.ts`, import.meta.url);
}
