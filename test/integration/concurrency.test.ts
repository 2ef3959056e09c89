import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { MEMBER_PREFIX, workspacePartition } from '../../functions/store/keys';
import { api, user } from '../support/api';
import { addMember, createWorkspace, invite } from '../support/fixtures';
import { deliverToNameSync } from '../support/service-events';
import { StreamReader } from '../support/stream';
import { documents } from '../support/table';

const stream = new StreamReader();
afterAll(() => stream.destroy());

/** The workspace's stream records up to `userId`'s removal, through the workspace-side consumer. */
async function deliverDepartures(workspaceId: string, userId: string) {
  const records = await stream.readFor(workspacePartition(workspaceId), (found) =>
    found.some((r) => r.eventName === 'REMOVE' && r.dynamodb?.OldImage?.userId?.S === userId),
  );
  expect(await deliverToNameSync(records)).toBeGreaterThanOrEqual(1);
}

async function membersOf(workspaceId: string) {
  const { Items = [] } = await documents.send(
    new QueryCommand({
      TableName: process.env.TABLE_NAME,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :member)',
      ExpressionAttributeValues: { ':pk': workspacePartition(workspaceId), ':member': MEMBER_PREFIX },
      ConsistentRead: true,
    }),
  );
  return Items;
}

const statuses = (responses: { status: number }[]) =>
  responses.reduce<Record<number, number>>((counts, { status }) => {
    counts[status] = (counts[status] ?? 0) + 1;
    return counts;
  }, {});

describe('concurrent requests', () => {
  it('25 parallel accepts of one invitation: exactly one 200 and exactly one membership', async () => {
    const owner = user('owner');
    const invitee = user('invitee');
    const workspaceId = await createWorkspace(owner);
    const invitationId = await invite(owner, workspaceId, invitee.email as string);

    const responses = await Promise.all(
      Array.from({ length: 25 }, () => api.patch(`/api/invitations/${invitationId}`, { as: invitee })),
    );

    expect(statuses(responses)).toEqual({ 200: 1, 409: 24 });
    for (const [i, loser] of responses.filter((r) => r.status !== 200).entries()) {
      expect(loser.headers['content-type'], `losing accept ${i + 1}`).toBe('application/problem+json');
    }
    const members = await membersOf(workspaceId);
    expect(members.map((m) => m.userId).sort()).toEqual([owner.sub, invitee.sub].sort());
    const invitation = await api.get(`/api/invitations/${invitationId}`, { as: owner });
    expect(invitation.body.status).toBe('ACCEPTED');
  });

  it('25 parallel creates for the same (workspace, email): exactly one 202, the rest 409', async () => {
    const owner = user('owner');
    const workspaceId = await createWorkspace(owner);
    const email = user('target').email as string;

    const responses = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        api.post(`/api/workspaces/${workspaceId}/invitations`, {
          as: owner,
          // The same address, spelled differently: normalisation happens before the guard.
          body: { email: i % 2 ? email.toUpperCase() : ` ${email}` },
        }),
      ),
    );

    expect(statuses(responses)).toEqual({ 202: 1, 409: 24 });
    const listed = await api.get(`/api/workspaces/${workspaceId}/invitations?size=100`, { as: owner });
    expect(listed.body._embedded.invitations).toHaveLength(1);
    expect(listed.body._embedded.invitations[0].email).toBe(email);
  });

  it('accept racing withdraw: the invitation ends consistent with the membership', async () => {
    const owner = user('owner');
    const invitee = user('invitee');
    const workspaceId = await createWorkspace(owner);
    const invitationId = await invite(owner, workspaceId, invitee.email as string);

    const [accept, withdraw] = await Promise.all([
      api.patch(`/api/invitations/${invitationId}`, { as: invitee }),
      api.put(`/api/invitations/${invitationId}/revoked`, { as: owner }),
    ]);
    expect([200, 409]).toContain(accept.status);
    expect([200, 409]).toContain(withdraw.status);

    const final = await api.get(`/api/invitations/${invitationId}`, { as: owner });
    const isMember = (await membersOf(workspaceId)).some((m) => m.userId === invitee.sub);
    expect(isMember).toBe(final.body.status === 'ACCEPTED');
    expect(['ACCEPTED', 'REVOKED']).toContain(final.body.status);
  });

  it('removing a creator while their invitation is accepted: the accept wins whole, or is refused', async () => {
    for (let round = 0; round < 8; round++) {
      const owner = user('owner');
      const workspaceId = await createWorkspace(owner);
      const creator = await addMember(owner, workspaceId, 'ADMIN', 'creator');
      const invitee = user('invitee');
      const invitationId = await invite(creator, workspaceId, invitee.email as string, 'ADMIN');

      // The accept races the removal and the withdrawal of the creator's invitations that follows it.
      const removeThenRevoke = async () => {
        const removal = await api.delete(`/api/workspaces/${workspaceId}/members/${encodeURIComponent(creator.sub)}`, {
          as: owner,
        });
        await deliverDepartures(workspaceId, creator.sub);
        return removal;
      };
      const [removal, accept] = await Promise.all([
        removeThenRevoke(),
        api.patch(`/api/invitations/${invitationId}`, { as: invitee }),
      ]);
      expect(removal.status, removal.raw).toBe(204);
      expect([200, 409], accept.raw).toContain(accept.status);

      const final = (await api.get(`/api/invitations/${invitationId}`, { as: owner })).body;
      const members = (await membersOf(workspaceId)).map((member) => member.userId);
      expect(members).not.toContain(creator.sub);
      if (accept.status === 200) {
        expect(final.status).toBe('ACCEPTED');
        expect(members).toContain(invitee.sub);
      } else {
        expect(accept.body.detail).toMatch(/no longer a member|is REVOKED/);
        expect(final.status).toBe('REVOKED');
        expect(members).not.toContain(invitee.sub);
      }
    }
  });

  it('changes to different settings of one workspace at once: none is lost', async () => {
    const owner = user('owner');
    for (let round = 0; round < 5; round++) {
      const workspaceId = await createWorkspace(owner, { name: 'Before' });
      const changes = [{ name: 'After' }, { allowedDomains: ['example.com'] }, { invitationTtlDays: 9 }];
      const responses = await Promise.all(
        changes.map((body) => api.patch(`/api/workspaces/${workspaceId}`, { as: owner, body })),
      );
      expect(statuses(responses)).toEqual({ 200: 3 });
      const { body } = await api.get(`/api/workspaces/${workspaceId}`, { as: owner });
      expect(body).toMatchObject({ name: 'After', allowedDomains: ['example.com'], invitationTtlDays: 9 });
    }
  });
});
