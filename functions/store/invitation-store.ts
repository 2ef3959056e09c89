/**
 * The invitation lifecycle in the table: create, accept, decline, withdraw, delete and resend,
 * each one transaction over the invitation, its address claim and what the change must re-check.
 */
import { assertResendAllowed, coolDownRemaining, lastSendRequestedAt } from '../domain/delivery';
import {
  assertTransition,
  effectiveStatus,
  type Invitation,
  purgeAfter,
  type StoredStatus,
  type Transition,
} from '../domain/invitation';
import type { Member, WorkspaceLimits } from '../domain/workspace';
import type { CreatorAuthority, EmailAllowanceCharge, InvitationStore, RoleRequirement } from '../use-cases/ports';
import { Refused } from '../use-cases/refused';
import { creatorCheck, holdsRole, roleCheck } from './authority';
import {
  emailStateUpdate,
  expiryIndexUpdate,
  inStatus,
  invitationCodec,
  LEAVE_EXPIRY_INDEX,
  listKeyUpdate,
  live,
  refiled,
} from './codecs/invitation';
import { ttlAt } from './codecs/item';
import { removalCodec } from './codecs/removal';
import { claimCodec, claimFree, claimHeldBy, memberCodec } from './codecs/workspace';
import { allOf, isNew } from './dynamo/expression';
import { ConditionFailed, type Item, type Table, type Write } from './dynamo/table';
import { emailAllowanceWrite } from './email-allowance-store';
import { TABLE } from './table-definition';
import { WORKSPACE_WRITE, WorkspaceLimitCounts } from './workspace-limits';
import { ownerRemoved } from './workspace-store';

/** Accepting an invitation to the OWNER role adds one to the workspace's owners. */
const ownerAdded = { expression: 'ownerCount = ownerCount + :ownerAdded', values: { ':ownerAdded': 1 } };

export class DynamoInvitationStore implements InvitationStore {
  private readonly counts: WorkspaceLimitCounts;

  constructor(
    private readonly table: Table,
    limits: WorkspaceLimits,
  ) {
    this.counts = new WorkspaceLimitCounts(table, limits);
  }

  async getInvitation(invitationId: string): Promise<Invitation | undefined> {
    return invitationCodec.fromItem(await this.table.get(invitationCodec.key(invitationId)));
  }

  async createInvitation(
    invitation: Invitation,
    authorizedBy: RoleRequirement,
    workspaceVersion: string,
    now: Date,
    allowance?: EmailAllowanceCharge,
  ): Promise<void> {
    const asRead = (current: Item | undefined) => current?.lastModified === workspaceVersion;
    // What the invitation was built from comes first, so that its failure is the one explained.
    const writes = [
      // The workspace must still be as the invitation was built from it: its settings were checked,
      // and a rename after this point reaches the invitation only if the invitation exists by then.
      // The same write counts the invitation against the workspace's pending limit.
      this.counts.countUp(invitation.workspaceId, 'pendingCount', {
        condition: { expression: 'lastModified = :version', values: { ':version': workspaceVersion } },
      }),
      roleCheck(this.table, authorizedBy),
      ...(allowance ? [emailAllowanceWrite(this.table, allowance)] : []),
      this.table.put('invitation', invitationCodec.toItem(invitation, workspaceVersion), isNew),
      this.table.put('claim', claimCodec.invited(invitation), claimFree(now), true),
    ];
    await this.counts
      .transactWithinLimit(writes, invitation.workspaceId, 'pendingCount', now, asRead)
      .catch((error: unknown) => {
        if (!(error instanceof ConditionFailed)) throw error;
        // DynamoDB reports every failed condition: the workspace's settings and the caller's role
        // (what the invitation was decided on) are explained first, then the email allowance (as
        // when it was counted before the write), then the address, then the limit.
        const workspace = error.failureOf(WORKSPACE_WRITE);
        if (workspace && !asRead(workspace.current)) throw new Refused('workspace-changed');
        if (error.failureOf('role')) throw new Refused('role-forbids-invitation');
        if (error.failureOf('allowance')) throw new Refused('email-allowance-used-up', { limit: allowance?.limit });
        const claim = error.failureOf('claim');
        if (claim?.current?.kind === 'MEMBER') throw new Refused('address-is-member');
        if (claim) throw new Refused('address-already-invited');
        if (workspace) throw new Refused('pending-invitations-limit', { limit: this.counts.limitOf('pendingCount') });
        throw error;
      });
  }

