import type { EmailFeedback } from '../domain/delivery';
import type { Invitation, Status } from '../domain/invitation';
import type { Role } from '../domain/roles';
import type { Member, Workspace } from '../domain/workspace';

export interface PageRequest {
  size: number;
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  /** Zero-based. */
  pageNumber: number;
  nextCursor?: string;
}

/**
 * A caller whose right to write comes from their workspace role. The store re-checks that role
 * inside the write's transaction, so a concurrent demotion or removal cannot slip through.
 */
export interface RoleRequirement {
  workspaceId: string;
  userId: string;
  roles: readonly Role[];
  /** When given, the membership must also still be the one that began then (not a later one). */
  joinedAt?: string;
}

/** One invitation email counted against a person's daily allowance, inside the write that asks for it. */
export interface EmailAllowanceCharge {
  userId: string;
  /** The UTC day (YYYY-MM-DD) it counts against. */
  day: string;
  /** At most this many emails that day. */
  limit: number;
  /** The count is kept until then. */
  keepUntil: Date;
}

/**
 * What accepting an invitation re-checks about its creator inside the transaction: they are
 * still a member holding one of `roles`, in the membership they invited from (the one that began
 * at `joinedAt`; for invitations that did not record it, one that began before `createdBefore`).
 */
export interface CreatorAuthority extends RoleRequirement {
  joinedAt?: string;
  createdBefore: string;
}

/** A membership that ended (the member left or was removed), as the table stream reports it. */
export interface EndedMembership {
  workspaceId: string;
  userId: string;
  joinedAt: string;
  /** The user whose request ended it (the member, when they left); absent when none is known. */
  endedBy?: string;
}

/** The workspace changed between reading and writing it: read it again and reapply the change. */
export class WorkspaceChanged extends Error {
  constructor() {
    super('The workspace was changed by another request meanwhile.');
    this.name = 'WorkspaceChanged';
  }
}

/** The outcome of trying to take one send request of an invitation for delivery. */
export type DeliveryClaim =
  | { claimed: true; invitation: Invitation }
  /** Another attempt holds the send and its lease has not run out yet. */
  | { claimed: false; reason: 'in-progress'; leaseUntil: Date }
  /** Owed, but the item cannot be claimed as it is: `problem` names the field. */
  | { claimed: false; reason: 'invalid'; problem: string }
  /** Nothing to send: already sent or failed, replaced by a newer send, or the invitation is no longer live. */
  | { claimed: false; reason: 'settled' };

export type DeliveryResult =
  | { status: 'SENT'; messageId?: string }
  /** FAILED is final for this send; HELD waits for a re-drive; RETRYING releases it for the next attempt. */
  | { status: 'FAILED' | 'HELD' | 'RETRYING'; failure: string };

/** A send found in the email-state index, with its invitation as it is now (absent once deleted). */
export interface UnsettledSend {
  invitationId: string;
  /** The index partition it was found in, so that clearing it cannot undo a newer state. */
  indexPartition: string;
  invitation?: Invitation;
}

/** The email sender's, the sweep's and SES feedback's view of the invitation item (functions/store/email-delivery-store.ts). */
export interface EmailDeliveries {
  /** Takes the send for one attempt until `leaseUntil`, counting the attempt. */
  claimDelivery(invitationId: string, sendNumber: number, leaseUntil: Date, now: Date): Promise<DeliveryClaim>;
  /** Records how a claimed send ended; false when the send is no longer the one this attempt holds. */
  recordDelivery(invitationId: string, sendNumber: number, result: DeliveryResult, now: Date): Promise<boolean>;
  /**
   * Fails an owed send that cannot even be claimed (its send number or expiry is unusable);
   * `sendNumber` is the stored value as it is, whatever its type.
   */
  failUnclaimable(invitationId: string, sendNumber: unknown, failure: string, now: Date): Promise<boolean>;
  /**
   * Records a bounce or complaint on the send it is about. `not-yet-sent`: that send is still
   * being sent (SES reported before the sender recorded it); `stale`: a newer send replaced it,
   * or the invitation is gone.
   */
  recordDeliveryFeedback(feedback: EmailFeedback, now: Date): Promise<'recorded' | 'not-yet-sent' | 'stale'>;
  /** Up to `limit` sends that entered `state` before `before`, oldest first within each index partition. */
  listUnsettled(state: 'OWED' | 'HELD' | 'FAILED', before: Date, limit: number): Promise<UnsettledSend[]>;
  /** Queues the observed send again, provided nothing changed it since it was read. */
  requeue(observed: Invitation, now: Date): Promise<boolean>;
  /** Takes a settled invitation out of the email-state index partition it was found in. */
  leaveEmailStates(invitationId: string, indexPartition: string): Promise<boolean>;
  countInState(state: 'OWED' | 'HELD' | 'FAILED'): Promise<number>;
}

export interface WorkspaceInvitationFilter {
  status?: Status;
  creatorId?: string;
}

