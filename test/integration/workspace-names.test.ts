/**
 * Renaming a workspace on DynamoDB Local: the real stream records become the events the publisher
 * publishes, and those the name handler's rule matches reach it, and every invitation of the
 * workspace then shows the new name, wherever it is read.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { WORKSPACE_NAME_SYNC } from '../../functions/consumers';
import { stores } from '../../functions/services';
import { keys, workspacePartition } from '../../functions/store/keys';
import { Invitations } from '../../functions/use-cases/invitations';
import type { WorkspaceStore } from '../../functions/use-cases/ports';
import { Workspaces } from '../../functions/use-cases/workspaces';
import { api, type Identity, user } from '../support/api';
import { createWorkspace, invite } from '../support/fixtures';
import { testLinkTokens } from '../support/link-key';
import { busEventsOf, deliverToNameSync } from '../support/service-events';
import { StreamReader } from '../support/stream';
import { documents } from '../support/table';

const stream = new StreamReader();
afterAll(() => stream.destroy());

const nameIn = (record: DynamoDBRecord) => record.dynamodb?.NewImage?.name?.S;

/** The workspace's stream records up to the one whose new image carries `name`, as the mapping passes them. */
async function recordsUntil(workspaceId: string, name: string): Promise<DynamoDBRecord[]> {
  const records = await stream.readFor(workspacePartition(workspaceId), (found) =>
    found.some((r) => nameIn(r) === name),
  );
  return records.filter(reachesNameSync);
}

/** The record is published as an event the name sync's rule lets through. */
const reachesNameSync = (record: DynamoDBRecord) =>
  busEventsOf([record]).some((event) =>
    (WORKSPACE_NAME_SYNC.detailTypes as readonly string[]).includes(event['detail-type']),
  );

/** The records' events, through the name sync, in the order given. */
async function propagate(records: DynamoDBRecord[]) {
  expect(await deliverToNameSync(records)).toBe(records.length);
}

async function rename(owner: Identity, workspaceId: string, body: Record<string, unknown>) {
  const response = await api.patch(`/api/workspaces/${workspaceId}`, { as: owner, body });
  expect(response.status).toBe(200);
}

const workspaceNameOf = async (invitationId: string, as: Identity) =>
  (await api.get(`/api/invitations/${invitationId}`, { as })).body.workspace.name;

async function storedInvitation(invitationId: string) {
  const { Item } = await documents.send(
    new GetCommand({ TableName: process.env.TABLE_NAME, Key: keys.invitation(invitationId) }),
  );
  return Item;
}

