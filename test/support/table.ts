/** Direct access to the test table, for arranging states the API cannot reach quickly and for checking what it wrote. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { listKeyUpdate } from '../../functions/store/codecs/invitation';
import { placeholders } from '../../functions/store/dynamo/expression';
import { ENTITY, keys } from '../../functions/store/keys';
import { dynamoEndpoint } from './dynamodb-local';

export const documents = DynamoDBDocumentClient.from(
  new DynamoDBClient({ endpoint: dynamoEndpoint(), region: 'us-east-1' }),
);

const tableName = () => process.env.TABLE_NAME as string;

/** Sets a member's role in the table, as a role change would: the API has no route for it. */
export async function changeRole(workspaceId: string, userId: string, role: string): Promise<void> {
  await documents.send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.member(workspaceId, userId),
      UpdateExpression: 'SET #role = :role',
      ExpressionAttributeNames: { '#role': 'role' },
      ExpressionAttributeValues: { ':role': role },
    }),
  );
}

/** Moves an invitation's expiry (and its address claim's) into the past, as time passing would. */
export async function expireInvitation(invitationId: string, workspaceId: string, email: string): Promise<void> {
  const past = new Date(Date.now() - 60_000).toISOString();
  // Filed in the list indexes at its expiry, as an invitation created with that expiry is.
  const listed = listKeyUpdate('PENDING', past);
  await documents.send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.invitation(invitationId),
      UpdateExpression: `SET expiresAt = :past, ${listed.expression}`,
      ...placeholders(listed, { expression: '', values: { ':past': past } }),
    }),
  );
  await documents.send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.emailClaim(workspaceId, email),
      UpdateExpression: 'SET expiresAt = :past',
      ExpressionAttributeValues: { ':past': past },
    }),
  );
}

/**
 * Puts a workspace back in the layout from before its counts moved onto the workspace item: the
 * item without them, and the separate counts item of that layout beside it, holding `stale` counts
 * (which nothing reads any more).
 */
export async function asBeforeCountsMoved(
  workspaceId: string,
  stale = { memberCount: 0, pendingCount: 0, changes: 0 },
): Promise<void> {
  await documents.send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.workspace(workspaceId),
      UpdateExpression: 'REMOVE memberCount, pendingCount, countChanges',
    }),
  );
  await documents.send(
    new PutCommand({
      TableName: tableName(),
      Item: { ...keys.workspaceCounts(workspaceId), entity: ENTITY.workspaceCounts, ...stale },
    }),
  );
}

/** Every item of the table, sorted, for before/after comparisons. */
export async function snapshotTable(): Promise<string> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(
      new ScanCommand({ TableName: tableName(), ExclusiveStartKey: start, ConsistentRead: true }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return JSON.stringify(items.map((item) => JSON.stringify(item, Object.keys(item).sort())).sort());
}
