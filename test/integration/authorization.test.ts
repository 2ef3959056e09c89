/**
 * DESIGN §2 as a matrix: every route, called by every kind of caller, answers exactly the status
 * the contract prescribes, and no refusal carries the resource's data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Invitation } from '../../functions/domain/invitation';
import { composeInvitationEmail } from '../../functions/email/invitation-email';
import { stores } from '../../functions/services';
import { workspacePartition } from '../../functions/store/keys';
import { type ApiResponse, api, type Identity, user } from '../support/api';
import { backdateLastSend } from '../support/email-records';
import { addMember, createWorkspace, invite } from '../support/fixtures';
import { testLinkTokens } from '../support/link-key';
import { deliverToNameSync } from '../support/service-events';
import { StreamReader } from '../support/stream';
import { changeRole, snapshotTable } from '../support/table';

const CALLERS = [
  'anonymous',
  'outsider',
  'member',
  'creator',
  'admin',
  'owner',
  'invitee',
  'wrongEmail',
  'unverified',
  'sysadmin',
  // The invitation's creator, who has since been removed from the workspace.
  'removedCreator',
] as const;
type Who = (typeof CALLERS)[number];
type Expectation = Record<Who, number>;

const row = (...statuses: number[]): Expectation =>
  Object.fromEntries(CALLERS.map((who, i) => [who, statuses[i] as number])) as Expectation;

let workspaceId: string;
const people = {} as Record<
  'owner' | 'admin' | 'member' | 'creator' | 'outsider' | 'wrongEmail' | 'sysadmin',
  Identity
>;

beforeAll(async () => {
  people.owner = user('owner');
  people.outsider = user('outsider');
  people.wrongEmail = user('wrong-email');
  people.sysadmin = user('sysadmin', { admin: true });
  workspaceId = await createWorkspace(people.owner, { name: 'Matrix' });
  people.admin = await addMember(people.owner, workspaceId, 'ADMIN', 'admin');
  people.member = await addMember(people.owner, workspaceId, 'MEMBER', 'member');
  people.creator = await addMember(people.owner, workspaceId, 'MEMBER', 'creator');
});

/**
 * A fresh PENDING invitation sent by `creator` (a plain MEMBER) and the identities around it;
 * for the removed creator, sent by a MEMBER who was then removed from the workspace.
 */
async function freshInvitation(who?: Who) {
  const invitee = user('invitee');
  const removedCreator =
    who === 'removedCreator' ? await addMember(people.owner, workspaceId, 'MEMBER', 'removed') : undefined;
  const invitationId = await invite(removedCreator ?? people.creator, workspaceId, invitee.email as string);
  if (removedCreator) {
    const removal = await api.delete(
      `/api/workspaces/${workspaceId}/members/${encodeURIComponent(removedCreator.sub)}`,
      {
        as: people.owner,
      },
    );
    expect(removal.status).toBe(204);
  }
  const unverified: Identity = { ...user('unverified'), email: invitee.email, emailVerified: false };
  return { invitationId, invitee, unverified, removedCreator };
}

function identityOf(
  who: Who,
  extra: { invitee: Identity; unverified: Identity; removedCreator?: Identity },
): Identity | undefined {
  if (who === 'anonymous') return undefined;
  if (who === 'invitee' || who === 'unverified') return extra[who];
  if (who === 'removedCreator') return extra.removedCreator;
  return people[who];
}

function expectRefusalHidesData(response: ApiResponse, secrets: string[]) {
  expect(response.headers['content-type']).toBe('application/problem+json');
  expect(response.body).toMatchObject({
    status: response.status,
    title: expect.any(String),
    detail: expect.any(String),
  });
  for (const secret of secrets) expect(response.raw, secret).not.toContain(secret);
}

