import {
  assertResendAllowed,
  coolDownRemaining,
  DEFAULT_EMAILS_PER_USER_PER_DAY,
  lastSendRequestedAt,
  queuedDelivery,
} from '../domain/delivery';
import { inertDisplayName } from '../domain/display-name';
import { isEmailDomainAllowed, maskEmail, normalizeEmail } from '../domain/email';
import { BusinessRuleViolated, Forbidden, NotFound } from '../domain/errors';
import { assertTransition, effectiveStatus, expiryFrom, type Invitation } from '../domain/invitation';
import { assertLinkLive, FIRST_TOKEN_VERSION, type LinkTokens, UNKNOWN_LINK } from '../domain/link-token';
import type { Metadata } from '../domain/metadata';
import {
  type Caller,
  canManage,
  canSee,
  type InvitationRelation,
  mayWithdrawGrant,
  relationTo,
  rolesThatMayGrant,
  rolesThatMayWithdrawGrant,
} from '../domain/permissions';
import { outranksOrEquals, ROLES, type Role } from '../domain/roles';
import type { Member, Workspace } from '../domain/workspace';
import {
  type EmailAllowance,
  emailAllowanceCharge,
  emailAllowanceUsedUp,
  takeEmailAllowance,
  withEmailAllowance,
} from './email-allowance';
import { coolingDown, hidden, mayBeStale, onlyInvitee, requireManager } from './invitation-refusals';
import { type InvitationLinkPreview, type InvitationView, viewOf } from './invitation-views';
import { newInvitation } from './new-invitation';
import type { CreatorAuthority, RoleRequirement, Stores } from './ports';
import { RecentReads, type RecentReadsOptions } from './recent-reads';
import { Refused } from './refused';

export type Clock = () => Date;

type WorkspaceAndMember = { workspace?: Workspace; member?: Member };

/**
 * What creating an invitation remembers of the workspace and the inviter's membership, so that a
 * warm function creates in one round trip (the transaction) instead of two (the reads, then the
 * transaction). The transaction re-checks everything the invitation is built from: the
 * workspace's version (every change of its settings moves it) and the inviter's membership (its
 * role and when it began), so a stale entry fails the write and costs one retry on fresh reads,
 * never a wrong answer. A minute keeps a burst of invitations (someone inviting their team) on
 * the fast path, and bounds how often an entry is refreshed for nothing (once a minute per
 * workspace and inviter in a container); after a change within it, the next create in that
 * container pays the one retry. 100 entries of about 1 KB each bound the memory.
 */
export const CREATE_READS: RecentReadsOptions = { maxEntries: 100, maxAgeMs: 60_000 };

export class Invitations {
  constructor(
    private readonly stores: Pick<Stores, 'workspaces' | 'invitations' | 'allowances'>,
    private readonly clock: Clock = () => new Date(),
    /** Invitation emails (new invitations and resends) one person may ask for per UTC day. */
    private readonly emailsPerUserPerDay = DEFAULT_EMAILS_PER_USER_PER_DAY,
    private readonly recentReads = new RecentReads<WorkspaceAndMember>(CREATE_READS),
  ) {}

  /**
   * Warm (the workspace and membership read less than CREATE_READS.maxAgeMs ago): one round trip,
   * the transaction. Cold, or after a refusal that a stale read could explain: the reads, then the
   * transaction, as every refusal is decided on fresh reads.
   */
  async create(
    caller: Caller,
    workspaceId: string,
    input: { email: string; role?: Role; metadata?: Metadata },
  ): Promise<InvitationView> {
    const now = this.clock();
    const key = JSON.stringify([workspaceId, caller.userId]);
    const remembered = this.recentReads.get(key, now);
    if (remembered) {
      try {
        return await this.createFrom(remembered, caller, workspaceId, input, now);
      } catch (error) {
        if (!mayBeStale(error)) throw error;
        this.recentReads.forget(key);
      }
    }
    const read = await this.stores.workspaces.getWorkspaceAndMember(workspaceId, caller.userId);
    if (read.workspace && read.member) this.recentReads.set(key, read, now);
    try {
      return await this.createFrom(read, caller, workspaceId, input, now);
    } catch (error) {
      if (mayBeStale(error)) this.recentReads.forget(key);
      throw error;
    }
  }

