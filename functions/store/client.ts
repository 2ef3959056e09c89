import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../platform/config';
import { TABLE } from './table-definition';

/** Created once per cold start and shared by every request the function serves. */
export const dynamo = DynamoDBDocumentClient.from(
  new DynamoDBClient({ region: config.AWS_REGION, endpoint: config.DYNAMODB_ENDPOINT }),
  { marshallOptions: { removeUndefinedValues: true } },
);

export const tableName = config.TABLE_NAME;

/** A key no item has: priming reads nothing (an eventually consistent read of it costs half a read unit). */
const PRIMING_KEY = { [TABLE.partitionKey]: '#priming', [TABLE.sortKey]: '#priming' };

/**
 * Sends the function's own declared reads, so that what the SDK does on its first request
 * (credentials, the endpoint, the TLS connection, each command's serializers, the signer) happens
 * during the init phase rather than in the first request a person waits for. It never fails the
 * init: a function that cannot prime serves its first request as it would have anyway. All go at
 * once, each read at least once and the first again until `connections` are under way, so that a
 * function whose requests send that many at once finds as many connections open.
 */
export async function prime(reads: readonly string[], connections = 1): Promise<void> {
  const send = (read: string | undefined) =>
    read === 'GetItem'
      ? dynamo.send(new GetCommand({ TableName: tableName, Key: PRIMING_KEY }))
      : dynamo.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: [PRIMING_KEY] } } }));
  const all = [...reads, ...Array.from({ length: Math.max(0, connections - reads.length) }, () => reads[0])];
  await Promise.all(all.map((read) => send(read).catch(() => undefined)));
}

if (config.DYNAMODB_PRIME) {
  await prime(config.DYNAMODB_PRIME.split(','), Number(config.DYNAMODB_PRIME_CONNECTIONS));
}