describe('invitation routes', () => {
  const cases: [string, (id: string, as?: Identity) => Promise<ApiResponse>, Expectation][] = [
    [
      'GET /api/invitations/{id}',
      (id, as) => api.get(`/api/invitations/${id}`, { as }),
      row(401, 404, 404, 200, 200, 200, 200, 404, 404, 200, 404),
    ],
    [
      'PATCH /api/invitations/{id} (accept)',
      (id, as) => api.patch(`/api/invitations/${id}`, { as }),
      row(401, 404, 404, 403, 403, 403, 200, 404, 404, 403, 404),
    ],
    [
      'PUT /api/invitations/{id}/declined',
      (id, as) => api.put(`/api/invitations/${id}/declined`, { as }),
      row(401, 404, 404, 403, 403, 403, 200, 404, 404, 403, 404),
    ],
    [
      'PUT /api/invitations/{id}/revoked',
      (id, as) => api.put(`/api/invitations/${id}/revoked`, { as }),
      row(401, 404, 404, 200, 200, 200, 403, 404, 404, 200, 404),
    ],
    [
      'DELETE /api/invitations/{id}',
      (id, as) => api.delete(`/api/invitations/${id}`, { as }),
      row(401, 404, 404, 204, 204, 204, 403, 404, 404, 204, 404),
    ],
    [
      'POST /api/invitations/{id}/resend',
      async (id, as) => {
        await backdateLastSend(id);
        return api.post(`/api/invitations/${id}/resend`, { as });
      },
      row(401, 404, 404, 202, 202, 202, 403, 404, 404, 202, 404),
    ],
    // Holding the emailed link is what grants the preview; accepting through it needs the invitee.
    [
      'GET /api/invitation-tokens/{token}',
      (id, as) => api.get(`/api/invitation-tokens/${testLinkTokens.mint(id, 1)}`, { as }),
      row(200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ],
    [
      'POST /api/invitation-tokens/{token}/accept',
      (id, as) => api.post(`/api/invitation-tokens/${testLinkTokens.mint(id, 1)}/accept`, { as }),
      row(401, 403, 403, 403, 403, 403, 200, 403, 403, 403, 403),
    ],
  ];

  for (const [name, send, expected] of cases) {
    describe(name, () => {
      for (const who of CALLERS) {
        it(`${who} → ${expected[who]}`, async () => {
          const fixture = await freshInvitation(who);
          const response = await send(fixture.invitationId, identityOf(who, fixture));
          expect(response.status, response.raw).toBe(expected[who]);
          if (response.status >= 400) expectRefusalHidesData(response, [fixture.invitee.email as string, 'Matrix']);
          if (response.status === 200 && name.startsWith('GET /api/invitation-tokens')) {
            expect(response.body.email).not.toBe(fixture.invitee.email);
          } else if (response.status === 200 || response.status === 202) {
            expect(response.body.id).toBe(fixture.invitationId);
          }
        });
      }
    });
  }
});

describe('workspace routes', () => {
  const cases: [string, (as?: Identity) => Promise<ApiResponse>, Expectation][] = [
    [
      'GET /api/workspaces/{id}',
      (as) => api.get(`/api/workspaces/${workspaceId}`, { as }),
      row(401, 404, 200, 200, 200, 200, 404, 404, 404, 404, 404),
    ],
    [
      'PATCH /api/workspaces/{id}',
      (as) => api.patch(`/api/workspaces/${workspaceId}`, { as, body: { invitationTtlDays: 7 } }),
      row(401, 404, 403, 403, 200, 200, 404, 404, 404, 404, 404),
    ],
    [
      'GET /api/workspaces/{id}/members',
      (as) => api.get(`/api/workspaces/${workspaceId}/members`, { as }),
      row(401, 404, 200, 200, 200, 200, 404, 404, 404, 404, 404),
    ],
    [
      'GET /api/workspaces/{id}/invitations',
      (as) => api.get(`/api/workspaces/${workspaceId}/invitations`, { as }),
      row(401, 404, 200, 200, 200, 200, 404, 404, 404, 200, 404),
    ],
    [
      'POST /api/workspaces/{id}/invitations',
      (as) => api.post(`/api/workspaces/${workspaceId}/invitations`, { as, body: { email: user('new').email } }),
      row(401, 404, 202, 202, 202, 202, 404, 404, 404, 404, 404),
    ],
    [
      'DELETE /api/workspaces/{id}/members/{userId}',
      async (as) => {
        const target = await addMember(people.owner, workspaceId, 'MEMBER', 'target');
        return api.delete(`/api/workspaces/${workspaceId}/members/${encodeURIComponent(target.sub)}`, { as });
      },
      row(401, 404, 403, 403, 204, 204, 404, 404, 404, 404, 404),
    ],
  ];

  for (const [name, send, expected] of cases) {
    describe(name, () => {
      for (const who of CALLERS) {
        it(`${who} → ${expected[who]}`, async () => {
          const fixture = await freshInvitation(who);
          const response = await send(identityOf(who, fixture));
          expect(response.status, response.raw).toBe(expected[who]);
          if (response.status >= 400) expectRefusalHidesData(response, ['Matrix']);
        });
      }
    });
  }
});

describe('invitation lists', () => {
  it('GET /api/invitations?email= answers only for the caller’s own verified address', async () => {
    const { invitee, unverified } = await freshInvitation();
    const target = `/api/invitations?email=${encodeURIComponent(invitee.email as string)}`;
    expect((await api.get(target)).status).toBe(401);
    expect((await api.get(target, { as: invitee })).status).toBe(200);
    for (const other of [unverified, people.wrongEmail, people.owner, people.sysadmin, people.outsider]) {
      const response = await api.get(target, { as: other });
      expect(response.status, other.sub).toBe(403);
      expectRefusalHidesData(response, ['Matrix']);
    }
  });

  it('GET /api/invitations shows each caller only what they sent', async () => {
    const { invitationId } = await freshInvitation();
    const creatorList = await api.get('/api/invitations?size=100', { as: people.creator });
    const creatorIds = creatorList.body._embedded.invitations.map((i: { id: string }) => i.id);
    expect(creatorIds).toContain(invitationId);
    for (const invitation of creatorList.body._embedded.invitations)
      expect(invitation.creator.id, invitation.id).toBe(people.creator.sub);
    for (const other of [people.outsider, people.sysadmin, people.member]) {
      const list = await api.get('/api/invitations?size=100', { as: other });
      expect(list.status, other.sub).toBe(200);
      expect(
        list.body._embedded.invitations.map((i: { id: string }) => i.id),
        other.sub,
      ).not.toContain(invitationId);
    }
  });

  it('a plain MEMBER lists only their own invitations in the workspace; OWNER, ADMIN and system admins all', async () => {
    const { invitationId } = await freshInvitation();
    const ownInvitation = await invite(people.member, workspaceId, user('by-member').email as string);
    const ids = async (as: Identity) =>
      (await api.get(`/api/workspaces/${workspaceId}/invitations?size=100`, { as })).body._embedded.invitations.map(
        (i: { id: string }) => i.id,
      );
    const memberSees = await ids(people.member);
    expect(memberSees).toContain(ownInvitation);
    expect(memberSees).not.toContain(invitationId);
    for (const who of [people.owner, people.admin, people.sysadmin]) {
      expect(await ids(who), who.sub).toEqual(expect.arrayContaining([ownInvitation, invitationId]));
    }
  });
});

describe('role rules', () => {
  it('a MEMBER cannot invite above their role; an ADMIN cannot invite an OWNER', async () => {
    const member = await api.post(`/api/workspaces/${workspaceId}/invitations`, {
      as: people.member,
      body: { email: user('x').email, role: 'ADMIN' },
    });
    expect(member.status).toBe(403);
    const admin = await api.post(`/api/workspaces/${workspaceId}/invitations`, {
      as: people.admin,
      body: { email: user('y').email, role: 'OWNER' },
    });
    expect(admin.status).toBe(403);
    const owner = await api.post(`/api/workspaces/${workspaceId}/invitations`, {
      as: people.owner,
      body: { email: user('z').email, role: 'OWNER' },
    });
    expect(owner.status).toBe(202);
  });

  it('an ADMIN cannot remove an OWNER; a member may leave; the last OWNER cannot', async () => {
    const owner = user('solo-owner');
    const ws = await createWorkspace(owner);
    const admin = await addMember(owner, ws, 'ADMIN', 'admin');
    const leaver = await addMember(owner, ws, 'MEMBER', 'leaver');
    const path = (who: Identity) => `/api/workspaces/${ws}/members/${encodeURIComponent(who.sub)}`;
    expect((await api.delete(path(owner), { as: admin })).status).toBe(403);
    expect((await api.delete(path(leaver), { as: leaver })).status).toBe(204);
    expect((await api.get(`/api/workspaces/${ws}`, { as: leaver })).status).toBe(404);
    const last = await api.delete(path(owner), { as: owner });
    expect(last.status).toBe(409);
    expect(last.body.detail).toMatch(/last one/);
    const second = await addMember(owner, ws, 'OWNER', 'second-owner');
    expect((await api.delete(path(owner), { as: owner })).status).toBe(204);
    expect((await api.delete(path(second), { as: second })).status).toBe(409);
  });

  it('inviting a current member, or an address with a live invitation, is 409', async () => {
    const { invitee } = await freshInvitation();
    const again = await api.post(`/api/workspaces/${workspaceId}/invitations`, {
      as: people.owner,
      body: { email: invitee.email },
    });
    expect(again.status).toBe(409);
    expect(again.body.detail).toMatch(/pending invitation/);
    const memberAgain = await api.post(`/api/workspaces/${workspaceId}/invitations`, {
      as: people.owner,
      body: { email: people.member.email },
    });
    expect(memberAgain.status).toBe(409);
    expect(memberAgain.body.detail).toMatch(/member/);
  });

  it('a workspace with allowed domains refuses other addresses with 422', async () => {
    const owner = user('domains');
    const ws = await createWorkspace(owner, { allowedDomains: ['Example.com'] });
    const refused = await api.post(`/api/workspaces/${ws}/invitations`, {
      as: owner,
      body: { email: 'someone@elsewhere.org' },
    });
    expect(refused.status).toBe(422);
    expect(refused.body.detail).toContain('example.com');
    expect(
      (await api.post(`/api/workspaces/${ws}/invitations`, { as: owner, body: { email: 'a@eu.example.com' } })).status,
    ).toBe(202);
  });
});

const stream = new StreamReader();
afterAll(() => stream.destroy());

const memberPath = (workspace: string, who: Identity) =>
  `/api/workspaces/${workspace}/members/${encodeURIComponent(who.sub)}`;

/** Hands the events of `who` leaving `workspace` to the workspace-side consumer, as its rule would. */
async function deliverDeparture(workspace: string, who: Identity) {
  const records = await stream.readFor(workspacePartition(workspace), (found) =>
    found.some((r) => r.eventName === 'REMOVE' && r.dynamodb?.OldImage?.userId?.S === who.sub),
  );
  expect(await deliverToNameSync(records)).toBeGreaterThanOrEqual(1);
}

describe('withdrawing an ACCEPTED invitation is a member removal', () => {
  it('an ADMIN cannot withdraw an OWNER’s accepted invitation (403); an OWNER can', async () => {
    const owner = user('w-owner');
    const ws = await createWorkspace(owner);
    const admin = await addMember(owner, ws, 'ADMIN', 'w-admin');
    const coOwner = user('w-co-owner');
    const invitationId = await invite(owner, ws, coOwner.email as string, 'OWNER');
    expect((await api.patch(`/api/invitations/${invitationId}`, { as: coOwner })).status).toBe(200);

    const asAdmin = await api.get(`/api/invitations/${invitationId}`, { as: admin });
    expect(asAdmin.body._links['withdraw invitation']).toBeUndefined();
    const refused = await api.put(`/api/invitations/${invitationId}/revoked`, { as: admin });
    expect(refused.status, refused.raw).toBe(403);
    expect(refused.body.detail).toMatch(/OWNER/);
    expect((await api.get(`/api/workspaces/${ws}`, { as: coOwner })).body.role).toBe('OWNER');
    expect((await api.get(`/api/invitations/${invitationId}`, { as: owner })).body.status).toBe('ACCEPTED');
    expect((await api.delete(memberPath(ws, coOwner), { as: admin })).status).toBe(403);

    expect((await api.put(`/api/invitations/${invitationId}/revoked`, { as: owner })).status).toBe(200);
    expect((await api.get(`/api/workspaces/${ws}`, { as: coOwner })).status).toBe(404);
  });

  it('a system admin, who may not remove members, may not withdraw an accepted invitation whose member stays', async () => {
    const owner = user('y-owner');
    const ws = await createWorkspace(owner);
    const joined = user('y-joined');
    const invitationId = await invite(owner, ws, joined.email as string);
    expect((await api.patch(`/api/invitations/${invitationId}`, { as: joined })).status).toBe(200);
    const operator = user('y-operator', { admin: true });

    const seen = await api.get(`/api/invitations/${invitationId}`, { as: operator });
    expect(seen.status).toBe(200);
    expect(seen.body._links['withdraw invitation']).toBeUndefined();
    expect((await api.put(`/api/invitations/${invitationId}/revoked`, { as: operator })).status).toBe(403);
    expect((await api.get(`/api/workspaces/${ws}`, { as: joined })).status).toBe(200);
    // Once the member has left, withdrawing removes no one: the ordinary rule again.
    expect((await api.delete(memberPath(ws, joined), { as: joined })).status).toBe(204);
    expect((await api.put(`/api/invitations/${invitationId}/revoked`, { as: operator })).status).toBe(200);
  });

  it('a creator may withdraw what they sent only while its member holds no higher role than theirs', async () => {
    const owner = user('c-owner');
    const ws = await createWorkspace(owner);
    const creator = await addMember(owner, ws, 'ADMIN', 'c-creator');
    const joined = user('c-joined');
    const invitationId = await invite(creator, ws, joined.email as string, 'ADMIN');
    expect((await api.patch(`/api/invitations/${invitationId}`, { as: joined })).status).toBe(200);

    await changeRole(ws, creator.sub, 'MEMBER');
    const refused = await api.put(`/api/invitations/${invitationId}/revoked`, { as: creator });
    expect(refused.status, refused.raw).toBe(403);
    expect((await api.get(`/api/workspaces/${ws}`, { as: joined })).body.role).toBe('ADMIN');

    await changeRole(ws, creator.sub, 'ADMIN');
    expect((await api.put(`/api/invitations/${invitationId}/revoked`, { as: creator })).status).toBe(200);
    expect((await api.get(`/api/workspaces/${ws}`, { as: joined })).status).toBe(404);
  });
});

describe('a creator who leaves or is removed', () => {
  it('loses every power over their invitations, and their PENDING ones are withdrawn', async () => {
    const owner = user('r-owner');
    const ws = await createWorkspace(owner, { name: 'Departures' });
    const creator = await addMember(owner, ws, 'ADMIN', 'r-creator');
    const [pendingInvitee, joinedInvitee] = [user('r-pending'), user('r-joined')];
    const pendingId = await invite(creator, ws, pendingInvitee.email as string, 'ADMIN');
    const acceptedId = await invite(creator, ws, joinedInvitee.email as string);
    expect((await api.patch(`/api/invitations/${acceptedId}`, { as: joinedInvitee })).status).toBe(200);
    const otherId = await invite(owner, ws, user('r-other').email as string);
    const link = testLinkTokens.mint(pendingId, 1);

    expect((await api.delete(memberPath(ws, creator), { as: owner })).status).toBe(204);

    // At once, before the stream has done anything: no view, resend, withdraw or delete.
    for (const id of [pendingId, acceptedId]) {
      await backdateLastSend(id);
      const attempts = [
        await api.get(`/api/invitations/${id}`, { as: creator }),
        await api.post(`/api/invitations/${id}/resend`, { as: creator }),
        await api.put(`/api/invitations/${id}/revoked`, { as: creator }),
        await api.delete(`/api/invitations/${id}`, { as: creator }),
      ];
      expect(
        attempts.map((response) => response.status),
        id,
      ).toEqual([404, 404, 404, 404]);
    }
    const sent = await api.get('/api/invitations?size=100', { as: creator });
    expect(sent.body._embedded.invitations).toEqual([]);
    // Nor can the invitation be accepted meanwhile: the creator is no longer a member.
    const early = await api.post(`/api/invitation-tokens/${link}/accept`, { as: pendingInvitee });
    expect(early.status, early.raw).toBe(409);
    expect(early.body.detail).toMatch(/no longer a member/);

    await deliverDeparture(ws, creator);

    const listed = await api.get(`/api/workspaces/${ws}/invitations?size=100`, { as: owner });
    const statusOf = (id: string) =>
      listed.body._embedded.invitations.find((invitation: { id: string }) => invitation.id === id)?.status;
    expect([statusOf(pendingId), statusOf(acceptedId), statusOf(otherId)]).toEqual(['REVOKED', 'ACCEPTED', 'PENDING']);
    expect((await api.get(`/api/invitation-tokens/${link}`)).status).toBe(410);
    expect((await api.post(`/api/invitation-tokens/${link}/accept`, { as: pendingInvitee })).status).toBe(410);
    // The member they brought in stays, and the withdrawn address may be invited again.
    expect((await api.get(`/api/workspaces/${ws}`, { as: joinedInvitee })).status).toBe(200);
    expect(
      (await api.post(`/api/workspaces/${ws}/invitations`, { as: owner, body: { email: pendingInvitee.email } }))
        .status,
    ).toBe(202);
    // OWNERs keep their power over the withdrawn invitation.
    expect((await api.delete(`/api/invitations/${pendingId}`, { as: owner })).status).toBe(204);
  });

  it('leaving counts too; invitations sent after rejoining are not touched', async () => {
    const owner = user('l-owner');
    const ws = await createWorkspace(owner);
    const creator = await addMember(owner, ws, 'MEMBER', 'l-creator');
    const before = await invite(creator, ws, user('l-before').email as string);
    expect((await api.delete(memberPath(ws, creator), { as: creator })).status).toBe(204);
    const again = await invite(owner, ws, creator.email as string);
    expect((await api.patch(`/api/invitations/${again}`, { as: creator })).status).toBe(200);
    const after = await invite(creator, ws, user('l-after').email as string);

    await deliverDeparture(ws, creator);

    expect((await api.get(`/api/invitations/${before}`, { as: owner })).body.status).toBe('REVOKED');
    expect((await api.get(`/api/invitations/${after}`, { as: creator })).body.status).toBe('PENDING');
  });
});

describe('accepting re-checks what the creator may grant', () => {
  it('refuses an ADMIN invitation whose creator was demoted, and says why', async () => {
    const owner = user('d-owner');
    const ws = await createWorkspace(owner);
    const creator = await addMember(owner, ws, 'ADMIN', 'd-creator');
    const invitee = user('d-invitee');
    const invitationId = await invite(creator, ws, invitee.email as string, 'ADMIN');
    await changeRole(ws, creator.sub, 'MEMBER');

    const refused = await api.patch(`/api/invitations/${invitationId}`, { as: invitee });
    expect(refused.status, refused.raw).toBe(409);
    expect(refused.body.detail).toBe(
      'The person who sent this invitation is now MEMBER and can no longer grant the ADMIN role it offers. Ask an OWNER or ADMIN of the workspace for a new invitation.',
    );
    expect((await api.get(`/api/workspaces/${ws}`, { as: invitee })).status).toBe(404);
    expect((await api.get(`/api/invitations/${invitationId}`, { as: invitee })).body.status).toBe('PENDING');

    await changeRole(ws, creator.sub, 'ADMIN');
    expect((await api.patch(`/api/invitations/${invitationId}`, { as: invitee })).status).toBe(200);
  });

  it('refuses when the creator left and came back: the invitation belongs to the membership that sent it', async () => {
    const owner = user('b-owner');
    const ws = await createWorkspace(owner);
    const creator = await addMember(owner, ws, 'ADMIN', 'b-creator');
    const invitee = user('b-invitee');
    const invitationId = await invite(creator, ws, invitee.email as string, 'ADMIN');
    expect((await api.delete(memberPath(ws, creator), { as: creator })).status).toBe(204);
    const back = await invite(owner, ws, creator.email as string, 'ADMIN');
    expect((await api.patch(`/api/invitations/${back}`, { as: creator })).status).toBe(200);

    const refused = await api.patch(`/api/invitations/${invitationId}`, { as: invitee });
    expect(refused.status, refused.raw).toBe(409);
    expect(refused.body.detail).toMatch(
      /^The person who sent this invitation is no longer a member of the workspace\./,
    );
  });

  it('a system admin’s invitation stays acceptable after they leave', async () => {
    const owner = user('s-owner');
    const ws = await createWorkspace(owner);
    const operator = { ...(await addMember(owner, ws, 'ADMIN', 's-operator')), admin: true };
    const invitee = user('s-invitee');
    const invitationId = await invite(operator, ws, invitee.email as string, 'ADMIN');
    expect((await api.delete(memberPath(ws, operator), { as: operator })).status).toBe(204);
    await deliverDeparture(ws, operator);
    const accepted = await api.patch(`/api/invitations/${invitationId}`, { as: invitee });
    expect(accepted.status, accepted.raw).toBe(200);
    expect(accepted.body.role).toBe('ADMIN');
  });
});

describe('every identity the service admits, it can also handle', () => {
  const oddSubs = [
    ['a slash', 'idp/tenant/42'],
    ['= and ,', 'uid=jane,ou=people,dc=example'],
    ['spaces', 'Jane Doe at Example'],
    ['a percent sign and a hash', '100%#sure'],
    ['over 128 characters', `long-${'x'.repeat(200)}`],
    ['255 bytes', `${'é'.repeat(127)}z`],
    ['a leading ~', '~tilde'],
  ];

  it.each(oddSubs)(
    'a sub with %s joins, is listed, leaves, and is removed through the API’s own links',
    async (_, sub) => {
      const owner = user('o-owner');
      const ws = await createWorkspace(owner);
      const join = async () => {
        const who = user('odd', { sub });
        const invitationId = await invite(owner, ws, who.email as string);
        const accepted = await api.patch(`/api/invitations/${invitationId}`, { as: who });
        expect(accepted.status, accepted.raw).toBe(200);
        return who;
      };
      /** The `remove member` link `as` is given for the member `sub`, checked to be a path no gateway can misread. */
      const removeLinkFor = async (as: Identity) => {
        const members = await api.get(`/api/workspaces/${ws}/members`, { as });
        const listed = members.body._embedded.members.find((member: { userId: string }) => member.userId === sub);
        expect(listed._links['remove member'].type).toBe('DELETE');
        const path = new URL(listed._links['remove member'].href).pathname;
        const prefix = `/api/workspaces/${ws}/members/`;
        expect(path.startsWith(prefix)).toBe(true);
        // One segment, of characters no gateway splits or decodes into a delimiter.
        expect(path.slice(prefix.length)).toMatch(/^[\w.~-]+$/);
        return path;
      };

      const first = await join();
      expect(Buffer.byteLength(first.sub)).toBeLessThanOrEqual(255);
      const left = await api.delete(await removeLinkFor(first), { as: first });
      expect(left.status, left.raw).toBe(204);
      expect((await api.get(`/api/workspaces/${ws}`, { as: first })).status).toBe(404);

      const second = await join();
      const removed = await api.delete(await removeLinkFor(owner), { as: owner });
      expect(removed.status, removed.raw).toBe(204);
      expect((await api.get(`/api/workspaces/${ws}`, { as: second })).status).toBe(404);

      // The id itself, percent-encoded, names the member too where no proxy re-decodes `%2F`, unless
      // it starts with ~, the mark of the link form: such a member is addressed by their link only.
      const third = await join();
      expect((await api.delete(memberPath(ws, third), { as: third })).status).toBe(sub.startsWith('~') ? 400 : 204);
    },
  );

  it.each([
    ['a 1,100-character sub', { sub: 's'.repeat(1100) }],
    ['a 256-byte sub', { sub: 'é'.repeat(128) }],
    ['a sub with a line break', { sub: 'a\nb' }],
    ['a 1,100-character verified email', { email: `${'e'.repeat(1088)}@example.com` }],
  ])('%s gets a 401 problem, never a 500, and changes nothing', async (_, overrides) => {
    const caller = user('long', overrides);
    const before = await snapshotTable();
    const response = await api.post('/api/workspaces', { as: caller, body: { name: 'Too long' } });
    expect(response.status, response.raw).toBe(401);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.body.detail).toMatch(/sub|email/);
    expect(await snapshotTable()).toBe(before);
  });
});

