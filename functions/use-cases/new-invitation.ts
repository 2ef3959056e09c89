import { randomUUID } from 'node:crypto';
import { queuedDelivery } from '../domain/delivery';
import { expiryFrom, type Invitation } from '../domain/invitation';
import { FIRST_TOKEN_VERSION } from '../domain/link-token';
import type { Metadata } from '../domain/metadata';
import type { Caller } from '../domain/permissions';
import type { Role } from '../domain/roles';
import type { Member, Workspace } from '../domain/workspace';

/** A new PENDING invitation sent by `caller` from `member`'s membership of `workspace`, its first email owed. */
export function newInvitation(
  from: { workspace: Workspace; member: Member; caller: Caller; email: string; role: Role; metadata?: Metadata },
  now: Date,
): Invitation {
  const { workspace, member, caller } = from;
  const created = now.toISOString();
  return {
    id: randomUUID(),
    workspaceId: workspace.id,
    workspaceName: workspace.name,
    workspaceAlias: workspace.alias,
    email: from.email,
    role: from.role,
    status: 'PENDING',
    creatorId: caller.userId,
    creatorName: caller.name,
    creatorHandle: caller.handle,
    creatorJoinedAt: member.joinedAt,
    ...(caller.isSystemAdmin ? { createdBySystemAdmin: true } : {}),
    created,
    lastModified: created,
    expiresAt: expiryFrom(now, workspace.invitationTtlDays).toISOString(),
    sendCount: 0,
    delivery: queuedDelivery(1, now),
    tokenVersion: FIRST_TOKEN_VERSION,
    ...(from.metadata === undefined ? {} : { metadata: from.metadata }),
  };
}
