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
 * Sends one of the function's own declared reads, so that what the SDK does on its first request
 * (credentials, the endpoint, the TLS connection, its serializers and signer) happens during the
 * init phase rather than in the first request a person waits for. It never fails the init: a
 * function that cannot prime serves its first request as it would have anyway.
 */
export async function prime(read: 'GetItem' | 'BatchGetItem'): Promise<void> {
  const request =
    read === 'GetItem'
      ? dynamo.send(new GetCommand({ TableName: tableName, Key: PRIMING_KEY }))
      : dynamo.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: [PRIMING_KEY] } } }));
  await request.catch(() => undefined);
}

if (config.DYNAMODB_PRIME) await prime(config.DYNAMODB_PRIME);