  private async createFrom(
    { workspace, member }: WorkspaceAndMember,
    caller: Caller,
    workspaceId: string,
    input: { email: string; role?: Role; metadata?: Metadata },
    now: Date,
  ): Promise<InvitationView> {
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
    const invitation = newInvitation({ workspace, member, caller, email, role, metadata: input.metadata }, now);
    await this.stores.invitations
      .createInvitation(
        invitation,
        // The membership the invitation records (creatorJoinedAt) must be the caller's current one.
        { workspaceId, userId: caller.userId, roles: rolesThatMayGrant(role), joinedAt: member.joinedAt },
        workspace.lastModified,
        now,
        emailAllowanceCharge(caller, now, this.emailsPerUserPerDay),
      )
      .catch((error: unknown) => {
        if (error instanceof Refused && error.reason === 'email-allowance-used-up') {
          throw emailAllowanceUsedUp(this.emailsPerUserPerDay, now);
        }
        throw error;
      });
    return viewOf(invitation, relationTo(caller, invitation, member.role), now);
  }

  async get(caller: Caller, invitationId: string): Promise<InvitationView> {
    const { invitation, relation } = await this.load(caller, invitationId);
    if (!canSee(relation)) throw hidden();
    return viewOf(invitation, relation, this.clock());
  }

  async accept(caller: Caller, invitationId: string): Promise<InvitationView> {
    const now = this.clock();
    const { invitation, relation } = await this.load(caller, invitationId, { needRole: false });
    await this.requireInvitee(caller, invitation, relation);
    return this.acceptAs(caller, invitation, relation, now);
  }

  /** Accepting through the emailed link: the token names the invitation, the caller must be its invitee. */
  async acceptByLink(caller: Caller, token: string, links: LinkTokens): Promise<InvitationView> {
    const now = this.clock();
    const invitation = await this.loadByLink(token, links, now);
    const relation = relationTo(caller, invitation, undefined);
    if (!relation.isInvitee) {
      throw new Forbidden(
        'This invitation was sent to another email address. Sign in with that address, verified, to accept it.',
      );
    }
    return this.acceptAs(caller, invitation, relation, now);
  }

  /**
   * The public preview behind an invitation link. Reading it changes nothing, so link scanners
   * consume nothing. Its readers are outside the workspace: names are shown inert.
   */
  async previewByLink(token: string, links: LinkTokens): Promise<InvitationLinkPreview> {
    const now = this.clock();
    const invitation = await this.loadByLink(token, links, now);
    return {
      invitationId: invitation.id,
      workspaceName: inertDisplayName(invitation.workspaceName),
      inviterName: inertDisplayName(invitation.creatorName),
      maskedEmail: maskEmail(invitation.email),
      role: invitation.role,
      status: effectiveStatus(invitation, now),
      expiresAt: invitation.expiresAt,
    };
  }

  /**
   * Queues the invitation's email again and gives the invitation a full lifetime from now. The
   * links already sent keep working. At most one email per cool-down period.
   */
  async resend(caller: Caller, invitationId: string): Promise<InvitationView> {
    const now = this.clock();
    const allowance = takeEmailAllowance(this.stores.allowances, caller, now, this.emailsPerUserPerDay);
    return withEmailAllowance(allowance, () => this.resendCounted(caller, invitationId, now, allowance));
  }

