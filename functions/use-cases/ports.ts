import type { Invitation, Status } from '../domain/invitation';
import type { Role } from '../domain/roles';
import type { Member, Workspace } from '../domain/workspace';
import type { EmailFeedback } from '../email/feedback';

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
  /** Another attempt holds the send and its lease has not run out yet: try again later. */
  | { claimed: false; reason: 'in-progress' }
  /** Nothing to send: already sent or failed, replaced by a newer send, or the invitation is no longer live. */
  | { claimed: false; reason: 'settled' };

export type DeliveryResult =
  | { status: 'SENT'; messageId?: string }
  /** FAILED is final for this send; RETRYING releases it for the next attempt. */
  | { status: 'FAILED' | 'RETRYING'; failure: string };

export interface WorkspaceInvitationFilter {
  status?: Status;
  creatorId?: string;
}

/** Everything the use cases need from persistence. The DynamoDB adapter is functions/store/dynamo-store.ts. */
export interface Store {
  createWorkspace(workspace: Workspace, owner: Member): Promise<void>;
  getWorkspaceAndMember(workspaceId: string, userId: string): Promise<{ workspace?: Workspace; member?: Member }>;
  getMembers(workspaceId: string, userIds: readonly string[]): Promise<Map<string, Member>>;
  /**
   * Stores the workspace's new settings, provided it is still at `previousVersion` (its
   * lastModified when read); otherwise throws WorkspaceChanged, and nothing is written.
   */
  /** `renamed`: the name changes, which counts against the workspace's renames per minute. */
  updateWorkspace(
    workspace: Workspace,
    previousVersion: string,
    authorizedBy: RoleRequirement,
    renamed: boolean,
  ): Promise<void>;
  listMembers(workspaceId: string, page: PageRequest): Promise<Page<Member>>;
  listWorkspacesOf(userId: string, page: PageRequest): Promise<Page<{ workspace: Workspace; member: Member }>>;
  removeMember(member: Member, authorizedBy?: RoleRequirement): Promise<void>;

  getInvitation(invitationId: string): Promise<Invitation | undefined>;
  /**
   * Stores a new invitation while the caller still holds one of `authorizedBy.roles` and the
   * workspace is still at `workspaceVersion` (the lastModified the invitation was built from).
   */
  createInvitation(
    invitation: Invitation,
    authorizedBy: RoleRequirement,
    workspaceVersion: string,
    now: Date,
  ): Promise<void>;
  /**
   * Gives the workspace's invitations its name as of `version` (its lastModified), unless they
   * already carry a newer one; returns how many invitations changed.
   */
  renameWorkspaceInvitations(workspaceId: string, name: string, version: string): Promise<number>;
  acceptInvitation(invitation: Invitation, member: Member, now: Date): Promise<void>;
  declineInvitation(invitation: Invitation, now: Date): Promise<void>;
  /** `grantedMember` is the membership the invitation created, when withdrawing an ACCEPTED one. */
  withdrawInvitation(
    invitation: Invitation,
    grantedMember: Member | undefined,
    authorizedBy: RoleRequirement | undefined,
    now: Date,
  ): Promise<void>;
  deleteInvitation(invitation: Invitation, authorizedBy: RoleRequirement | undefined, now: Date): Promise<void>;
  /** Replaces the invitation's expiry and delivery with `resent`'s, if no other send was requested meanwhile. */
  resendInvitation(
    previous: Invitation,
    resent: Invitation,
    authorizedBy: RoleRequirement | undefined,
    now: Date,
  ): Promise<void>;
  /**
   * Counts one email against `userId`'s allowance for `day` (YYYY-MM-DD), unless `limit` emails
   * were already counted; false then. The count is kept until `keepUntil`.
   */
  takeEmailAllowance(userId: string, day: string, limit: number, keepUntil: Date): Promise<boolean>;
  /** Gives back one email taken for `day` whose request then failed. */
  returnEmailAllowance(userId: string, day: string): Promise<void>;
  /** Takes send number `sendNumber` for delivery until `leaseUntil`, unless it is settled or held by another attempt. */
  claimDelivery(invitationId: string, sendNumber: number, leaseUntil: Date, now: Date): Promise<DeliveryClaim>;
  /** Records how a claimed send ended; false when the send is no longer the one this attempt holds. */
  recordDelivery(invitationId: string, sendNumber: number, result: DeliveryResult, now: Date): Promise<boolean>;
  /**
   * Records a bounce or complaint on the send it is about, once that send is recorded as sent:
   * 'not-yet-sent' while it is still being sent, 'stale' when the invitation has moved on to
   * another send or is gone.
   */
  recordDeliveryFeedback(feedback: EmailFeedback, now: Date): Promise<'recorded' | 'not-yet-sent' | 'stale'>;
  listSentInvitations(creatorId: string, page: PageRequest): Promise<Page<Invitation>>;
  listReceivedInvitations(email: string, page: PageRequest): Promise<Page<Invitation>>;
  listWorkspaceInvitations(
    workspaceId: string,
    filter: WorkspaceInvitationFilter,
    page: PageRequest,
    now: Date,
  ): Promise<Page<Invitation>>;
}