  async acceptInvitation(
    invitation: Invitation,
    member: Member,
    creator: CreatorAuthority | undefined,
    now: Date,
  ): Promise<void> {
    const filed = refiled('ACCEPTED', invitation);
    const writes: Write[] = [
      this.table.update(
        'invitation',
        invitationCodec.key(invitation.id),
        {
          expression: `SET #status = :accepted, acceptedAt = :now, acceptedBy = :user, changedBy = :user, lastModified = :now, ${filed.set.expression} REMOVE #ttl, ${LEAVE_EXPIRY_INDEX}`,
          names: { '#status': 'status', '#ttl': TABLE.ttlAttribute, ...filed.set.names },
          values: { ':accepted': 'ACCEPTED', ':user': member.userId, ':now': now.toISOString(), ...filed.set.values },
        },
        allOf(live(now), filed.unchanged, { expression: 'email = :email', values: { ':email': invitation.email } }),
        true,
      ),
      this.table.put('member', memberCodec.toItem(member), isNew),
      this.table.put('claim', claimCodec.member(member), {
        expression: 'invitationId = :invitation',
        values: { ':invitation': invitation.id },
      }),
      // One write of the workspace item: the member counted, and an OWNER counted among its owners.
      this.counts.countUp(member.workspaceId, 'memberCount', member.role === 'OWNER' ? { set: ownerAdded } : {}),
    ];
    if (creator) writes.push(creatorCheck(this.table, creator));
    await this.counts.transactWithinLimit(writes, member.workspaceId, 'memberCount', now).catch((error: unknown) => {
      if (!(error instanceof ConditionFailed)) throw error;
      if (error.label === 'invitation') explainTransition('accept', error.current, now);
      if (error.label === 'member' || error.label === 'claim') throw new Refused('already-member');
      if (error.label === 'creator') explainCreatorRefusal(invitation, creator, error.current);
      if (error.label === WORKSPACE_WRITE && this.counts.countFailed(error.current, 'memberCount'))
        throw new Refused('members-limit', { limit: this.counts.limitOf('memberCount') });
      throw new Refused('workspace-gone');
    });
  }

  async declineInvitation(invitation: Invitation, now: Date): Promise<void> {
    await this.table
      .transact([this.statusChange(invitation, 'DECLINED', now, 'PENDING'), this.releaseClaim(invitation)])
      .catch(transitionFailure('decline', now));
  }

