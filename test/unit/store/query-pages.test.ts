/**
 * How the store turns DynamoDB query results into pages, with DynamoDB mocked: how far a filtered
 * page reads, and where its next link resumes.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { CursorCodec } from '../../../functions/store/cursor';
import { Table } from '../../../functions/store/dynamo/table';
import { DynamoInvitationLists } from '../../../functions/store/invitation-lists';
import { indexKeys, invitationSortKey, keys, workspacePartition } from '../../../functions/store/keys';

const workspaceId = '0b6b0a43-8f5b-4c52-9d55-3d1f1e9c2a11';
const scope = `workspace:${workspaceId}:REVOKED:*`;
const codec = new CursorCodec('a-secret-that-is-at-least-32-characters-long');
const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));
const ddb = mockClient(client);
const store = new DynamoInvitationLists(new Table(client, 'table'), codec);
const now = new Date('2026-06-01T00:00:00.000Z');

/** An invitation's keys in the workspace index, the ones a page resumes after. */
const byWorkspace = (n: number, sort: string) => ({
  ...keys.invitation(String(n)),
  ...indexKeys('byWorkspace', workspacePartition(workspaceId), sort),
});
const createdSort = (n: number) => invitationSortKey(`2026-05-${String(n).padStart(2, '0')}`, String(n));

function invitation(n: number) {
  return {
    ...byWorkspace(n, createdSort(n)),
    entity: 'Invitation',
    id: String(n),
    status: 'REVOKED',
  };
}

const keyAfter = (n: number) => byWorkspace(n, `x${n}`);

beforeEach(() => ddb.reset());

describe('a filtered page', () => {
  it('reads on past rounds without matches, then resumes the next page after its last item', async () => {
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [], LastEvaluatedKey: keyAfter(1) })
      .resolvesOnce({ Items: [invitation(2)], LastEvaluatedKey: keyAfter(3) })
      .resolvesOnce({ Items: [invitation(4), invitation(5), invitation(6)], LastEvaluatedKey: keyAfter(7) });

    const page = await store.listWorkspaceInvitations(workspaceId, { status: 'REVOKED' }, { size: 2 }, now);

    expect(page.items.map((item) => item.id)).toEqual(['2', '4']);
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(3);
    const starts = ddb.commandCalls(QueryCommand).map((call) => call.args[0].input.ExclusiveStartKey);
    expect(starts).toEqual([undefined, keyAfter(1), keyAfter(3)]);
    expect(codec.decode(scope, page.nextCursor as string)).toEqual({
      pageNumber: 1,
      key: byWorkspace(4, createdSort(4)),
    });
  });

  it('settles for a short page after five round trips, its next link resuming where reading stopped', async () => {
    ddb.on(QueryCommand).resolves({ Items: [], LastEvaluatedKey: keyAfter(9) });

    const page = await store.listWorkspaceInvitations(workspaceId, { status: 'REVOKED' }, { size: 2 }, now);

    expect(page.items).toEqual([]);
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(5);
    expect(codec.decode(scope, page.nextCursor as string)).toEqual({ pageNumber: 1, key: keyAfter(9) });
  });

  it('has no next link when the collection ends, even short of a full page', async () => {
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [invitation(1)], LastEvaluatedKey: keyAfter(1) })
      .resolvesOnce({ Items: [invitation(2)] });

    const page = await store.listWorkspaceInvitations(workspaceId, { status: 'REVOKED' }, { size: 5 }, now);

    expect(page.items.map((item) => item.id)).toEqual(['1', '2']);
    expect(page.nextCursor).toBeUndefined();
  });
});

describe('an unfiltered page', () => {
  it('asks for one item more than it shows, in one round trip, and links on only when that item exists', async () => {
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [invitation(1), invitation(2), invitation(3)], LastEvaluatedKey: keyAfter(3) });
    const page = await store.listSentInvitations('user-1', { size: 2 });
    expect(ddb.commandCalls(QueryCommand)[0]?.args[0].input.Limit).toBe(3);
    expect(page.items.map((item) => item.id)).toEqual(['1', '2']);
    expect(page.nextCursor).toBeDefined();

    // Two items where three were asked for: DynamoDB reached the end, and says so with no LastEvaluatedKey.
    ddb.reset();
    ddb.on(QueryCommand).resolvesOnce({ Items: [invitation(1), invitation(2)] });
    const last = await store.listSentInvitations('user-1', { size: 2 });
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(1);
    expect(last.nextCursor).toBeUndefined();
  });
});