describe('display names, stored and shown by the one policy', () => {
  it('an inviter’s hostile name claim is stored cleaned and never shown raw in the preview or the email', async () => {
    const raw = `Eve\r\nBcc: x\u202E\u200B <b>Log in at https://evil.test/login</b> ${'e'.repeat(200)}`;
    const owner = user('n-owner');
    const ws = await createWorkspace(owner, { name: 'Booking.com' });
    const inviter = { ...(await addMember(owner, ws, 'ADMIN', 'n-inviter')), name: raw };
    const invitee = user('n-invitee');
    const invitationId = await invite(inviter, ws, invitee.email as string);

    const kept = 'Eve Bcc: x bLog in at https://evil.test/login/b ';
    const cleaned = `${kept}${'e'.repeat(100 - kept.length)}`;
    const stored = await api.get(`/api/invitations/${invitationId}`, { as: owner });
    expect(stored.body.creator.name).toBe(cleaned);
    expect(stored.body.workspace.name).toBe('Booking.com');

    const inert = `Eve Bcc: x bLog in at hxxps[:]//evil[.]test/login/b ${'e'.repeat(100 - kept.length)}`;
    const preview = await api.get(`/api/invitation-tokens/${testLinkTokens.mint(invitationId, 1)}`);
    expect(preview.status).toBe(200);
    expect(preview.body.inviter).toEqual({ name: inert });
    expect(preview.body.workspace).toEqual({ name: 'Booking[.]com' });

    const invitation = await stores.invitations.getInvitation(invitationId);
    const email = composeInvitationEmail(testLinkTokens, 'https://app.example.com/accept')(
      invitation as Invitation,
      new Date(),
    );
    expect(email.subject).toBe(`${inert} invited you to join Booking[.]com`);
    for (const part of [preview.raw, email.subject, email.text, email.html]) {
      expect(part).not.toMatch(/https:\/\/evil|evil\.test|Booking\.com|\r|\u202E|\u200B|<b>/);
    }
  });

  it.each([
    ['Log in at https://evil.test/login to accept'],
    ['Mail help@evil.test to accept'],
    ['bidi \u202Egnp.exe'],
    ['lone \uDC00 surrogate'],
  ])('a workspace named %j is refused with a 400 and nothing stored', async (name) => {
    const owner = user('n-refused');
    const before = await snapshotTable();
    const response = await api.post('/api/workspaces', { as: owner, body: { name } });
    expect(response.status, response.raw).toBe(400);
    expect(response.body.errors[0].path).toBe('body.name');
    expect(await snapshotTable()).toBe(before);
  });
});
