/**
 * The layout migration (`npm run migrate`) against DynamoDB Local, on a table of its own so that
 * no other test's items are scanned: invitations stored before the expiry index are filed in
 * it, and nothing else is written; a second run finds nothing to do; an invitation that changed
 * or went between the scan and the write is left as it is (never brought back); the expiry
 * sweep then finds the ones past due; and the command itself does the same from the shell.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invitationCodec, invitationIdOf } from '../../functions/store/codecs/invitation';
import { workspaceCodec } from '../../functions/store/codecs/workspace';
import { CursorCodec } from '../../functions/store/cursor';
import { Table } from '../../functions/store/dynamo/table';
import { DynamoInvitationExpiries } from '../../functions/store/expiry-store';
import { DynamoInvitationLists } from '../../functions/store/invitation-lists';
import { expiryKeys, keys } from '../../functions/store/keys';
import { migrateLayout } from '../../functions/store/layout-migration';
import { fileInExpiryIndex, LAYOUT_STEPS } from '../../functions/store/layout-steps';
import { TABLE } from '../../functions/store/table-definition';
import { ensureTable, LOCAL_CREDENTIALS, localDynamoClient } from '../../local/dynamodb-local';
import { dynamoEndpoint } from '../support/dynamodb-local';

const tableName = `migrate-${randomUUID()}`;
const client = localDynamoClient(dynamoEndpoint());
const documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
const table = new Table(documents, tableName);
const { partitionKey: GSI5PK, sortKey: GSI5SK } = TABLE.indexes.byExpiry;

beforeAll(() => ensureTable(client, tableName));
afterAll(async () => {
  await client.send(new DeleteTableCommand({ TableName: tableName }));
  client.destroy();
});

const day = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
const workspaceId = randomUUID();

/** An invitation as the current code stores it, or, `legacy`, as a version before the expiry index did. */
function invitationItem(status: string, expiresAt: string, legacy = true): Record<string, unknown> {
  const id = randomUUID();
  const created = iso(Date.parse(expiresAt) - 7 * day);
  const item = invitationCodec.toItem(
    {
      id,
      workspaceId,
      workspaceName: 'Old',
      workspaceAlias: 'abcdefg',
      email: `${id}@example.com`,
      role: 'MEMBER',
      status: status as 'PENDING',
      creatorId: 'user|owner',
      creatorName: 'Owner',
      created,
      lastModified: created,
      expiresAt,
      sendCount: 1,
    },
    created,
  );
  if (legacy) {
    delete item[GSI5PK];
    delete item[GSI5SK];
  }
  return item;
}

