/**
 * How the store turns list-index queries into pages, against an in-memory list index that answers
 * Query as DynamoDB does (key range, descending, Limit, ExclusiveStartKey, LastEvaluatedKey when
 * the limit is reached) and BatchGetItem from the same items: which ranges a filter reads, how
 * status ranges merge, how far a filtered page reads, and where its next link resumes.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { StoredStatus } from '../../../functions/domain/invitation';
import { CursorCodec } from '../../../functions/store/cursor';
import { Table } from '../../../functions/store/dynamo/table';
import { DynamoInvitationLists } from '../../../functions/store/invitation-lists';
import { indexKeys, keys, listSortKey, userPartition, workspacePartition } from '../../../functions/store/keys';
import { TABLE } from '../../../functions/store/table-definition';

type Item = Record<string, unknown>;

const workspaceId = '0b6b0a43-8f5b-4c52-9d55-3d1f1e9c2a11';
const otherWorkspace = '7f0c3c2e-1b1a-4a51-8d1e-5b7a1f2c3d4e';
const creator = 'user-1';
const codec = new CursorCodec('a-secret-that-is-at-least-32-characters-long');
const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));
const ddb = mockClient(client);
const store = new DynamoInvitationLists(new Table(client, 'table'), codec);
const now = new Date('2026-06-15T00:00:00.000Z');
const sortKey = TABLE.indexes.byWorkspace.sortKey;

/** The table's invitations, by id. */
let table: Map<string, Item>;
let queries: QueryCommandInput[];

function invitation(n: number, status: StoredStatus, expiresAt: string, workspace = workspaceId): Item {
  return {
    ...keys.invitation(String(n)),
    ...indexKeys('byWorkspace', workspacePartition(workspace), listSortKey(status, expiresAt)),
    ...indexKeys('byUser', userPartition(creator), listSortKey(status, expiresAt)),
    entity: 'Invitation',
    id: String(n),
    workspaceId: workspace,
    status,
    expiresAt,
  };
}

const day = (n: number) => `2026-06-${String(n).padStart(2, '0')}T00:00:00.000Z`;

function fill(items: Item[]): void {
  table = new Map(items.map((item) => [String(item[TABLE.partitionKey]), item]));
}

/** Query on a list index, as DynamoDB answers it. */
function query(input: QueryCommandInput) {
  queries.push(input);
  const index = Object.values(TABLE.indexes).find((candidate) => candidate.name === input.IndexName);
  if (!index) throw new Error(`no index ${input.IndexName}`);
  const values = input.ExpressionAttributeValues as Record<string, string>;
  const inRange = [...table.values()]
    .filter((item) => item[index.partitionKey] === values[':qpk'])
    .filter((item) => {
      const sort = String(item[sortKey]);
      return sort >= (values[':qfrom'] as string) && sort <= (values[':qto'] as string);
    })
    .sort((a, b) => (`${a[sortKey]}|${a[TABLE.partitionKey]}` < `${b[sortKey]}|${b[TABLE.partitionKey]}` ? 1 : -1));
  const startAt = input.ExclusiveStartKey
    ? inRange.findIndex((item) => item[TABLE.partitionKey] === input.ExclusiveStartKey?.[TABLE.partitionKey]) + 1
    : 0;
  const read = inRange.slice(startAt, startAt + (input.Limit ?? 1000));
  const workspaceFilter = values[':workspacePartition'];
  const entry = (item: Item) =>
    Object.fromEntries(
      [TABLE.partitionKey, TABLE.sortKey, index.partitionKey, sortKey, TABLE.indexes.byWorkspace.partitionKey].map(
        (name) => [name, item[name]],
      ),
    );
  const last = read.at(-1);
  return {
    Items: read.filter((item) => !workspaceFilter || item.GSI3PK === workspaceFilter).map(entry),
    ...(read.length === input.Limit && last
      ? {
          LastEvaluatedKey: {
            ...keys.invitation(String(last.id)),
            [index.partitionKey]: last[index.partitionKey],
            [sortKey]: last[sortKey],
          },
        }
      : {}),
  };
}