/** The workspace aggregate: workspaces, members and their address claims (functions/store/workspace-store.ts). */
export interface WorkspaceStore {
  createWorkspace(workspace: Workspace, owner: Member): Promise<void>;
  getWorkspaceAndMember(workspaceId: string, userId: string): Promise<{ workspace?: Workspace; member?: Member }>;
  getMembers(workspaceId: string, userIds: readonly string[]): Promise<Map<string, Member>>;
  /** One user's memberships among the given workspaces, keyed by workspace id. */
  /**
   * Stores the workspace's new settings, provided it is still at `previousVersion` (its
   * lastModified when read); otherwise throws WorkspaceChanged, and nothing is written.
   * `renamed`: the name changes, which counts against the workspace's renames per minute.
   */
  updateWorkspace(
    workspace: Workspace,
    previousVersion: string,
    authorizedBy: RoleRequirement,
    renamed: boolean,
  ): Promise<void>;
  listMembers(workspaceId: string, page: PageRequest): Promise<Page<Member>>;
  listWorkspacesOf(userId: string, page: PageRequest): Promise<Page<{ workspace: Workspace; member: Member }>>;
  /** Ends the membership as read (the one that began at its joinedAt), recording that `removedBy` did it. */
  removeMember(member: Member, removedBy: string, authorizedBy: RoleRequirement | undefined, now: Date): Promise<void>;
}

/** The invitation lifecycle (functions/store/invitation-store.ts). */
export interface InvitationStore {
  getInvitation(invitationId: string): Promise<Invitation | undefined>;
  /**
   * Stores a new invitation while the caller still holds one of `authorizedBy.roles` and the
   * workspace is still at `workspaceVersion` (the lastModified the invitation was built from),
   * counting its email against `allowance` in the same transaction (refused with
   * `email-allowance-used-up` when that day's emails are used up).
   */
  createInvitation(
    invitation: Invitation,
    authorizedBy: RoleRequirement,
    workspaceVersion: string,
    now: Date,
    allowance?: EmailAllowanceCharge,
  ): Promise<void>;
  /** Creates the membership, provided the creator still has the authority `creator` describes (when given). */
  acceptInvitation(
    invitation: Invitation,
    member: Member,
    creator: CreatorAuthority | undefined,
    now: Date,
  ): Promise<void>;
  declineInvitation(invitation: Invitation, now: Date): Promise<void>;
  /** `grantedMember` is the membership the invitation created, when withdrawing an ACCEPTED one. */
  withdrawInvitation(
    invitation: Invitation,
    grantedMember: Member | undefined,
    authorizedBy: RoleRequirement | undefined,
    now: Date,
  ): Promise<void>;
  /** Deletes the invitation, recording that `removedBy` did it. */
  deleteInvitation(
    invitation: Invitation,
    removedBy: string,
    authorizedBy: RoleRequirement | undefined,
    now: Date,
  ): Promise<void>;
  /** Replaces the invitation's expiry and delivery with `resent`'s, if no other send was requested meanwhile. */
  resendInvitation(
    previous: Invitation,
    resent: Invitation,
    authorizedBy: RoleRequirement | undefined,
    now: Date,
  ): Promise<void>;
}

/** The invitation lists (functions/store/invitation-lists.ts). */
export interface InvitationLists {
  /** With the sender's memberships in the page's workspaces (by workspace id), which decide what they still see. */
  listSentInvitations(
    creatorId: string,
    filter: { status?: Status },
    page: PageRequest,
    now: Date,
  ): Promise<Page<Invitation> & { memberships: ReadonlyMap<string, Member> }>;
  listReceivedInvitations(
    email: string,
    filter: { status?: Status },
    page: PageRequest,
    now: Date,
  ): Promise<Page<Invitation>>;
  listWorkspaceInvitations(
    workspaceId: string,
    filter: WorkspaceInvitationFilter,
    page: PageRequest,
    now: Date,
  ): Promise<Page<Invitation>>;
}

/** What a workspace's changes do to its invitations (functions/store/workspace-invitations.ts). */
export interface WorkspaceInvitations {
  /**
   * Gives the workspace's invitations its name as of `version` (its lastModified), unless they
   * already carry a newer one; returns how many invitations changed.
   */
  renameWorkspaceInvitations(workspaceId: string, name: string, version: string): Promise<number>;
  /**
   * Withdraws the live PENDING invitations the membership created (system admins' excepted) and
   * releases their addresses; returns how many were withdrawn.
   */
  revokeInvitationsOf(membership: EndedMembership, now: Date): Promise<number>;
}

/** The daily allowance of invitation emails (functions/store/email-allowance-store.ts). */
export interface EmailAllowances {
  /**
   * Counts one email against `userId`'s allowance for `day` (YYYY-MM-DD), unless `limit` emails
   * were already counted; false then. The count is kept until `keepUntil`.
   */
  takeEmailAllowance(userId: string, day: string, limit: number, keepUntil: Date): Promise<boolean>;
  /** Gives back one email taken for `day` whose request then failed. */
  returnEmailAllowance(userId: string, day: string): Promise<void>;
}

/** PENDING invitations past their expiry (functions/store/expiry-store.ts). */
export interface InvitationExpiries {
  /** The keys of up to `limit` invitations in the expiry index whose expiry is at or before `now`. */
  listExpired(now: Date, limit: number): Promise<Record<string, string>[]>;
  /** Records that the invitation expired, provided it is still PENDING and past its expiry; false otherwise. */
  recordExpiry(key: Record<string, string>, now: Date): Promise<boolean>;
}

/**
 * Everything the use cases need from persistence, one store per aggregate; built over DynamoDB by
 * functions/store/stores.ts. Stores refuse with Refused (./refused.ts).
 */
export interface Stores {
  workspaces: WorkspaceStore;
  invitations: InvitationStore;
  invitationLists: InvitationLists;
  workspaceInvitations: WorkspaceInvitations;
  allowances: EmailAllowances;
}
