import { describe, expect, it } from 'vitest';
import { api, user } from '../support/api';
import { createWorkspace, invite } from '../support/fixtures';
import { expireInvitation } from '../support/table';

describe('expiry', () => {
  it('an invitation past expiresAt reads as EXPIRED everywhere and cannot be accepted, though its item exists', async () => {
    const owner = user('owner');
    const invitee = user('invitee');
    const workspaceId = await createWorkspace(owner);
    const invitationId = await invite(owner, workspaceId, invitee.email as string);
    await expireInvitation(invitationId, workspaceId, invitee.email as string);

    const viewed = await api.get(`/api/invitations/${invitationId}`, { as: invitee });
    expect(viewed.status).toBe(200);
    expect(viewed.body.status).toBe('EXPIRED');
    expect(Object.keys(viewed.body._links).sort()).toEqual(['self', 'workspace']);

    const received = await api.get(`/api/invitations?email=${invitee.email}`, { as: invitee });
    expect(received.body._embedded.invitations[0].status).toBe('EXPIRED');
    const byStatus = async (status: string) =>
      (
        await api.get(`/api/workspaces/${workspaceId}/invitations?status=${status}`, { as: owner })
      ).body._embedded.invitations.map((i: { id: string }) => i.id);
    expect(await byStatus('EXPIRED')).toEqual([invitationId]);
    expect(await byStatus('PENDING')).toEqual([]);

    const accepted = await api.patch(`/api/invitations/${invitationId}`, { as: invitee });
    expect(accepted.status).toBe(410);
    expect(accepted.body).toMatchObject({ status: 410, title: 'Gone', detail: expect.stringMatching(/expired/) });
    expect((await api.put(`/api/invitations/${invitationId}/declined`, { as: invitee })).status).toBe(410);
    expect((await api.put(`/api/invitations/${invitationId}/revoked`, { as: owner })).status).toBe(409);
    const members = await api.get(`/api/workspaces/${workspaceId}/members`, { as: owner });
    expect(members.body._embedded.members).toHaveLength(1);

    // The expired invitation no longer blocks a new one to the same address, and can be deleted.
    const fresh = await api.post(`/api/workspaces/${workspaceId}/invitations`, {
      as: owner,
      body: { email: invitee.email },
    });
    expect(fresh.status).toBe(202);
    expect((await api.delete(`/api/invitations/${invitationId}`, { as: owner })).status).toBe(204);
    expect((await api.patch(`/api/invitations/${fresh.body.id}`, { as: invitee })).status).toBe(200);
  });

  it('uses the workspace invitation lifetime', async () => {
    const owner = user('owner');
    const workspaceId = await createWorkspace(owner);
    const patched = await api.patch(`/api/workspaces/${workspaceId}`, { as: owner, body: { invitationTtlDays: 30 } });
    expect(patched.body.invitationTtlDays).toBe(30);
    const created = await api.post(`/api/workspaces/${workspaceId}/invitations`, {
      as: owner,
      body: { email: user('x').email },
    });
    expect(Date.parse(created.body.expiresAt) - Date.parse(created.body.created)).toBe(30 * 86_400_000);
  });
});