beforeEach(() => {
  ddb.reset();
  queries = [];
  ddb.on(QueryCommand).callsFake(query);
  ddb.on(BatchGetCommand).callsFake((input) => {
    const wanted = (input.RequestItems.table?.Keys ?? []) as Item[];
    return {
      Responses: { table: wanted.flatMap((key) => table.get(String(key[TABLE.partitionKey])) ?? []) },
    };
  });
});

/** Every page of a list, following its next links. */
async function everyPage(list: (cursor?: string) => Promise<{ items: { id: string }[]; nextCursor?: string }>) {
  const pages: string[][] = [];
  let cursor: string | undefined;
  do {
    const page = await list(cursor);
    pages.push(page.items.map((item) => item.id));
    cursor = page.nextCursor;
  } while (cursor && pages.length < 50);
  return pages;
}

describe('a status filter', () => {
  beforeEach(() =>
    fill([
      invitation(1, 'PENDING', day(20)),
      invitation(2, 'PENDING', day(10)),
      invitation(3, 'ACCEPTED', day(18)),
      invitation(4, 'PENDING', day(25)),
      invitation(5, 'PENDING', day(14)),
      invitation(6, 'REVOKED', day(16)),
    ]),
  );

  it('reads one key range: PENDING after now, EXPIRED the PENDING range up to now, others their whole range', async () => {
    const ids = async (status: 'PENDING' | 'EXPIRED' | 'ACCEPTED') => {
      queries = [];
      const page = await store.listWorkspaceInvitations(workspaceId, { status }, { size: 10 }, now);
      expect(queries, status).toHaveLength(1);
      return page.items.map((item) => item.id);
    };
    expect(await ids('PENDING')).toEqual(['4', '1']);
    expect(queries[0]?.ExpressionAttributeValues).toMatchObject({
      ':qfrom': `PENDING#${now.toISOString()}`,
      ':qto': 'PENDING#~',
    });
    expect(await ids('EXPIRED')).toEqual(['5', '2']);
    expect(queries[0]?.ExpressionAttributeValues).toMatchObject({
      ':qfrom': 'PENDING#',
      ':qto': `PENDING#${now.toISOString()}`,
    });
    expect(await ids('ACCEPTED')).toEqual(['3']);
    expect(
      ddb
        .commandCalls(BatchGetCommand)
        .every((call) => call.args[0].input.RequestItems?.table?.ConsistentRead === false),
    ).toBe(true);
  });

  it('finds one match among many others in one query and one batch read, with no next link', async () => {
    fill([
      ...Array.from({ length: 300 }, (_, n) =>
        invitation(
          n + 100,
          'PENDING',
          `2026-07-01T00:00:${String(n % 60).padStart(2, '0')}.${String(n).padStart(3, '0')}Z`,
        ),
      ),
      invitation(1, 'ACCEPTED', day(3)),
    ]);
    const page = await store.listWorkspaceInvitations(workspaceId, { status: 'ACCEPTED' }, { size: 20 }, now);
    expect(page.items.map((item) => item.id)).toEqual(['1']);
    expect(page.nextCursor).toBeUndefined();
    expect(queries).toHaveLength(1);
    expect(ddb.commandCalls(BatchGetCommand)).toHaveLength(1);
  });

  it('leaves out an item that changed status after the index was read, and one deleted since', async () => {
    table.set('INV#1', { ...table.get('INV#1'), status: 'ACCEPTED' });
    table.delete('INV#4');
    const page = await store.listWorkspaceInvitations(workspaceId, { status: 'PENDING' }, { size: 10 }, now);
    expect(page.items).toEqual([]);
  });
});