  async withdrawInvitation(
    invitation: Invitation,
    grantedMember: Member | undefined,
    authorizedBy: RoleRequirement | undefined,
    now: Date,
  ): Promise<void> {
    const writes: Write[] = [this.statusChange(invitation, 'REVOKED', now, invitation.status)];
    // A live invitation holds its address's claim; an accepted one passed it on to the membership it granted.
    if (invitation.status === 'PENDING' || grantedMember) writes.push(this.releaseClaim(invitation));
    // When the caller withdraws the invitation that made them a member, their role is checked on
    // the membership being deleted: a transaction may touch each item only once.
    const selfGranted = authorizedBy && grantedMember && authorizedBy.userId === grantedMember.userId;
    if (grantedMember) {
      // The member still holds the role the caller's right to remove them was decided on.
      const granted = {
        expression: 'invitationId = :invitation AND #role = :grantedRole',
        names: { '#role': 'role' },
        values: { ':invitation': invitation.id, ':grantedRole': grantedMember.role },
      };
      const condition = selfGranted ? allOf(granted, holdsRole(authorizedBy.roles)) : granted;
      writes.push(
        this.table.delete('member', memberCodec.key(grantedMember.workspaceId, grantedMember.userId), condition),
      );
      // The membership's end names who withdrew (the invitation's id fixes which membership it is).
      if (invitation.changedBy !== undefined) {
        writes.push(this.table.put('removal', removalCodec.ofMember(grantedMember, invitation.changedBy, now)));
      }
      if (grantedMember.role === 'OWNER') writes.push(ownerRemoved(this.table, grantedMember.workspaceId));
    }
    if (authorizedBy && !selfGranted) writes.push(roleCheck(this.table, authorizedBy));
    await this.table.transact(writes).catch((error: unknown) => {
      if (error instanceof ConditionFailed && error.label === 'owners')
        throw new Refused('withdraw-removes-last-owner');
      if (error instanceof ConditionFailed && error.label === 'member') throw new Refused('granted-membership-changed');
      return transitionFailure('withdraw', now)(error);
    });
  }

  async deleteInvitation(
    invitation: Invitation,
    removedBy: string,
    authorizedBy: RoleRequirement | undefined,
    now: Date,
  ): Promise<void> {
    const writes: Write[] = [
      this.table.delete(
        'invitation',
        invitationCodec.key(invitation.id),
        { expression: '#status = :status', names: { '#status': 'status' }, values: { ':status': invitation.status } },
        true,
      ),
      // The stream's record of the deletion holds only the invitation: this names who deleted it.
      this.table.put('removal', removalCodec.ofInvitation(invitation.id, removedBy, now)),
    ];
    // Only a live invitation still holds its address's claim; an expired one's claim may already be another's.
    if (effectiveStatus(invitation, now) === 'PENDING') writes.push(this.releaseClaim(invitation));
    if (authorizedBy) writes.push(roleCheck(this.table, authorizedBy));
    await this.table.transact(writes).catch(transitionFailure('delete', now));
  }

  /** Replaces the invitation's expiry and delivery with `resent`'s, if no other send was requested meanwhile. */
  async resendInvitation(
    previous: Invitation,
    resent: Invitation,
    authorizedBy: RoleRequirement | undefined,
    now: Date,
  ): Promise<void> {
    const nowIso = now.toISOString();
    // Optimistic: the send number read before must still be the latest, so two resends racing
    // through the cool-down check cannot both queue an email.
    const sameSend = previous.delivery
      ? {
          expression:
            'delivery.sendNumber = :previousSend AND (delivery.#status <> :sending OR delivery.leaseUntil <= :now)',
          values: { ':previousSend': previous.delivery.sendNumber, ':sending': 'SENDING' },
        }
      : { expression: 'attribute_not_exists(delivery)' };
    // The new send is owed from now on: the email sweep watches it until it settles.
    const owed = emailStateUpdate('OWED', resent.id, nowIso);
    const expiring = expiryIndexUpdate(resent.id, resent.expiresAt);
    const listed = listKeyUpdate('PENDING', resent.expiresAt);
    const writes: Write[] = [
      this.table.update(
        'invitation',
        invitationCodec.key(resent.id),
        {
          expression: `SET expiresAt = :expiresAt, #ttl = :purge, lastModified = :now, delivery = :delivery, changedBy = :changedBy, ${owed.expression}, ${expiring.expression}, ${listed.expression}`,
          names: { ...owed.names, ...expiring.names, ...listed.names, '#ttl': TABLE.ttlAttribute },
          values: {
            ...owed.values,
            ...expiring.values,
            ...listed.values,
            ':changedBy': resent.changedBy,
            ':now': nowIso,
            ':expiresAt': resent.expiresAt,
            ':purge': purgeAfter(resent.expiresAt),
            ':delivery': resent.delivery,
          },
        },
        allOf(live(now), sameSend),
        true,
      ),
      // The address stays claimed for as long as the invitation now lives.
      this.table.update(
        'claim',
        claimCodec.key(resent.workspaceId, resent.email),
        {
          expression: 'SET expiresAt = :expiresAt, #ttl = :expiry',
          names: { '#ttl': TABLE.ttlAttribute },
          values: { ':expiresAt': resent.expiresAt, ':expiry': ttlAt(resent.expiresAt) },
        },
        { expression: 'invitationId = :invitation', values: { ':invitation': resent.id } },
      ),
    ];
    if (authorizedBy) writes.push(roleCheck(this.table, authorizedBy));
    await this.table.transact(writes).catch((error: unknown) => {
      if (!(error instanceof ConditionFailed)) throw error;
      if (error.label === 'role') throw new Refused('role-forbids-invitation-change');
      if (error.label !== 'invitation') throw new Refused('invitation-changed');
      const current = invitationCodec.fromItem(error.current);
      if (!current) throw new Refused('invitation-not-found');
      assertResendAllowed(effectiveStatus(current, now));
      throw new Refused('email-in-progress', {
        retryAfterSeconds: Math.max(1, coolDownRemaining(lastSendRequestedAt(current), now)),
      });
    });
  }

