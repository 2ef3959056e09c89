import { expect } from 'vitest';
import type { Role } from '../../functions/domain/roles';
import { api, type Identity, user } from './api';

export async function createWorkspace(owner: Identity, body: Record<string, unknown> = {}): Promise<string> {
  const response = await api.post('/api/workspaces', { as: owner, body: { name: 'Test workspace', ...body } });
  expect(response.status).toBe(201);
  return response.body.id;
}

export async function invite(by: Identity, workspaceId: string, email: string, role: Role = 'MEMBER'): Promise<string> {
  const response = await api.post(`/api/workspaces/${workspaceId}/invitations`, { as: by, body: { email, role } });
  expect(response.status, JSON.stringify(response.body)).toBe(202);
  return response.body.id;
}

/** A new user who joined the workspace with `role` by accepting an invitation from `inviter`. */
export async function addMember(
  inviter: Identity,
  workspaceId: string,
  role: Role,
  label = 'member',
): Promise<Identity> {
  const member = user(label);
  const invitationId = await invite(inviter, workspaceId, member.email as string, role);
  const accepted = await api.patch(`/api/invitations/${invitationId}`, { as: member });
  expect(accepted.status).toBe(200);
  return member;
}