  private async resendCounted(
    caller: Caller,
    invitationId: string,
    now: Date,
    allowance: EmailAllowance,
  ): Promise<InvitationView> {
    const invitation = await this.stores.invitations.getInvitation(invitationId);
    if (!invitation) throw hidden();
    const { workspace, member } = await this.stores.workspaces.getWorkspaceAndMember(
      invitation.workspaceId,
      caller.userId,
    );
    const relation = relationTo(caller, invitation, member?.role);
    requireManager(relation);
    if (!workspace) throw new NotFound('The workspace of this invitation no longer exists.');
    assertResendAllowed(effectiveStatus(invitation, now));
    const wait = coolDownRemaining(lastSendRequestedAt(invitation), now);
    if (wait > 0) throw coolingDown(wait);
    const resent: Invitation = {
      ...invitation,
      expiresAt: expiryFrom(now, workspace.invitationTtlDays).toISOString(),
      lastModified: now.toISOString(),
      delivery: queuedDelivery((invitation.delivery?.sendNumber ?? invitation.sendCount) + 1, now),
      changedBy: caller.userId,
    };
    await allowance.confirm();
    await this.stores.invitations.resendInvitation(
      invitation,
      resent,
      this.roleRequirement(caller, invitation, relation),
      now,
    );
    return viewOf(resent, relation, now);
  }

