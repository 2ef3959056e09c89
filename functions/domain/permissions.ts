import { isResendAllowed } from './delivery';
import { normalizeEmail } from './email';
import { type Invitation, isTransitionAllowed, type Status } from './invitation';
import { isManagerRole, type Role } from './roles';

/** Who is calling, as the identity provider vouches for it. */
export interface Caller {
  userId: string;
  /** Normalized; present only when the provider says it is verified. */
  verifiedEmail?: string;
  name: string;
  handle?: string;
  isSystemAdmin: boolean;
}

/** How a caller stands towards one invitation. */
export interface InvitationRelation {
  isCreator: boolean;
  isInvitee: boolean;
  isSystemAdmin: boolean;
  /** The caller's role in the invitation's workspace, if a member. */
  workspaceRole?: Role;
}

export function relationTo(
  caller: Caller,
  invitation: Pick<Invitation, 'creatorId' | 'email'>,
  workspaceRole: Role | undefined,
): InvitationRelation {
  return {
    isCreator: caller.userId === invitation.creatorId,
    isInvitee: isInviteeOf(caller, invitation.email),
    isSystemAdmin: caller.isSystemAdmin,
    workspaceRole,
  };
}

export function isInviteeOf(caller: Caller, invitationEmail: string): boolean {
  return caller.verifiedEmail !== undefined && caller.verifiedEmail === normalizeEmail(invitationEmail);
}

/** View, withdraw, delete and resend belong to the creator, the workspace's OWNER/ADMIN and system admins. */
export function canManage(relation: InvitationRelation): boolean {
  return relation.isCreator || relation.isSystemAdmin || isManagerRole(relation.workspaceRole);
}

export function canSee(relation: InvitationRelation): boolean {
  return canManage(relation) || relation.isInvitee;
}

export type InvitationAction = 'accept' | 'decline' | 'withdraw' | 'delete' | 'resend';

/**
 * The actions this caller may take on this invitation now: what the `_links` advertise. Resend
 * is offered only when the caller says the cool-down since the last email has passed.
 */
export function availableActions(
  relation: InvitationRelation,
  status: Status,
  { resendable = false }: { resendable?: boolean } = {},
): InvitationAction[] {
  const actions: InvitationAction[] = [];
  if (relation.isInvitee) {
    if (isTransitionAllowed('accept', status)) actions.push('accept');
    if (isTransitionAllowed('decline', status)) actions.push('decline');
  }
  if (canManage(relation)) {
    if (isTransitionAllowed('withdraw', status)) actions.push('withdraw');
    if (isTransitionAllowed('delete', status)) actions.push('delete');
    if (resendable && isResendAllowed(status)) actions.push('resend');
  }
  return actions;
}

/** A member may remove themself; OWNERs remove anyone; ADMINs remove anyone but OWNERs. */
export function canRemoveMember(
  actorId: string,
  actorRole: Role | undefined,
  targetId: string,
  targetRole: Role,
): boolean {
  if (actorId === targetId) return true;
  if (actorRole === 'OWNER') return true;
  return actorRole === 'ADMIN' && targetRole !== 'OWNER';
}