describe('an unfiltered list', () => {
  it('merges the four status ranges latest expiry first, in full pages whose links resume every range', async () => {
    const statuses: StoredStatus[] = ['PENDING', 'ACCEPTED', 'DECLINED', 'REVOKED'];
    fill(Array.from({ length: 23 }, (_, n) => invitation(n + 1, statuses[(n * 7) % 4] as StoredStatus, day(n + 1))));
    const expected = Array.from({ length: 23 }, (_, n) => String(23 - n));

    const pages = await everyPage((cursor) =>
      store.listWorkspaceInvitations(workspaceId, {}, { size: 5, cursor }, now),
    );

    expect(pages.flat()).toEqual(expected);
    expect(pages.map((page) => page.length)).toEqual([5, 5, 5, 5, 3]);
    // One query per range that is not yet read to its end, per page.
    expect(queries.length).toBeLessThanOrEqual(4 * pages.length);
  });

  it('pages the sent list the same way, and shows an expired PENDING invitation where its expiry puts it', async () => {
    fill([invitation(1, 'PENDING', day(12)), invitation(2, 'ACCEPTED', day(13)), invitation(3, 'PENDING', day(30))]);
    const pages = await everyPage((cursor) => store.listSentInvitations(creator, {}, { size: 2, cursor }, now));
    expect(pages).toEqual([['3', '2'], ['1']]);
  });

  it('has no next link when every range ends on the page', async () => {
    fill([invitation(1, 'PENDING', day(20)), invitation(2, 'DECLINED', day(21))]);
    const page = await store.listWorkspaceInvitations(workspaceId, {}, { size: 2 }, now);
    expect(page.items.map((item) => item.id)).toEqual(['2', '1']);
    expect(page.nextCursor).toBeUndefined();
  });

  it('refuses a cursor of a one-range list on the merged list', async () => {
    fill([invitation(1, 'REVOKED', day(20)), invitation(2, 'REVOKED', day(21)), invitation(3, 'REVOKED', day(22))]);
    const filtered = await store.listWorkspaceInvitations(workspaceId, { status: 'REVOKED' }, { size: 1 }, now);
    await expect(
      store.listWorkspaceInvitations(workspaceId, {}, { size: 1, cursor: filtered.nextCursor }, now),
    ).rejects.toThrow('not valid for this collection');
  });
});

describe("a member's own invitations in one workspace", () => {
  it('reads their sent list kept to the workspace, on past rounds without matches, resuming after its last item', async () => {
    fill([
      ...Array.from({ length: 120 }, (_, n) =>
        invitation(n + 100, 'REVOKED', `2026-06-20T00:00:00.${String(n).padStart(3, '0')}Z`, otherWorkspace),
      ),
      invitation(1, 'REVOKED', day(3)),
      invitation(2, 'REVOKED', day(2)),
      invitation(3, 'REVOKED', day(1)),
    ]);

    const page = await store.listWorkspaceInvitations(
      workspaceId,
      { status: 'REVOKED', creatorId: creator },
      { size: 2 },
      now,
    );

    expect(page.items.map((item) => item.id)).toEqual(['1', '2']);
    expect(queries.every((input) => input.IndexName === TABLE.indexes.byUser.name)).toBe(true);
    expect(queries.length).toBeGreaterThan(1);
    const next = await store.listWorkspaceInvitations(
      workspaceId,
      { status: 'REVOKED', creatorId: creator },
      { size: 2, cursor: page.nextCursor },
      now,
    );
    expect(next.items.map((item) => item.id)).toEqual(['3']);
  });

  it('settles for a short page after five round trips, its next link resuming where reading stopped', async () => {
    fill(
      Array.from({ length: 400 }, (_, n) =>
        invitation(
          n + 100,
          'REVOKED',
          `2026-06-20T00:00:${String(Math.floor(n / 10)).padStart(2, '0')}.${String(n).padStart(3, '0')}Z`,
          otherWorkspace,
        ),
      ),
    );
    const page = await store.listWorkspaceInvitations(
      workspaceId,
      { status: 'REVOKED', creatorId: creator },
      { size: 2 },
      now,
    );
    expect(page.items).toEqual([]);
    expect(queries).toHaveLength(5);
    expect(page.nextCursor).toBeDefined();
  });
});
