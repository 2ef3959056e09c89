/**
 * Creating an invitation from the workspace and membership the function remembers: one round
 * trip when nothing changed, and when something did (a rename, a settings change, a demotion, a
 * removal, a new membership), the answer is the one the new state gives, after one retry on
 * fresh reads. Each change is made by another request (or directly in the table) between the
 * remembered read and the write.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { type ApiResponse, api, type Identity, user } from '../support/api';
import { recordDynamoCommands } from '../support/dynamo-requests';
import { addMember, createWorkspace } from '../support/fixtures';
import { changeRole } from '../support/table';

const log = recordDynamoCommands();

let owner: Identity;
let admin: Identity;
let workspaceId: string;

const createAs = (as: Identity, body: Record<string, unknown>) =>
  api.post(`/api/workspaces/${workspaceId}/invitations`, { as, body });

/** The create's response and the DynamoDB requests it sent. */
async function measured(send: () => Promise<ApiResponse>): Promise<[ApiResponse, string[]]> {
  log.clear();
  const response = await send();
  return [response, [...log.names]];
}

/** Creates once, so that the function remembers the workspace and the caller's membership. */
async function remember(as: Identity): Promise<void> {
  const [response, commands] = await measured(() => createAs(as, { email: user('warm-up').email }));
  expect(response.status, response.raw).toBe(202);
  expect(commands.at(-1)).toBe('TransactWriteItemsCommand');
  // Remembered now: the next create is the transaction alone.
  const [again, warm] = await measured(() => createAs(as, { email: user('warm').email }));
  expect(again.status, again.raw).toBe(202);
  expect(warm).toEqual(['TransactWriteItemsCommand']);
}

const rereadAndRetry = ['TransactWriteItemsCommand', 'BatchGetItemCommand', 'TransactWriteItemsCommand'];

beforeEach(async () => {
  owner = user('owner');
  workspaceId = await createWorkspace(owner, { name: 'Before', allowedDomains: ['example.com'] });
  admin = await addMember(owner, workspaceId, 'ADMIN', 'admin');
});

describe('a create from remembered reads, after the workspace changed', () => {
  it('after a rename, the invitation carries the new name', async () => {
    await remember(admin);
    expect((await api.patch(`/api/workspaces/${workspaceId}`, { as: owner, body: { name: 'After' } })).status).toBe(
      200,
    );
    const [response, commands] = await measured(() => createAs(admin, { email: user('invitee').email }));
    expect(response.status, response.raw).toBe(202);
    expect(response.body.workspace).toMatchObject({ id: workspaceId, name: 'After' });
    expect(commands).toEqual(rereadAndRetry);
    const stored = await api.get(`/api/invitations/${response.body.id}`, { as: admin });
    expect(stored.body.workspace.name).toBe('After');
  });

  it('after the allowed domains changed to exclude the address, 422', async () => {
    await remember(admin);
    const patched = await api.patch(`/api/workspaces/${workspaceId}`, {
      as: owner,
      body: { allowedDomains: ['elsewhere.test'] },
    });
    expect(patched.status).toBe(200);
    const [response, commands] = await measured(() => createAs(admin, { email: user('invitee').email }));
    expect(response.status, response.raw).toBe(422);
    expect(response.body.detail).toBe('This workspace accepts invitations only to addresses under: elsewhere.test.');
    expect(commands).toEqual(rereadAndRetry.slice(0, 2));
  });

  it('after the allowed domains changed to include an address the remembered ones refuse, 202', async () => {
    await remember(admin);
    const address = 'someone@newly-allowed.test';
    const patched = await api.patch(`/api/workspaces/${workspaceId}`, {
      as: owner,
      body: { allowedDomains: ['example.com', 'newly-allowed.test'] },
    });
    expect(patched.status).toBe(200);
    // The remembered settings refuse the address before any write: that refusal is read again.
    const [response, commands] = await measured(() => createAs(admin, { email: address }));
    expect(response.status, response.raw).toBe(202);
    expect(response.body.email).toBe(address);
    expect(commands).toEqual(['BatchGetItemCommand', 'TransactWriteItemsCommand']);
  });

  it('after the invitation lifetime changed, the invitation expires by the new one', async () => {
    await remember(admin);
    expect(
      (await api.patch(`/api/workspaces/${workspaceId}`, { as: owner, body: { invitationTtlDays: 2 } })).status,
    ).toBe(200);
    const [response, commands] = await measured(() => createAs(admin, { email: user('invitee').email }));
    expect(response.status, response.raw).toBe(202);
    const lifetime = Date.parse(response.body.expiresAt) - Date.parse(response.body.created);
    expect(lifetime).toBe(2 * 86_400_000);
    expect(commands).toEqual(rereadAndRetry);
  });
});

