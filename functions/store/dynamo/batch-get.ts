/** Reading items by key in batches, shared by the stores: the one place unprocessed keys are retried. */
import { BatchGetCommand, type BatchGetCommandOutput, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ServiceUnavailable } from '../../domain/errors';

type Item = Record<string, unknown>;

/** Requests (a transaction, a batch) are tried this many times more before the caller hears 503. */
export const RETRY_ATTEMPTS = 4;
/** The most keys BatchGetItem takes in one request. */
const BATCH_GET_LIMIT = 100;

/** Jittered exponential backoff before retry number `attempt`. */
export function backoff(attempt: number): Promise<void> {
  const ceiling = 25 * 2 ** attempt;
  return new Promise((resolve) => setTimeout(resolve, ceiling / 2 + Math.random() * (ceiling / 2)));
}

/**
 * The items with these keys that exist, in no particular order: a request per 100 keys, keys
 * DynamoDB leaves unprocessed retried with backoff, and a 503 when it still leaves some.
 */
export async function batchGetItems(
  client: DynamoDBDocumentClient,
  tableName: string,
  keyList: readonly Record<string, unknown>[],
  consistent = true,
): Promise<Item[]> {
  const found: Item[] = [];
  for (let start = 0; start < keyList.length; start += BATCH_GET_LIMIT) {
    let pending: Record<string, unknown>[] | undefined = keyList.slice(start, start + BATCH_GET_LIMIT);
    for (let attempt = 0; pending?.length; attempt++) {
      if (attempt > 0) await backoff(attempt);
      const result: BatchGetCommandOutput = await client.send(
        new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: consistent } } }),
      );
      found.push(...(result.Responses?.[tableName] ?? []));
      pending = result.UnprocessedKeys?.[tableName]?.Keys;
      if (pending?.length && attempt >= RETRY_ATTEMPTS) {
        throw new ServiceUnavailable('The database is busy; retry shortly.', { retryAfterSeconds: 1 });
      }
    }
  }
  return found;
}
