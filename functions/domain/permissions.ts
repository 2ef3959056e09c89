import { isResendAllowed } from './delivery';
import { normalizeEmail } from './email';
import { type Invitation, isTransitionAllowed, type Status } from './invitation';
import { isManagerRole, outranksOrEquals, ROLES, type Role } from './roles';

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
  /** The caller created the invitation and is still a member of its workspace: a creator's powers end with their membership. */
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
    isCreator: caller.userId === invitation.creatorId && workspaceRole !== undefined,
    isInvitee: isInviteeOf(caller, invitation.email),
    isSystemAdmin: caller.isSystemAdmin,
    workspaceRole,
  };
}

export function isInviteeOf(caller: Caller, invitationEmail: string): boolean {
  return caller.verifiedEmail !== undefined && caller.verifiedEmail === normalizeEmail(invitationEmail);
}

/** View, withdraw, delete and resend belong to the creator while a member, the workspace's OWNER/ADMIN and system admins. */
export function canManage(relation: InvitationRelation): boolean {
  return relation.isCreator || relation.isSystemAdmin || isManagerRole(relation.workspaceRole);
}

export function canSee(relation: InvitationRelation): boolean {
  return canManage(relation) || relation.isInvitee;
}

/**
 * The roles that may remove a member holding `memberRole` by withdrawing the invitation that
 * made them a member: OWNERs anyone, ADMINs anyone but an OWNER (as removing them directly), and
 * the invitation's creator, while a member, anyone whose role is not above their own.
 */
export function rolesThatMayWithdrawGrant(memberRole: Role, callerCreatedIt: boolean): Role[] {
  return ROLES.filter(
    (role) =>
      role === 'OWNER' ||
      (role === 'ADMIN' && memberRole !== 'OWNER') ||
      (callerCreatedIt && outranksOrEquals(role, memberRole)),
  );
}

/** The roles that may grant `role`: it may not exceed the granter's own. */
export function rolesThatMayGrant(role: Role): Role[] {
  return ROLES.filter((candidate) => outranksOrEquals(candidate, role));
}

export function mayWithdrawGrant(relation: InvitationRelation, memberRole: Role): boolean {
  const role = relation.workspaceRole;
  return role !== undefined && rolesThatMayWithdrawGrant(memberRole, relation.isCreator).includes(role);
}

export type InvitationAction = 'accept' | 'decline' | 'withdraw' | 'delete' | 'resend';

/**
 * The actions this caller may take on this invitation now: what the `_links` advertise. Resend
 * is offered only when the caller says the cool-down since the last email has passed. An
 * ACCEPTED invitation's withdraw removes the member it made, so it is offered only to those who
 * may remove a member of the role it granted.
 */
export function availableActions(
  relation: InvitationRelation,
  status: Status,
  { resendable = false, grantedRole }: { resendable?: boolean; grantedRole?: Role } = {},
): InvitationAction[] {
  const actions: InvitationAction[] = [];
  if (relation.isInvitee) {
    if (isTransitionAllowed('accept', status)) actions.push('accept');
    if (isTransitionAllowed('decline', status)) actions.push('decline');
  }
  if (canManage(relation)) {
    const removesMember = status === 'ACCEPTED' && grantedRole !== undefined;
    if (isTransitionAllowed('withdraw', status) && (!removesMember || mayWithdrawGrant(relation, grantedRole)))
      actions.push('withdraw');
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