describe('a create from remembered reads, after the caller’s membership changed', () => {
  it('after a demotion to MEMBER, inviting an ADMIN is refused with 403', async () => {
    await remember(admin);
    await changeRole(workspaceId, admin.sub, 'MEMBER');
    const [response, commands] = await measured(() => createAs(admin, { email: user('invitee').email, role: 'ADMIN' }));
    expect(response.status, response.raw).toBe(403);
    expect(response.body.detail).toBe('A MEMBER cannot invite someone as ADMIN.');
    // The transaction's role check failed; the fresh read decided the refusal before any write.
    expect(commands).toEqual(rereadAndRetry.slice(0, 2));
    const pending = await api.get(`/api/workspaces/${workspaceId}/invitations?status=PENDING`, { as: owner });
    expect(pending.body._embedded.invitations.map((invitation: { role: string }) => invitation.role)).not.toContain(
      'ADMIN',
    );
  });

  it('after the caller was removed, 404 and nothing written', async () => {
    await remember(admin);
    const removed = await api.delete(`/api/workspaces/${workspaceId}/members/${encodeURIComponent(admin.sub)}`, {
      as: owner,
    });
    expect(removed.status).toBe(204);
    const invitee = user('invitee');
    const [response, commands] = await measured(() => createAs(admin, { email: invitee.email }));
    expect(response.status, response.raw).toBe(404);
    expect(response.body.detail).toBe('The workspace does not exist.');
    expect(commands).toEqual(rereadAndRetry.slice(0, 2));
    const received = await api.get(`/api/invitations?email=${invitee.email}`, { as: invitee });
    expect(received.body._embedded.invitations).toEqual([]);
  });

  it('after the caller left and joined again, the invitation records the new membership, so it can be accepted', async () => {
    await remember(admin);
    const left = await api.delete(`/api/workspaces/${workspaceId}/members/${encodeURIComponent(admin.sub)}`, {
      as: admin,
    });
    expect(left.status).toBe(204);
    const again = await api.post(`/api/workspaces/${workspaceId}/invitations`, {
      as: owner,
      body: { email: admin.email, role: 'ADMIN' },
    });
    expect(again.status).toBe(202);
    expect((await api.patch(`/api/invitations/${again.body.id}`, { as: admin })).status).toBe(200);

    // Same role as remembered, but a newer membership: the role check holds the membership's start too.
    const invitee = user('invitee');
    const [response, commands] = await measured(() => createAs(admin, { email: invitee.email }));
    expect(response.status, response.raw).toBe(202);
    expect(commands).toEqual(rereadAndRetry);
    const accepted = await api.patch(`/api/invitations/${response.body.id}`, { as: invitee });
    expect(accepted.status, accepted.raw).toBe(200);
    expect(accepted.body.status).toBe('ACCEPTED');
  });
});

describe('a create from remembered reads, when nothing it read changed', () => {
  it('answers a refusal the new state alone decides without reading again: an address already invited, 409', async () => {
    await remember(admin);
    const invitee = user('invitee');
    expect((await createAs(admin, { email: invitee.email })).status).toBe(202);
    const [response, commands] = await measured(() => createAs(admin, { email: invitee.email }));
    expect(response.status).toBe(409);
    expect(response.body.detail).toBe('A pending invitation for this address already exists in this workspace.');
    expect(commands).toEqual(['TransactWriteItemsCommand']);
  });
});