const put = async (item: Record<string, unknown>): Promise<void> => {
  await documents.send(new PutCommand({ TableName: tableName, Item: item }));
};
const get = async (key: Record<string, string>) =>
  (await documents.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item;
const keyOf = (item: Record<string, unknown>) => keys.invitation(invitationIdOf(item));
const everything = async () =>
  (await documents.send(new ScanCommand({ TableName: tableName, ConsistentRead: true }))).Items ?? [];

/** The list-indexes step finds nothing in items the current code wrote. */
const listsInPlace = { 'list-indexes': { needed: 0, updated: 0, skipped: 0 } };

describe('the expiry-index step, over a whole table', () => {
  const now = Date.now();
  const pending = Array.from({ length: 5 }, (_, n) => invitationItem('PENDING', iso(now + (n + 1) * day)));
  const overdue = invitationItem('PENDING', iso(now - day));
  const accepted = invitationItem('ACCEPTED', iso(now + day));
  const current = invitationItem('PENDING', iso(now + 2 * day), false);
  const workspace = workspaceCodec.toItem({
    id: workspaceId,
    name: 'Old',
    alias: 'abcdefg',
    allowedDomains: [],
    invitationTtlDays: 7,
    created: iso(now - 30 * day),
    lastModified: iso(now - 30 * day),
    createdBy: 'user|owner',
  } as never);
  const untouched = [accepted, current, workspace];

  beforeAll(async () => {
    for (const item of [...pending, overdue, ...untouched]) await put(item);
  });

  it('counts, in a dry run, what it would file, and writes nothing', async () => {
    const before = await everything();
    const report = await migrateLayout(table, LAYOUT_STEPS, { segments: 3, pageSize: 2, dryRun: true });
    expect(report).toEqual({
      scanned: 9,
      steps: { 'expiry-index': { needed: 6, updated: 0, skipped: 0 }, ...listsInPlace },
    });
    expect(await everything()).toEqual(before);
  });

  it('files every PENDING invitation without keys at its expiry, in segments and pages, and nothing else', async () => {
    const report = await migrateLayout(table, LAYOUT_STEPS, { segments: 3, pageSize: 2 });
    expect(report).toEqual({
      scanned: 9,
      steps: { 'expiry-index': { needed: 6, updated: 6, skipped: 0 }, ...listsInPlace },
    });
    for (const item of [...pending, overdue]) {
      const stored = await get(keyOf(item));
      expect(stored).toEqual({ ...item, ...expiryKeys(invitationIdOf(item), item.expiresAt as string) });
    }
    for (const item of untouched) {
      expect(await get({ PK: item.PK as string, SK: item.SK as string })).toEqual(item);
    }
  });

  it('finds nothing more to do when run again', async () => {
    const before = await everything();
    const report = await migrateLayout(table, LAYOUT_STEPS, { segments: 2 });
    expect(report.steps['expiry-index']).toEqual({ needed: 0, updated: 0, skipped: 0 });
    expect(await everything()).toEqual(before);
  });

  it('puts the overdue invitation where the expiry sweep finds it', async () => {
    const found = await new DynamoInvitationExpiries(table).listExpired(new Date(), 100);
    expect(found).toEqual([keyOf(overdue)]);
  });
});

describe('an invitation that changes between the scan and the write', () => {
  const expiresAt = iso(Date.now() + 3 * day);

  /** Reads the step's update off the item as scanned, lets `meanwhile` happen, then writes it. */
  async function migrateAfter(meanwhile: (item: Record<string, unknown>) => Promise<void>) {
    const item = invitationItem('PENDING', expiresAt);
    await put(item);
    const needed = fileInExpiryIndex.updateFor(item);
    expect(needed).toBeDefined();
    await meanwhile(item);
    const applied = await table.applied(
      table.update('expiry-index', keyOf(item), needed?.update as never, needed?.condition),
    );
    return { applied, stored: await get(keyOf(item)), item };
  }

  it('is not brought back once deleted', async () => {
    const { applied, stored } = await migrateAfter((item) =>
      documents.send(new DeleteCommand({ TableName: tableName, Key: keyOf(item) })).then(() => undefined),
    );
    expect(applied).toBe(false);
    expect(stored).toBeUndefined();
  });

  it('is left as accepted, declined or withdrawn', async () => {
    for (const status of ['ACCEPTED', 'DECLINED', 'REVOKED']) {
      const { applied, stored, item } = await migrateAfter((found) => put({ ...found, status }));
      expect(applied, status).toBe(false);
      expect(stored, status).toEqual({ ...item, status });
    }
  });

  it('keeps the expiry a resend filed it at', async () => {
    const later = iso(Date.parse(expiresAt) + day);
    const { applied, stored, item } = await migrateAfter((found) =>
      put({ ...found, expiresAt: later, ...expiryKeys(invitationIdOf(found), later) }),
    );
    expect(applied).toBe(false);
    expect(stored).toEqual({ ...item, expiresAt: later, ...expiryKeys(invitationIdOf(item), later) });
  });
});

describe('the list-indexes step', () => {
  const lists = new DynamoInvitationLists(table, new CursorCodec('a-secret-that-is-at-least-32-characters-long'));
  const listWorkspaceId = randomUUID();

  /** As versions before `listSK` stored it: a sort key per list index (`INV#<created>#<id>`), its id repeated. */
  function beforeListSK(status: string, expiresAt: string): Record<string, unknown> {
    const item: Record<string, unknown> = {
      ...invitationItem(status, expiresAt, false),
      workspaceId: listWorkspaceId,
      GSI3PK: `WS#${listWorkspaceId}`,
    };
    delete item[TABLE.indexes.byWorkspace.sortKey];
    const id = invitationIdOf(item);
    const old = `INV#${item.created}#${id}`;
    return { ...item, id, GSI1SK: old, GSI2SK: old, GSI3SK: old };
  }

  it('files older invitations under their status, where the lists and their status filters find them', async () => {
    const later = iso(Date.now() + 5 * day);
    const older = [
      beforeListSK('PENDING', later),
      beforeListSK('ACCEPTED', later),
      beforeListSK('PENDING', iso(Date.now() - day)),
    ];
    for (const item of older) await put(item);
    const listed = async (status?: 'PENDING' | 'ACCEPTED' | 'EXPIRED') =>
      (await lists.listWorkspaceInvitations(listWorkspaceId, { status }, { size: 10 }, new Date())).items.map(
        (invitation) => invitation.id,
      );
    expect(await listed()).toEqual([]);

    const report = await migrateLayout(table, LAYOUT_STEPS, { segments: 2 });
    expect(report.steps['list-indexes']).toEqual({ needed: 3, updated: 3, skipped: 0 });
    const [pending, accepted, expired] = older.map(invitationIdOf);
    expect((await listed()).sort()).toEqual([pending, accepted, expired].sort());
    expect(await listed('PENDING')).toEqual([pending]);
    expect(await listed('ACCEPTED')).toEqual([accepted]);
    expect(await listed('EXPIRED')).toEqual([expired]);
    const stored = await get(keyOf(older[1] as Record<string, unknown>));
    expect(stored).not.toHaveProperty('GSI1SK');
    expect(stored).not.toHaveProperty('id');
    expect(stored).toMatchObject({ listSK: `ACCEPTED#${later}` });
    expect((await migrateLayout(table, LAYOUT_STEPS, { segments: 2 })).steps['list-indexes']?.needed).toBe(0);
  });
});

describe('npm run migrate', () => {
  it('migrates the named table at an endpoint and prints its report; a second run finds nothing', async () => {
    const legacy = invitationItem('PENDING', iso(Date.now() + 4 * day));
    await put(legacy);
    const run = promisify(execFile);
    const command = () =>
      run(
        process.execPath,
        ['--import', 'tsx', 'bin/migrate.ts', '--table', tableName, '--endpoint', dynamoEndpoint(), '--segments', '2'],
        {
          env: {
            ...process.env,
            AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
            AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
          },
        },
      );
    const first = JSON.parse((await command()).stdout);
    expect(first.steps['expiry-index']).toMatchObject({ updated: 1, skipped: 0 });
    expect(await get(keyOf(legacy))).toMatchObject(expiryKeys(invitationIdOf(legacy), legacy.expiresAt as string));
    const second = JSON.parse((await command()).stdout);
    expect(second.steps['expiry-index']).toEqual({ needed: 0, updated: 0, skipped: 0 });
    expect(second.scanned).toBe(first.scanned);
  }, 60_000);

  it('refuses a segment count that is not a whole number, before touching the table', async () => {
    const run = promisify(execFile);
    await expect(
      run(process.execPath, ['--import', 'tsx', 'bin/migrate.ts', '--table', tableName, '--segments', 'many']),
    ).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('--segments must be a whole number') });
  }, 30_000);
});
