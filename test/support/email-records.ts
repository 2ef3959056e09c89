/** Stream records for the invitation email handler, built from an invitation item as it is in the table now. */
import { type AttributeValue, DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { keys } from '../../functions/store/keys';
import { attributeKey } from './attribute-key';
import { dynamoEndpoint } from './dynamodb-local';

const client = new DynamoDBClient({ endpoint: dynamoEndpoint(), region: 'us-east-1' });
const tableName = () => process.env.TABLE_NAME as string;
const key = (invitationId: string) => attributeKey(keys.invitation(invitationId));

export const TEST_STREAM_ARN = 'arn:aws:dynamodb:us-east-1:000000000000:table/invitations-test/stream/2026-11-22';

let sequence = 1000;

export async function invitationItem(invitationId: string): Promise<Record<string, AttributeValue>> {
  const { Item } = await client.send(
    new GetItemCommand({ TableName: tableName(), Key: key(invitationId), ConsistentRead: true }),
  );
  if (!Item) throw new Error(`no invitation ${invitationId}`);
  return Item;
}

/** The record Lambda would deliver for the invitation's last write: its current item as the new image. */
export async function recordOf(
  invitationId: string,
  eventName: 'INSERT' | 'MODIFY' = 'INSERT',
): Promise<DynamoDBRecord> {
  sequence += 1;
  return {
    eventID: `event-${sequence}`,
    eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'us-east-1',
    eventSourceARN: TEST_STREAM_ARN,
    dynamodb: {
      ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
      Keys: key(invitationId),
      NewImage: (await invitationItem(invitationId)) as NonNullable<DynamoDBRecord['dynamodb']>['NewImage'],
      SequenceNumber: String(sequence).padStart(21, '0'),
      SizeBytes: 512,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

/** Moves the last send request back in time, past the resend cool-down. */
export async function backdateLastSend(invitationId: string, seconds = 61): Promise<void> {
  await client.send(
    new UpdateItemCommand({
      TableName: tableName(),
      Key: key(invitationId),
      UpdateExpression: 'SET delivery.requestedAt = :then',
      ExpressionAttributeValues: { ':then': { S: new Date(Date.now() - seconds * 1000).toISOString() } },
    }),
  );
}

/** Puts the invitation's send in the hands of another attempt whose lease ends `leaseMs` from now. */
export async function holdSend(invitationId: string, leaseMs: number): Promise<void> {
  await client.send(
    new UpdateItemCommand({
      TableName: tableName(),
      Key: key(invitationId),
      UpdateExpression: 'SET delivery.#status = :sending, delivery.leaseUntil = :lease',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':sending': { S: 'SENDING' },
        ':lease': { S: new Date(Date.now() + leaseMs).toISOString() },
      },
    }),
  );
}
