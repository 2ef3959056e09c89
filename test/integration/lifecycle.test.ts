import { describe, expect, it } from 'vitest';
import { api, user } from '../support/api';
import { createWorkspace, invite } from '../support/fixtures';

describe('the whole lifecycle, through the real handlers on DynamoDB Local', () => {
  it('workspace → invite → lists → accept → membership → withdraw → membership gone → delete', async () => {
    const owner = user('owner');
    const invitee = user('invitee');

    const created = await api.post('/api/workspaces', { as: owner, body: { name: 'Acme Research' } });
    expect(created.status).toBe(201);
    const workspaceId = created.body.id;
    expect(created.headers.location).toBe(`https://api.test/api/workspaces/${workspaceId}`);
    expect(created.body).toMatchObject({
      name: 'Acme Research',
      role: 'OWNER',
      invitationTtlDays: 7,
      allowedDomains: [],
    });

    const invited = await api.post(`/api/workspaces/${workspaceId}/invitations`, {
      as: owner,
      body: { email: `  ${invitee.email?.toUpperCase()} `, role: 'ADMIN' },
    });
    expect(invited.status).toBe(202);
    const invitation = invited.body;
    expect(invited.headers.location).toBe(`https://api.test/api/invitations/${invitation.id}`);
    expect(invitation).toMatchObject({
      status: 'PENDING',
      email: invitee.email,
      role: 'ADMIN',
      creator: { id: owner.sub, name: owner.name },
      workspace: { id: workspaceId, name: 'Acme Research' },
      sendCount: 0,
    });
    expect(Date.parse(invitation.expiresAt) - Date.parse(invitation.created)).toBe(7 * 86_400_000);
    expect(Object.keys(invitation._links).sort()).toEqual([
      'delete invitation',
      'self',
      'withdraw invitation',
      'workspace',
    ]);

    const sent = await api.get('/api/invitations', { as: owner });
    expect(sent.status).toBe(200);
    expect(sent.body._embedded.invitations.map((i: { id: string }) => i.id)).toEqual([invitation.id]);
    expect(sent.body.page).toEqual({ size: 20, number: 0 });

    const received = await api.get(`/api/invitations?email=${encodeURIComponent(invitee.email as string)}`, {
      as: invitee,
    });
    expect(received.status).toBe(200);
    const receivedOne = received.body._embedded.invitations[0];
    expect(receivedOne.id).toBe(invitation.id);
    expect(Object.keys(receivedOne._links).sort()).toEqual([
      'accept invitation',
      'decline invitation',
      'self',
      'workspace',
    ]);
    expect(receivedOne._links['accept invitation']).toEqual({
      href: `https://api.test/api/invitations/${invitation.id}`,
      type: 'PATCH',
    });

    const listed = await api.get(`/api/workspaces/${workspaceId}/invitations`, { as: owner });
    expect(listed.body._embedded.invitations.map((i: { id: string }) => i.id)).toEqual([invitation.id]);

    const accepted = await api.patch(`/api/invitations/${invitation.id}`, { as: invitee });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ status: 'ACCEPTED', id: invitation.id });
    expect(accepted.body.acceptedAt).toBeDefined();

    const members = await api.get(`/api/workspaces/${workspaceId}/members`, { as: invitee });
    expect(members.status).toBe(200);
    expect(
      members.body._embedded.members.map((m: { userId: string; role: string }) => [m.userId, m.role]).sort(),
    ).toEqual(
      [
        [invitee.sub, 'ADMIN'],
        [owner.sub, 'OWNER'],
      ].sort(),
    );
    const inviteeWorkspaces = await api.get('/api/workspaces', { as: invitee });
    expect(inviteeWorkspaces.body._embedded.workspaces).toEqual([
      expect.objectContaining({ id: workspaceId, role: 'ADMIN' }),
    ]);

    const withdrawn = await api.put(`/api/invitations/${invitation.id}/revoked`, { as: owner });
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body.status).toBe('REVOKED');
    expect(Object.keys(withdrawn.body._links).sort()).toEqual(['delete invitation', 'self', 'workspace']);

    const after = await api.get(`/api/workspaces/${workspaceId}/members`, { as: owner });
    expect(after.body._embedded.members.map((m: { userId: string }) => m.userId)).toEqual([owner.sub]);
    expect((await api.get(`/api/workspaces/${workspaceId}`, { as: invitee })).status).toBe(404);

    const deleted = await api.delete(`/api/invitations/${invitation.id}`, { as: owner });
    expect(deleted.status).toBe(204);
    expect(deleted.raw).toBe('');
    expect((await api.get(`/api/invitations/${invitation.id}`, { as: owner })).status).toBe(404);
    expect((await api.get('/api/invitations', { as: owner })).body._embedded.invitations).toEqual([]);

    // The address is free again: a new invitation may be sent.
    const again = await api.post(`/api/workspaces/${workspaceId}/invitations`, {
      as: owner,
      body: { email: invitee.email },
    });
    expect(again.status).toBe(202);
  });

  it('an ADMIN may withdraw the invitation that made them an ADMIN, and is then no longer a member', async () => {
    const owner = user('owner');
    const admin = user('admin');
    const workspaceId = await createWorkspace(owner);
    const invitationId = await invite(owner, workspaceId, admin.email as string, 'ADMIN');
    expect((await api.patch(`/api/invitations/${invitationId}`, { as: admin })).status).toBe(200);

    const withdrawn = await api.put(`/api/invitations/${invitationId}/revoked`, { as: admin });
    expect(withdrawn.status, withdrawn.raw).toBe(200);
    expect(withdrawn.body.status).toBe('REVOKED');
    expect((await api.get(`/api/workspaces/${workspaceId}`, { as: admin })).status).toBe(404);
  });

  it('withdrawing an accepted OWNER invitation keeps at least one OWNER', async () => {
    const founder = user('founder');
    const coOwner = user('co-owner');
    const workspaceId = await createWorkspace(founder);
    const invitationId = await invite(founder, workspaceId, coOwner.email as string, 'OWNER');
    expect((await api.patch(`/api/invitations/${invitationId}`, { as: coOwner })).status).toBe(200);
    const leave = await api.delete(`/api/workspaces/${workspaceId}/members/${encodeURIComponent(founder.sub)}`, {
      as: founder,
    });
    expect(leave.status).toBe(204);

    // The founder left, and with the membership went every power over the invitations they sent.
    expect((await api.put(`/api/invitations/${invitationId}/revoked`, { as: founder })).status).toBe(404);
    // The co-owner may withdraw the invitation that made them a member only while another OWNER remains.
    const withdrawn = await api.put(`/api/invitations/${invitationId}/revoked`, { as: coOwner });
    expect(withdrawn.status).toBe(409);
    expect(withdrawn.body.detail).toMatch(/last OWNER/);
    expect((await api.get(`/api/workspaces/${workspaceId}`, { as: coOwner })).body.role).toBe('OWNER');
  });
});
