export const ROLES = ['OWNER', 'ADMIN', 'MEMBER'] as const;
export type Role = (typeof ROLES)[number];

const RANK: Record<Role, number> = { OWNER: 3, ADMIN: 2, MEMBER: 1 };

export function outranksOrEquals(role: Role, other: Role): boolean {
  return RANK[role] >= RANK[other];
}

/** OWNER and ADMIN manage a workspace: its settings, its invitations, its members. */
export function isManagerRole(role: Role | undefined): boolean {
  return role === 'OWNER' || role === 'ADMIN';
}
