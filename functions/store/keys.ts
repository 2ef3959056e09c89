/** Key shapes of every entity in the table (see README, "Data model"). */
import type { StoredStatus } from '../domain/invitation';
import { type IndexName, TABLE } from './table-definition';

export const ENTITY = {
  workspace: 'Workspace',
  member: 'Member',
  invitation: 'Invitation',
  emailClaim: 'EmailClaim',
  emailAllowance: 'EmailAllowance',
  workspaceCounts: 'WorkspaceCounts',
  renameWindow: 'RenameWindow',
  workspaceQuota: 'WorkspaceQuota',
  removal: 'Removal',
} as const;

/** An item's primary key, named as the table definition names it. */
function primary(partition: string, sort: string): Record<string, string> {
  return { [TABLE.partitionKey]: partition, [TABLE.sortKey]: sort };
}

export const keys = {
  workspace: (workspaceId: string) => primary(`WS#${workspaceId}`, 'WORKSPACE'),
  member: (workspaceId: string, userId: string) => primary(`WS#${workspaceId}`, `MEMBER#${userId}`),
  invitation: (invitationId: string) => primary(`INV#${invitationId}`, 'INVITATION'),
  /**
   * One item per (workspace, email) that is either invited (a live PENDING invitation) or a
   * member. It makes "one live invitation per address" and "never invite a member" atomic.
   */
  emailClaim: (workspaceId: string, email: string) => primary(`WS#${workspaceId}`, `EMAIL#${email}`),
  /** How many invitation emails a person asked for on one UTC day; TTL removes it afterwards. */
  emailAllowance: (userId: string, day: string) => primary(`USER#${userId}`, `EMAILS#${day}`),
  /**
   * A workspace's member and pending-invitation counts, which the limits are checked against.
   * Only ever counted up; a recount (when a limit seems reached) brings them back to the truth.
   */
  workspaceCounts: (workspaceId: string) => primary(`WS#${workspaceId}`, 'COUNTS'),
  /** Renames of a workspace in one UTC minute; TTL removes it afterwards. */
  renameWindow: (workspaceId: string, minute: string) => primary(`WS#${workspaceId}`, `RENAMES#${minute}`),
  /** How many workspaces a person has created. */
  workspaceQuota: (userId: string) => primary(`USER#${userId}`, 'WORKSPACES'),
  /**
   * Who deleted an invitation, written in the deletion's transaction (an invitation id is deleted
   * at most once); TTL removes it afterwards.
   */
  invitationRemoval: (invitationId: string) => primary(`INV#${invitationId}`, 'REMOVAL'),
  /**
   * Who ended a membership, written in the removal's transaction. The membership's joinedAt tells
   * one membership of a person from a later one, so a rejoined member's removal never replaces it.
   */
  memberRemoval: (workspaceId: string, userId: string, joinedAt: string) =>
    primary(`WS#${workspaceId}`, `REMOVAL#MEMBER#${userId}#${joinedAt}`),
};

export const invitationPartition = (invitationId: string) => `INV#${invitationId}`;

/** An item's keys in one global secondary index, named as the table definition names them. */
export function indexKeys(index: IndexName, partition: string, sort: string): Record<string, string> {
  const { partitionKey, sortKey } = TABLE.indexes[index];
  return { [partitionKey]: partition, [sortKey]: sort };
}

export const userPartition = (userId: string) => `USER#${userId}`;
export const emailPartition = (email: string) => `EMAIL#${email}`;
export const workspacePartition = (workspaceId: string) => `WS#${workspaceId}`;

/**
 * An invitation's sort key in the list indexes (see table-definition.ts): its stored status, then
 * its expiry, so each status is a key range and PENDING splits at "now" into live and EXPIRED.
 */
export const listSortKey = (status: StoredStatus, expiresAt: string) => `${status}#${expiresAt}`;
/** The sort-key prefix of one status range. */
export const statusRange = (status: StoredStatus) => `${status}#`;

export const MEMBER_PREFIX = 'MEMBER#';
export const EMAIL_CLAIM_PREFIX = 'EMAIL#';
export const INVITATION_PREFIX = 'INV#';
export const WORKSPACE_PREFIX = 'WS#';

/**
 * The email-state index (see table-definition.ts): a send still owed (QUEUED, SENDING, RETRYING),
 * held for the operator, or failed for good. Each state is spread over a few partitions by
 * invitation id, so that a burst of invitations does not write to one index partition.
 */
export type EmailState = 'OWED' | 'HELD' | 'FAILED';
export const EMAIL_STATE_SHARDS = 4;

export function emailStatePartition(state: EmailState, shard: number): string {
  return `EMAILS#${state}#${shard}`;
}

function shardOf(invitationId: string, shards = EMAIL_STATE_SHARDS): number {
  let sum = 0;
  for (const character of invitationId) sum = (sum + character.charCodeAt(0)) % 9973;
  return sum % shards;
}

/** The email-state index keys of an invitation whose send has been in `state` since `since`. */
export function emailStateKeys(state: EmailState, invitationId: string, since: string): Record<string, string> {
  const { partitionKey, sortKey } = TABLE.indexes.byEmailState;
  // The entry's table key names the invitation; the sort key need not repeat it.
  return { [partitionKey]: emailStatePartition(state, shardOf(invitationId)), [sortKey]: since };
}

/**
 * The expiry index (see table-definition.ts): a PENDING invitation not yet announced as expired,
 * under one of a few partitions by invitation id, sorted by its expiry.
 */
export const EXPIRY_SHARDS = 4;

export function expiryPartition(shard: number): string {
  return `EXPIRES#${shard}`;
}

/** The expiry index keys of a PENDING invitation that expires at `expiresAt`. */
export function expiryKeys(invitationId: string, expiresAt: string): Record<string, string> {
  const { partitionKey, sortKey } = TABLE.indexes.byExpiry;
  return {
    [partitionKey]: expiryPartition(shardOf(invitationId, EXPIRY_SHARDS)),
    [sortKey]: expiresAt,
  };
}