  /**
   * Moves an invitation from `from` to `to`, by `invitation.changedBy`; a PENDING one only while
   * it is live. It leaves the expiry index: it will never expire now.
   */
  private statusChange(invitation: Invitation, to: StoredStatus, now: Date, from: string): Write {
    const filed = refiled(to, invitation);
    const { changedBy } = invitation;
    const set = `SET #status = :to, lastModified = :now, ${filed.set.expression}`;
    return this.table.update(
      'invitation',
      invitationCodec.key(invitation.id),
      {
        expression:
          changedBy === undefined
            ? `${set} REMOVE changedBy, ${LEAVE_EXPIRY_INDEX}`
            : `${set}, changedBy = :changedBy REMOVE ${LEAVE_EXPIRY_INDEX}`,
        names: { '#status': 'status', ...filed.set.names },
        values: {
          ':to': to,
          ':now': now.toISOString(),
          ...filed.set.values,
          ...(changedBy === undefined ? {} : { ':changedBy': changedBy }),
        },
      },
      allOf(inStatus(from, now), filed.unchanged),
      true,
    );
  }

  /** Deletes the invitation's address claim, unless it is already another's. */
  private releaseClaim(invitation: Invitation): Write {
    return this.table.delete(
      'claim',
      claimCodec.key(invitation.workspaceId, invitation.email),
      claimHeldBy('invitationId', invitation.id),
    );
  }
}

function transitionFailure(transition: Transition, now: Date) {
  return (error: unknown): never => {
    if (!(error instanceof ConditionFailed)) throw error;
    if (error.label === 'invitation') explainTransition(transition, error.current, now);
    if (error.label === 'role') throw new Refused('role-forbids-invitation-change');
    throw new Refused('invitation-changed');
  };
}

/** The invitation's condition failed: say why, from the item as it is now. */
function explainTransition(transition: Transition, current: Item | undefined, now: Date): never {
  const invitation = invitationCodec.fromItem(current);
  if (!invitation) throw new Refused('invitation-not-found');
  assertTransition(transition, effectiveStatus(invitation, now));
  throw new Refused('invitation-changed');
}

/** An accept refused because of the invitation's creator: why, from their membership as it is now. */
function explainCreatorRefusal(
  invitation: Invitation,
  creator: CreatorAuthority | undefined,
  current: Item | undefined,
): never {
  const member = memberCodec.fromItem(current);
  const sameMembership =
    member !== undefined &&
    (creator?.joinedAt ? member.joinedAt === creator.joinedAt : String(member.joinedAt) <= invitation.created);
  if (!member || !sameMembership) throw new Refused('creator-no-longer-member');
  throw new Refused('creator-cannot-grant', { creatorRole: member.role, invitedRole: invitation.role });
}
