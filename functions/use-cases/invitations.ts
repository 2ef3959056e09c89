import { randomUUID } from 'node:crypto';
import { isEmailDomainAllowed, normalizeEmail } from '../domain/email';
import { BusinessRuleViolated, Forbidden, NotFound } from '../domain/errors';
import { assertTransition, effectiveStatus, expiryFrom, type Invitation, type Status } from '../domain/invitation';
import { type Caller, canManage, canSee, type InvitationRelation, relationTo } from '../domain/permissions';
import { isManagerRole, outranksOrEquals, ROLES, type Role } from '../domain/roles';
import type { Member } from '../domain/workspace';
import type { Page, PageRequest, RoleRequirement, Store } from './ports';

/** An invitation together with how the caller stands towards it: what the HAL layer needs for `_links`. */
export interface InvitationView {
  invitation: Invitation;
  status: Status;
  relation: InvitationRelation;
}

export type Clock = () => Date;

export class Invitations {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock = () => new Date(),
  ) {}

  async create(caller: Caller, workspaceId: string, input: { email: string; role?: Role }): Promise<InvitationView> {
    const now = this.clock();
    const { workspace, member } = await this.store.getWorkspaceAndMember(workspaceId, caller.userId);
    if (!workspace || !member) throw new NotFound('The workspace does not exist.');
    const role = input.role ?? 'MEMBER';
    if (!outranksOrEquals(member.role, role)) {
      throw new Forbidden(`A ${member.role} cannot invite someone as ${role}.`);
    }
    const email = normalizeEmail(input.email);
    if (!isEmailDomainAllowed(email, workspace.allowedDomains)) {
      throw new BusinessRuleViolated(
        `This workspace accepts invitations only to addresses under: ${workspace.allowedDomains.join(', ')}.`,
      );
    }
    const created = now.toISOString();
    const invitation: Invitation = {
      id: randomUUID(),
      workspaceId,
      workspaceName: workspace.name,
      workspaceAlias: workspace.alias,
      email,
      role,
      status: 'PENDING',
      creatorId: caller.userId,
      creatorName: caller.name,
      creatorHandle: caller.handle,
      created,
      lastModified: created,
      expiresAt: expiryFrom(now, workspace.invitationTtlDays).toISOString(),
      sendCount: 0,
    };
    const rolesThatMayInvite = ROLES.filter((candidate) => outranksOrEquals(candidate, role));
    await this.store.createInvitation(
      invitation,
      { workspaceId, userId: caller.userId, roles: rolesThatMayInvite },
      now,
    );
    return this.view(invitation, relationTo(caller, invitation, member.role), now);
  }

  async get(caller: Caller, invitationId: string): Promise<InvitationView> {
    const { invitation, relation } = await this.load(caller, invitationId);
    if (!canSee(relation)) throw hidden();
    return this.view(invitation, relation, this.clock());
  }

  async accept(caller: Caller, invitationId: string): Promise<InvitationView> {
    const now = this.clock();
    const { invitation, relation } = await this.load(caller, invitationId, { needRole: false });
    await this.requireInvitee(caller, invitation, relation);
    assertTransition('accept', effectiveStatus(invitation, now));
    const member: Member = {
      workspaceId: invitation.workspaceId,
      userId: caller.userId,
      email: invitation.email,
      name: caller.name,
      handle: caller.handle,
      role: invitation.role,
      joinedAt: now.toISOString(),
      invitationId: invitation.id,
    };
    await this.store.acceptInvitation(invitation, member, now);
    const accepted: Invitation = {
      ...invitation,
      status: 'ACCEPTED',
      acceptedAt: member.joinedAt,
      acceptedBy: caller.userId,
      lastModified: member.joinedAt,
    };
    return this.view(accepted, { ...relation, workspaceRole: invitation.role }, now);
  }

  async decline(caller: Caller, invitationId: string): Promise<InvitationView> {
    const now = this.clock();
    const { invitation, relation } = await this.load(caller, invitationId, { needRole: false });
    await this.requireInvitee(caller, invitation, relation);
    assertTransition('decline', effectiveStatus(invitation, now));
    await this.store.declineInvitation(invitation, now);
    return this.view({ ...invitation, status: 'DECLINED', lastModified: now.toISOString() }, relation, now);
  }

  async withdraw(caller: Caller, invitationId: string): Promise<InvitationView> {
    const now = this.clock();
    const invitation = await this.store.getInvitation(invitationId);
    if (!invitation) throw hidden();
    const members = await this.store.getMembers(
      invitation.workspaceId,
      invitation.acceptedBy ? [caller.userId, invitation.acceptedBy] : [caller.userId],
    );
    const relation = relationTo(caller, invitation, members.get(caller.userId)?.role);
    requireManager(relation);
    assertTransition('withdraw', effectiveStatus(invitation, now));
    const accepted = invitation.acceptedBy ? members.get(invitation.acceptedBy) : undefined;
    const granted = invitation.status === 'ACCEPTED' && accepted?.invitationId === invitation.id ? accepted : undefined;
    await this.store.withdrawInvitation(invitation, granted, this.roleRequirement(caller, invitation, relation), now);
    const withdrawn: Invitation = { ...invitation, status: 'REVOKED', lastModified: now.toISOString() };
    const stillMember = granted?.userId === caller.userId ? undefined : relation.workspaceRole;
    return this.view(withdrawn, { ...relation, workspaceRole: stillMember }, now);
  }

  async delete(caller: Caller, invitationId: string): Promise<void> {
    const now = this.clock();
    const { invitation, relation } = await this.load(caller, invitationId);
    requireManager(relation);
    assertTransition('delete', effectiveStatus(invitation, now));
    await this.store.deleteInvitation(invitation, this.roleRequirement(caller, invitation, relation), now);
  }

  async listSent(caller: Caller, page: PageRequest): Promise<Page<InvitationView>> {
    const result = await this.store.listSentInvitations(caller.userId, page);
    return this.views(caller, result);
  }

  async listReceived(caller: Caller, email: string, page: PageRequest): Promise<Page<InvitationView>> {
    if (!caller.verifiedEmail || caller.verifiedEmail !== normalizeEmail(email)) {
      throw new Forbidden('You can list only the invitations sent to your own verified email address.');
    }
    const result = await this.store.listReceivedInvitations(caller.verifiedEmail, page);
    return this.views(caller, result);
  }

  async listForWorkspace(
    caller: Caller,
    workspaceId: string,
    status: Status | undefined,
    page: PageRequest,
  ): Promise<Page<InvitationView>> {
    const { workspace, member } = await this.store.getWorkspaceAndMember(workspaceId, caller.userId);
    if (!workspace || (!member && !caller.isSystemAdmin)) throw new NotFound('The workspace does not exist.');
    const seesAll = caller.isSystemAdmin || isManagerRole(member?.role);
    const result = await this.store.listWorkspaceInvitations(
      workspaceId,
      { status, creatorId: seesAll ? undefined : caller.userId },
      page,
      this.clock(),
    );
    return this.views(caller, result, member?.role);
  }

  /**
   * Reads the invitation and, when it decides what the caller may do, the caller's membership
   * in its workspace. Creators and system admins manage an invitation whatever their role.
   */
  private async load(caller: Caller, invitationId: string, { needRole = true } = {}) {
    const invitation = await this.store.getInvitation(invitationId);
    if (!invitation) throw hidden();
    let relation = relationTo(caller, invitation, undefined);
    if (needRole && !relation.isCreator && !relation.isSystemAdmin) {
      const { member } = await this.store.getWorkspaceAndMember(invitation.workspaceId, caller.userId);
      relation = { ...relation, workspaceRole: member?.role };
    }
    return { invitation, relation };
  }

  /** Accept and decline belong to the invitee. Someone else who may see the invitation gets 403, anyone else 404. */
  private async requireInvitee(caller: Caller, invitation: Invitation, relation: InvitationRelation): Promise<void> {
    if (relation.isInvitee) return;
    if (canManage(relation)) throw onlyInvitee();
    const { member } = await this.store.getWorkspaceAndMember(invitation.workspaceId, caller.userId);
    if (isManagerRole(member?.role)) throw onlyInvitee();
    throw hidden();
  }

  /** When the caller's right to act comes only from their workspace role, the write re-checks that role. */
  private roleRequirement(
    caller: Caller,
    invitation: Invitation,
    relation: InvitationRelation,
  ): RoleRequirement | undefined {
    if (relation.isCreator || relation.isSystemAdmin) return undefined;
    return { workspaceId: invitation.workspaceId, userId: caller.userId, roles: ['OWNER', 'ADMIN'] };
  }

  private view(invitation: Invitation, relation: InvitationRelation, now: Date): InvitationView {
    return { invitation, relation, status: effectiveStatus(invitation, now) };
  }

  private views(caller: Caller, page: Page<Invitation>, workspaceRole?: Role): Page<InvitationView> {
    const now = this.clock();
    return {
      ...page,
      items: page.items.map((invitation) => this.view(invitation, relationTo(caller, invitation, workspaceRole), now)),
    };
  }
}

function requireManager(relation: InvitationRelation): void {
  if (canManage(relation)) return;
  if (relation.isInvitee)
    throw new Forbidden('Only the creator of the invitation or a workspace OWNER or ADMIN may do this.');
  throw hidden();
}

const hidden = () => new NotFound('The invitation does not exist.');
const onlyInvitee = () => new Forbidden('Only the invited person may answer this invitation.');
