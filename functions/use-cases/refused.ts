/**
 * What the stores refuse, by reason: a condition of the table that the request did not meet.
 * Stores raise these with the facts a person needs to understand the refusal; the wording, and
 * the HTTP status, live with the HTTP mapping (functions/http/refusals.ts).
 */
export type RefusalReason =
  /** The caller created as many workspaces as one person may (facts: limit). */
  | 'workspace-quota-reached'
  /** The workspace was renamed as often this minute as it may be (facts: limit, retryAfterSeconds). */
  | 'renames-rationed'
  | 'workspace-not-found'
  /** The workspace's invitation no longer has a workspace to join. */
  | 'workspace-gone'
  | 'member-not-found'
  | 'invitation-not-found'
  /** The caller's role (re-checked in the write) does not allow the change. */
  | 'role-forbids-workspace-change'
  | 'role-forbids-member-removal'
  | 'role-forbids-invitation'
  | 'role-forbids-invitation-change'
  | 'last-owner'
  | 'withdraw-removes-last-owner'
  | 'membership-changed'
  | 'granted-membership-changed'
  /** The workspace changed between the invitation's read of it and its write. */
  | 'workspace-changed'
  | 'invitation-changed'
  | 'address-is-member'
  | 'address-already-invited'
  | 'already-member'
  | 'creator-no-longer-member'
  /** The creator's role no longer grants the invited one (facts: creatorRole, invitedRole). */
  | 'creator-cannot-grant'
  /** The workspace holds as many pending invitations as it may (facts: limit). */
  | 'pending-invitations-limit'
  /** The workspace has as many members as it may (facts: limit). */
  | 'members-limit'
  /** The caller asked for as many invitation emails today as one person may (facts: limit). */
  | 'email-allowance-used-up'
  /** An email for the invitation was just requested or is being sent (facts: retryAfterSeconds). */
  | 'email-in-progress'
  | 'resource-exists'
  | 'counts-contended'
  /** A concurrent transaction kept changing the same items. */
  | 'concurrent-change';

export interface RefusalFacts {
  limit?: number;
  retryAfterSeconds?: number;
  creatorRole?: string;
  invitedRole?: string;
}

export class Refused extends Error {
  constructor(
    readonly reason: RefusalReason,
    readonly facts: RefusalFacts = {},
  ) {
    super(`refused: ${reason}`);
    this.name = 'Refused';
  }
}