  private async acceptAs(
    caller: Caller,
    invitation: Invitation,
    relation: InvitationRelation,
    now: Date,
  ): Promise<InvitationView> {
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
      ...(invitation.metadata === undefined ? {} : { metadata: invitation.metadata }),
    };
    await this.stores.invitations.acceptInvitation(invitation, member, this.creatorAuthority(invitation, member), now);
    const accepted: Invitation = {
      ...invitation,
      status: 'ACCEPTED',
      acceptedAt: member.joinedAt,
      acceptedBy: caller.userId,
      changedBy: caller.userId,
      lastModified: member.joinedAt,
    };
    return viewOf(accepted, { ...relation, workspaceRole: invitation.role }, now);
  }

  async decline(caller: Caller, invitationId: string): Promise<InvitationView> {
    const now = this.clock();
    const { invitation, relation } = await this.load(caller, invitationId, { needRole: false });
    await this.requireInvitee(caller, invitation, relation);
    assertTransition('decline', effectiveStatus(invitation, now));
    await this.stores.invitations.declineInvitation({ ...invitation, changedBy: caller.userId }, now);
    return viewOf({ ...invitation, status: 'DECLINED', lastModified: now.toISOString() }, relation, now);
  }

  async withdraw(caller: Caller, invitationId: string): Promise<InvitationView> {
    const now = this.clock();
    const invitation = await this.stores.invitations.getInvitation(invitationId);
    if (!invitation) throw hidden();
    const members = await this.stores.workspaces.getMembers(
      invitation.workspaceId,
      invitation.acceptedBy ? [caller.userId, invitation.acceptedBy] : [caller.userId],
    );
    const relation = relationTo(caller, invitation, members.get(caller.userId)?.role);
    requireManager(relation);
    assertTransition('withdraw', effectiveStatus(invitation, now));
    const accepted = invitation.acceptedBy ? members.get(invitation.acceptedBy) : undefined;
    const granted = invitation.status === 'ACCEPTED' && accepted?.invitationId === invitation.id ? accepted : undefined;
    // Withdrawing the invitation removes the member it made: a member removal, with its rules.
    let authorizedBy = this.roleRequirement(caller, invitation, relation);
    if (granted) {
      if (!mayWithdrawGrant(relation, granted.role)) {
        throw new Forbidden(
          `Withdrawing this invitation would remove a member who is ${granted.role}, and your role does not allow removing them.`,
        );
      }
      authorizedBy = {
        workspaceId: invitation.workspaceId,
        userId: caller.userId,
        roles: rolesThatMayWithdrawGrant(granted.role, relation.isCreator),
      };
    }
    await this.stores.invitations.withdrawInvitation(
      { ...invitation, changedBy: caller.userId },
      granted,
      authorizedBy,
      now,
    );
    const withdrawn: Invitation = { ...invitation, status: 'REVOKED', lastModified: now.toISOString() };
    const stillMember = granted?.userId === caller.userId ? undefined : relation.workspaceRole;
    return viewOf(withdrawn, { ...relation, workspaceRole: stillMember }, now);
  }

  async delete(caller: Caller, invitationId: string): Promise<void> {
    const now = this.clock();
    const { invitation, relation } = await this.load(caller, invitationId);
    requireManager(relation);
    assertTransition('delete', effectiveStatus(invitation, now));
    await this.stores.invitations.deleteInvitation(
      invitation,
      caller.userId,
      this.roleRequirement(caller, invitation, relation),
      now,
    );
  }

  /**
   * Reads the invitation and, when it decides what the caller may do, the caller's membership
   * in its workspace: a creator's powers last only as long as that membership. System admins
   * manage an invitation whatever their role.
   */
  private async load(caller: Caller, invitationId: string, { needRole = true } = {}) {
    const invitation = await this.stores.invitations.getInvitation(invitationId);
    if (!invitation) throw hidden();
    let relation = relationTo(caller, invitation, undefined);
    if (needRole && !relation.isSystemAdmin) {
      const { member } = await this.stores.workspaces.getWorkspaceAndMember(invitation.workspaceId, caller.userId);
      relation = relationTo(caller, invitation, member?.role);
    }
    return { invitation, relation };
  }

  /**
   * The invitation a link token names, while the link is alive. A malformed or forged token and a
   * deleted invitation read alike, so a token tells nothing about which invitations exist.
   */
  private async loadByLink(token: string, links: LinkTokens, now: Date): Promise<Invitation> {
    const claims = links.read(token);
    const invitation = claims && (await this.stores.invitations.getInvitation(claims.invitationId));
    if (!claims || !invitation) throw new NotFound(UNKNOWN_LINK);
    assertLinkLive(effectiveStatus(invitation, now), claims.version, invitation.tokenVersion ?? FIRST_TOKEN_VERSION);
    return invitation;
  }

  /** Accept and decline belong to the invitee. Someone else who may see the invitation gets 403, anyone else 404. */
  private async requireInvitee(caller: Caller, invitation: Invitation, relation: InvitationRelation): Promise<void> {
    if (relation.isInvitee) return;
    if (canManage(relation)) throw onlyInvitee();
    const { member } = await this.stores.workspaces.getWorkspaceAndMember(invitation.workspaceId, caller.userId);
    if (canManage(relationTo(caller, invitation, member?.role))) throw onlyInvitee();
    throw hidden();
  }

  /**
   * The write re-checks, inside its transaction, the membership the caller's right comes from:
   * any role for the creator (their right lasts while they are a member), OWNER or ADMIN
   * otherwise. A system admin's right comes from their token alone.
   */
  private roleRequirement(
    caller: Caller,
    invitation: Invitation,
    relation: InvitationRelation,
  ): RoleRequirement | undefined {
    if (relation.isSystemAdmin) return undefined;
    const roles = relation.isCreator ? ROLES : (['OWNER', 'ADMIN'] as const);
    return { workspaceId: invitation.workspaceId, userId: caller.userId, roles };
  }

  /**
   * What accepting re-checks about the invitation's creator: still the member they were when
   * they invited, holding at least the invited role. System admins' invitations need neither.
   */
  private creatorAuthority(invitation: Invitation, member: Member): CreatorAuthority | undefined {
    if (invitation.createdBySystemAdmin || invitation.creatorId === member.userId) return undefined;
    return {
      workspaceId: invitation.workspaceId,
      userId: invitation.creatorId,
      roles: rolesThatMayGrant(invitation.role),
      joinedAt: invitation.creatorJoinedAt,
      createdBefore: invitation.created,
    };
  }
}