describe('renaming a workspace', () => {
  it('gives every invitation of the workspace the new name, and no other workspace', async () => {
    const owner = user('owner');
    const [pending, accepted, withdrawn] = [user('pending'), user('accepted'), user('withdrawn')];
    const workspaceId = await createWorkspace(owner, { name: 'Before' });
    const pendingId = await invite(owner, workspaceId, pending.email as string);
    const acceptedId = await invite(owner, workspaceId, accepted.email as string);
    const withdrawnId = await invite(owner, workspaceId, withdrawn.email as string);
    expect((await api.patch(`/api/invitations/${acceptedId}`, { as: accepted })).status).toBe(200);
    expect((await api.put(`/api/invitations/${withdrawnId}/revoked`, { as: owner })).status).toBe(200);
    const otherWorkspace = await createWorkspace(owner, { name: 'Before' });
    const otherId = await invite(owner, otherWorkspace, pending.email as string);

    await rename(owner, workspaceId, { name: 'After' });
    expect(await workspaceNameOf(pendingId, owner)).toBe('Before');
    const records = await recordsUntil(workspaceId, 'After');
    expect(records.map((record) => record.eventName)).toEqual(['MODIFY']);
    await propagate(records);

    for (const id of [pendingId, acceptedId, withdrawnId]) expect(await workspaceNameOf(id, owner)).toBe('After');
    expect(await workspaceNameOf(otherId, owner)).toBe('Before');
    const received = await api.get(`/api/invitations?email=${encodeURIComponent(pending.email as string)}`, {
      as: pending,
    });
    const names = Object.fromEntries(
      received.body._embedded.invitations.map((i: { id: string; workspace: { name: string } }) => [
        i.id,
        i.workspace.name,
      ]),
    );
    expect(names).toEqual({ [pendingId]: 'After', [otherId]: 'Before' });
    const preview = await api.get(`/api/invitation-tokens/${testLinkTokens.mint(pendingId, 1)}`);
    expect(preview.body.workspace.name).toBe('After');
    // The bookkeeping attribute stays inside the table.
    expect((await api.get(`/api/invitations/${pendingId}`, { as: owner })).body).not.toHaveProperty('workspaceVersion');
  });

  it('ends with the latest name however late or out of order the renames are applied', async () => {
    const owner = user('owner');
    const workspaceId = await createWorkspace(owner, { name: 'First' });
    const invitationId = await invite(owner, workspaceId, user('invitee').email as string);
    await rename(owner, workspaceId, { name: 'Second' });
    await rename(owner, workspaceId, { name: 'Third' });
    const records = await recordsUntil(workspaceId, 'Third');
    expect(records.map(nameIn)).toEqual(['Second', 'Third']);

    await propagate([...records].reverse());
    expect(await workspaceNameOf(invitationId, owner)).toBe('Third');
    // Redelivered later, the older rename changes nothing.
    await propagate(records.slice(0, 1));
    expect(await workspaceNameOf(invitationId, owner)).toBe('Third');
  });

  it('changes no invitation when the name stayed the same', async () => {
    const owner = user('owner');
    const workspaceId = await createWorkspace(owner, { name: 'Steady' });
    const invitationId = await invite(owner, workspaceId, user('invitee').email as string);
    const before = await storedInvitation(invitationId);
    await rename(owner, workspaceId, { invitationTtlDays: 3 });
    const records = await stream.readFor(workspacePartition(workspaceId), (found) =>
      found.some((r) => r.eventName === 'MODIFY'),
    );
    const updates = records.filter(reachesNameSync);
    expect(updates).toHaveLength(1);
    await propagate(updates);
    expect(await storedInvitation(invitationId)).toEqual(before);
  });

  it('refuses to create an invitation from a workspace that changed meanwhile, so no invitation misses a rename', async () => {
    const owner = user('owner');
    const workspaceId = await createWorkspace(owner, { name: 'Racing' });
    // The workspace is renamed between the invitation's read of it and its write.
    const racingWorkspaces: WorkspaceStore = Object.create(stores.workspaces);
    racingWorkspaces.getWorkspaceAndMember = async (id, userId) => {
      const found = await stores.workspaces.getWorkspaceAndMember(id, userId);
      await rename(owner, workspaceId, { name: 'Renamed' });
      return found;
    };
    const caller = { userId: owner.sub, name: 'Owner', isSystemAdmin: false };
    await expect(
      new Invitations({ ...stores, workspaces: racingWorkspaces }).create(caller, workspaceId, {
        email: 'late@example.com',
      }),
    ).rejects.toMatchObject({ name: 'Refused', reason: 'workspace-changed' });

    const invitationId = await invite(owner, workspaceId, 'late@example.com');
    expect(await workspaceNameOf(invitationId, owner)).toBe('Renamed');
  });

  it('orders renames by the workspace, not by the clock of the function that made them', async () => {
    const owner = user('owner');
    const workspaceId = await createWorkspace(owner, { name: 'First' });
    const invitationId = await invite(owner, workspaceId, user('invitee').email as string);
    await rename(owner, workspaceId, { name: 'Earlier' });
    // The next rename runs where the clock is an hour behind.
    const caller = { userId: owner.sub, name: 'Owner', isSystemAdmin: false };
    const behind = new Workspaces(stores, () => new Date(Date.now() - 3_600_000));
    const { workspace } = await behind.update(caller, workspaceId, { name: 'Later' });
    const records = await recordsUntil(workspaceId, 'Later');
    expect(records.map(nameIn)).toEqual(['Earlier', 'Later']);
    expect(workspace.lastModified > (records[0]?.dynamodb?.NewImage?.lastModified?.S as string)).toBe(true);

    await propagate([...records].reverse());
    expect(await workspaceNameOf(invitationId, owner)).toBe('Later');
  });
});
