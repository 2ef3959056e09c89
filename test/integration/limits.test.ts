/**
 * The abuse limits on DynamoDB Local, each hit by concurrent requests: exactly the limit
 * succeeds, everything past it gets a 429 problem that says which limit, and nothing past the
 * limit is written. A request that lost a transaction race (409, "retry") is retried, as a
 * client would.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { keys } from '../../functions/store/keys';
import { type ApiResponse, api, type Identity, user } from '../support/api';
import { createWorkspace, invite } from '../support/fixtures';
import { asBeforeCountsMoved, documents, expireInvitation } from '../support/table';

vi.hoisted(() => {
  process.env.WORKSPACES_PER_USER = '3';
  process.env.MEMBERS_PER_WORKSPACE = '4';
  process.env.PENDING_INVITATIONS_PER_WORKSPACE = '5';
  process.env.WORKSPACE_RENAMES_PER_MINUTE = '2';
});

afterEach(() => {
  vi.useRealTimers();
});

/** Sends the request again while it answers the retryable 409 of a lost transaction race. */
async function settled(send: () => Promise<ApiResponse>): Promise<ApiResponse> {
  for (let attempt = 1; ; attempt++) {
    const response = await send();
    if (response.status !== 409 || !/retry/.test(response.body.detail) || attempt === 10) return response;
  }
}

async function all(count: number, send: (i: number) => Promise<ApiResponse>) {
  const responses = await Promise.all(Array.from({ length: count }, (_, i) => settled(() => send(i))));
  const statuses = responses.map((response) => response.status);
  return {
    responses,
    statuses,
    tally: Object.fromEntries([...new Set(statuses)].map((s) => [s, statuses.filter((x) => x === s).length])),
  };
}

const tooMany = (detail: string) => ({
  type: 'urn:problem:invitations:too-many-requests',
  title: 'Too Many Requests',
  status: 429,
  detail,
});

const counts = async (workspaceId: string) =>
  (
    await documents.send(
      new GetCommand({
        TableName: process.env.TABLE_NAME,
        Key: keys.workspace(workspaceId),
        ConsistentRead: true,
      }),
    )
  ).Item;

describe('workspaces per person', () => {
  it('lets one person create exactly the limit, at once, and no more', async () => {
    const creator = user('creator');
    const { responses, tally } = await all(8, (i) =>
      api.post('/api/workspaces', { as: creator, body: { name: `W${i}` } }),
    );
    expect(tally).toEqual({ 201: 3, 429: 5 });
    expect(responses.find((response) => response.status === 429)?.body).toEqual(
      tooMany('You have created 3 workspaces, the most one person may create.'),
    );
    expect((await api.get('/api/workspaces', { as: creator })).body._embedded.workspaces).toHaveLength(3);
    // Someone else is not limited by it.
    expect((await api.post('/api/workspaces', { as: user('other'), body: { name: 'Mine' } })).status).toBe(201);
  });
});

describe('pending invitations per workspace', () => {
  it('takes exactly the limit of concurrent invitations, then frees a slot for each one that stops being pending', async () => {
    const owner = user('owner');
    const workspaceId = await createWorkspace(owner);
    const created = (await counts(workspaceId))?.lastModified;
    const invitees = Array.from({ length: 12 }, (_, i) => user(`invitee${i}`));
    const { responses, tally } = await all(12, (i) =>
      api.post(`/api/workspaces/${workspaceId}/invitations`, { as: owner, body: { email: invitees[i]?.email } }),
    );
    expect(tally).toEqual({ 202: 5, 429: 7 });
    expect(responses.find((response) => response.status === 429)?.body).toEqual(
      tooMany(
        'This workspace has 5 pending invitations, the most it may have at once. Withdraw some, or wait until they are accepted, declined or expire.',
      ),
    );
    const listed = await api.get(`/api/workspaces/${workspaceId}/invitations`, { as: owner });
    expect(listed.body._embedded.invitations).toHaveLength(5);

    // Withdrawing one, and one expiring, frees two places: the count is corrected when it seems full.
    const [first, second] = responses.filter((response) => response.status === 202).map((response) => response.body);
    expect((await api.put(`/api/invitations/${first.id}/revoked`, { as: owner })).status).toBe(200);
    await expireInvitation(second.id, workspaceId, second.email);
    const late = await all(4, (i) =>
      api.post(`/api/workspaces/${workspaceId}/invitations`, { as: owner, body: { email: user(`late${i}`).email } }),
    );
    expect(late.tally).toEqual({ 202: 2, 429: 2 });
    expect(await counts(workspaceId)).toMatchObject({ pendingCount: 5, memberCount: 1 });
    // Counting is no change of the workspace: its version, which creates are conditioned on, stayed.
    expect((await counts(workspaceId))?.lastModified).toBe(created);
  });

  it('counts a workspace stored before its counts moved onto its item from its items, not from the old counts item', async () => {
    const owner = user('owner');
    const workspaceId = await createWorkspace(owner);
    for (const i of [1, 2, 3]) await invite(owner, workspaceId, user(`early${i}`).email as string);
    await asBeforeCountsMoved(workspaceId, { memberCount: 1, pendingCount: 5, changes: 9 });
    const { tally } = await all(4, (i) =>
      api.post(`/api/workspaces/${workspaceId}/invitations`, { as: owner, body: { email: user(`more${i}`).email } }),
    );
    expect(tally).toEqual({ 202: 2, 429: 2 });
    expect(await counts(workspaceId)).toMatchObject({ pendingCount: 5, memberCount: 1 });
  });
});

