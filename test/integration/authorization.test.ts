/**
 * DESIGN §2 as a matrix: every route, called by every kind of caller, answers exactly the status
 * the contract prescribes, and no refusal carries the resource's data.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type ApiResponse, api, type Identity, user } from '../support/api';
import { backdateLastSend } from '../support/email-records';
import { addMember, createWorkspace, invite } from '../support/fixtures';
import { testLinkTokens } from '../support/link-key';

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

/** A fresh PENDING invitation sent by `creator` (a plain MEMBER) and the identities around it. */
async function freshInvitation() {
  const invitee = user('invitee');
  const invitationId = await invite(people.creator, workspaceId, invitee.email as string);
  const unverified: Identity = { ...user('unverified'), email: invitee.email, emailVerified: false };
  return { invitationId, invitee, unverified };
}

function identityOf(who: Who, extra: { invitee: Identity; unverified: Identity }): Identity | undefined {
  if (who === 'anonymous') return undefined;
  if (who === 'invitee' || who === 'unverified') return extra[who];
  return people[who];
}

function expectRefusalHidesData(response: ApiResponse, secrets: string[]) {
  expect(response.headers['content-type']).toBe('application/problem+json');
  expect(response.body).toMatchObject({
    status: response.status,
    title: expect.any(String),
    detail: expect.any(String),
  });
  for (const secret of secrets) expect(response.raw).not.toContain(secret);
}

describe('invitation routes', () => {
  const cases: [string, (id: string, as?: Identity) => Promise<ApiResponse>, Expectation][] = [
    [
      'GET /api/invitations/{id}',
      (id, as) => api.get(`/api/invitations/${id}`, { as }),
      row(401, 404, 404, 200, 200, 200, 200, 404, 404, 200),
    ],
    [
      'PATCH /api/invitations/{id} (accept)',
      (id, as) => api.patch(`/api/invitations/${id}`, { as }),
      row(401, 404, 404, 403, 403, 403, 200, 404, 404, 403),
    ],
    [
      'PUT /api/invitations/{id}/declined',
      (id, as) => api.put(`/api/invitations/${id}/declined`, { as }),
      row(401, 404, 404, 403, 403, 403, 200, 404, 404, 403),
    ],
    [
      'PUT /api/invitations/{id}/revoked',
      (id, as) => api.put(`/api/invitations/${id}/revoked`, { as }),
      row(401, 404, 404, 200, 200, 200, 403, 404, 404, 200),
    ],
    [
      'DELETE /api/invitations/{id}',
      (id, as) => api.delete(`/api/invitations/${id}`, { as }),
      row(401, 404, 404, 204, 204, 204, 403, 404, 404, 204),
    ],
    [
      'POST /api/invitations/{id}/resend',
      async (id, as) => {
        await backdateLastSend(id);
        return api.post(`/api/invitations/${id}/resend`, { as });
      },
      row(401, 404, 404, 202, 202, 202, 403, 404, 404, 202),
    ],
    // Holding the emailed link is what grants the preview; accepting through it needs the invitee.
    [
      'GET /api/invitation-tokens/{token}',
      (id, as) => api.get(`/api/invitation-tokens/${testLinkTokens.mint(id, 1)}`, { as }),
      row(200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ],
    [
      'POST /api/invitation-tokens/{token}/accept',
      (id, as) => api.post(`/api/invitation-tokens/${testLinkTokens.mint(id, 1)}/accept`, { as }),
      row(401, 403, 403, 403, 403, 403, 200, 403, 403, 403),
    ],
  ];

  for (const [name, send, expected] of cases) {
    describe(name, () => {
      for (const who of CALLERS) {
        it(`${who} → ${expected[who]}`, async () => {
          const fixture = await freshInvitation();
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
      row(401, 404, 200, 200, 200, 200, 404, 404, 404, 404),
    ],
    [
      'PATCH /api/workspaces/{id}',
      (as) => api.patch(`/api/workspaces/${workspaceId}`, { as, body: { invitationTtlDays: 7 } }),
      row(401, 404, 403, 403, 200, 200, 404, 404, 404, 404),
    ],
    [
      'GET /api/workspaces/{id}/members',
      (as) => api.get(`/api/workspaces/${workspaceId}/members`, { as }),
      row(401, 404, 200, 200, 200, 200, 404, 404, 404, 404),
    ],
    [
      'GET /api/workspaces/{id}/invitations',
      (as) => api.get(`/api/workspaces/${workspaceId}/invitations`, { as }),
      row(401, 404, 200, 200, 200, 200, 404, 404, 404, 200),
    ],
    [
      'POST /api/workspaces/{id}/invitations',
      (as) => api.post(`/api/workspaces/${workspaceId}/invitations`, { as, body: { email: user('new').email } }),
      row(401, 404, 202, 202, 202, 202, 404, 404, 404, 404),
    ],
    [
      'DELETE /api/workspaces/{id}/members/{userId}',
      async (as) => {
        const target = await addMember(people.owner, workspaceId, 'MEMBER', 'target');
        return api.delete(`/api/workspaces/${workspaceId}/members/${encodeURIComponent(target.sub)}`, { as });
      },
      row(401, 404, 403, 403, 204, 204, 404, 404, 404, 404),
    ],
  ];

  for (const [name, send, expected] of cases) {
    describe(name, () => {
      for (const who of CALLERS) {
        it(`${who} → ${expected[who]}`, async () => {
          const fixture = await freshInvitation();
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
      expect(response.status).toBe(403);
      expectRefusalHidesData(response, ['Matrix']);
    }
  });

  it('GET /api/invitations shows each caller only what they sent', async () => {
    const { invitationId } = await freshInvitation();
    const creatorList = await api.get('/api/invitations?size=100', { as: people.creator });
    const creatorIds = creatorList.body._embedded.invitations.map((i: { id: string }) => i.id);
    expect(creatorIds).toContain(invitationId);
    for (const invitation of creatorList.body._embedded.invitations)
      expect(invitation.creator.id).toBe(people.creator.sub);
    for (const other of [people.outsider, people.sysadmin, people.member]) {
      const list = await api.get('/api/invitations?size=100', { as: other });
      expect(list.status).toBe(200);
      expect(list.body._embedded.invitations.map((i: { id: string }) => i.id)).not.toContain(invitationId);
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
      expect(await ids(who)).toEqual(expect.arrayContaining([ownInvitation, invitationId]));
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