describe('members per workspace', () => {
  it('lets exactly as many concurrent accepts in as the workspace has room for', async () => {
    const owner = user('owner');
    const workspaceId = await createWorkspace(owner);
    const invitees: Identity[] = Array.from({ length: 5 }, (_, i) => user(`joiner${i}`));
    const ids: string[] = [];
    for (const invitee of invitees) ids.push(await invite(owner, workspaceId, invitee.email as string));
    const { responses, tally } = await all(5, (i) => api.patch(`/api/invitations/${ids[i]}`, { as: invitees[i] }));
    // The owner and three more: four.
    expect(tally).toEqual({ 200: 3, 429: 2 });
    expect(responses.find((response) => response.status === 429)?.body).toEqual(
      tooMany('This workspace has 4 members, the most it may have; a member must leave first.'),
    );
    const members = await api.get(`/api/workspaces/${workspaceId}/members`, { as: owner });
    expect(members.body._embedded.members).toHaveLength(4);
    // The invitations that did not fit are still PENDING, to accept once someone leaves.
    const refused = ids.filter((_, i) => responses[i]?.status === 429);
    for (const id of refused) {
      expect((await api.get(`/api/invitations/${id}`, { as: owner })).body.status).toBe('PENDING');
    }
    const leaving = invitees.find((_, i) => responses[i]?.status === 200) as Identity;
    const left = await api.delete(`/api/workspaces/${workspaceId}/members/${encodeURIComponent(leaving.sub)}`, {
      as: leaving,
    });
    expect(left.status).toBe(204);
    const joiner = invitees[ids.indexOf(refused[0] as string)];
    expect((await api.patch(`/api/invitations/${refused[0]}`, { as: joiner })).status).toBe(200);
    expect(
      (await api.patch(`/api/invitations/${refused[1]}`, { as: invitees[ids.indexOf(refused[1] as string)] })).status,
    ).toBe(429);
  });
});

describe('renames per workspace per minute', () => {
  it('allows exactly the limit of concurrent renames in a minute, then 429 until the next minute; other changes are not counted', async () => {
    const owner = user('owner');
    const workspaceId = await createWorkspace(owner, { name: 'Start' });
    const minute = Math.ceil(Date.now() / 60_000) * 60_000;
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(minute + 10_000);

    const { responses, tally } = await all(5, (i) =>
      api.patch(`/api/workspaces/${workspaceId}`, { as: owner, body: { name: `Name ${i}` } }),
    );
    expect(tally).toEqual({ 200: 2, 429: 3 });
    const refused = responses.find((response) => response.status === 429) as ApiResponse;
    expect(refused.body).toEqual(
      tooMany('This workspace was renamed 2 times this minute, the most it may be; retry after a minute.'),
    );
    expect(refused.headers['retry-after']).toBe('50');
    // A change that keeps the name rewrites no invitation, and is not counted.
    expect(
      (await api.patch(`/api/workspaces/${workspaceId}`, { as: owner, body: { invitationTtlDays: 9 } })).status,
    ).toBe(200);
    const name = (await api.get(`/api/workspaces/${workspaceId}`, { as: owner })).body.name;
    expect(responses.filter((response) => response.status === 200).map((response) => response.body.name)).toContain(
      name,
    );

    vi.setSystemTime(minute + 60_000 + 1_000);
    expect(
      (await api.patch(`/api/workspaces/${workspaceId}`, { as: owner, body: { name: 'Next minute' } })).status,
    ).toBe(200);
  });
});
