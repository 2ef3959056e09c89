/**
 * The invitation item: the one place that maps an invitation to its item, its keys in the byUser,
 * byEmail and byWorkspace indexes (filed by status and expiry), the email-state and expiry
 * indexes, and that states, once, what "still live" means in a condition.
 */
import { type Invitation, purgeAfter, type StoredStatus } from '../../domain/invitation';
import type { Expression } from '../dynamo/expression';
import type { Item } from '../dynamo/table';
import {
  type EmailState,
  ENTITY,
  emailPartition,
  emailStateKeys,
  expiryKeys,
  INVITATION_PREFIX,
  indexKeys,
  keys,
  listSortKey,
  userPartition,
  workspacePartition,
} from '../keys';
import { TABLE } from '../table-definition';
import { metadataAttribute, strip, WORKSPACE_VERSION, withMetadata } from './item';

export const invitationCodec = {
  key: keys.invitation,
  /** A new invitation: listed under its creator, its address and its workspace, and owed an email. */
  toItem(invitation: Invitation, workspaceVersion: string): Item {
    const sortKey = listSortKey('PENDING', invitation.expiresAt);
    // The id is the table key's: the item does not repeat it.
    const { id, ...stored } = invitation;
    return {
      ...keys.invitation(id),
      entity: ENTITY.invitation,
      ...stored,
      [WORKSPACE_VERSION]: workspaceVersion,
      ...indexKeys('byUser', userPartition(invitation.creatorId), sortKey),
      ...indexKeys('byEmail', emailPartition(invitation.email), sortKey),
      ...indexKeys('byWorkspace', workspacePartition(invitation.workspaceId), sortKey),
      ...emailStateKeys('OWED', invitation.id, invitation.created),
      ...expiryKeys(invitation.id, invitation.expiresAt),
      ...metadataAttribute(invitation.metadata),
      [TABLE.ttlAttribute]: purgeAfter(invitation.expiresAt),
    };
  },
  fromItem: (item: Item | undefined): Invitation | undefined =>
    item?.entity === ENTITY.invitation
      ? withMetadata({ ...strip<Invitation>(item), id: invitationIdOf(item) })
      : undefined,
};

/** The invitation's id, from its table key (items written before the key alone carried it hold it twice). */
export function invitationIdOf(item: Item): string {
  return String(item[TABLE.partitionKey]).slice(INVITATION_PREFIX.length);
}

/** REMOVE clause names that take an invitation out of the expiry index. */
export const LEAVE_EXPIRY_INDEX = `${TABLE.indexes.byExpiry.partitionKey}, ${TABLE.indexes.byExpiry.sortKey}`;

/** SET clauses that file the invitation in the expiry index at its (new) expiry. */
export function expiryIndexUpdate(invitationId: string, expiresAt: string): Expression {
  const index = TABLE.indexes.byExpiry;
  const indexed = expiryKeys(invitationId, expiresAt);
  return {
    expression: '#expiryPartition = :expiryPartition, #expirySort = :expirySort',
    names: { '#expiryPartition': index.partitionKey, '#expirySort': index.sortKey },
    values: { ':expiryPartition': indexed[index.partitionKey], ':expirySort': indexed[index.sortKey] },
  };
}

/** SET clause that files the invitation under `status` and `expiresAt` in the list indexes. */
export function listKeyUpdate(status: StoredStatus, expiresAt: string): Expression {
  return {
    expression: '#listSK = :listSK',
    names: { '#listSK': TABLE.indexes.byWorkspace.sortKey },
    values: { ':listSK': listSortKey(status, expiresAt) },
  };
}

/**
 * Moving a read invitation to another status keeps its place in time: the SET clause, and the
 * condition that its expiry is still the one read (a resend meanwhile makes the move retry).
 */
export function refiled(
  to: StoredStatus,
  invitation: Pick<Invitation, 'expiresAt'>,
): { set: Expression; unchanged: Expression } {
  return {
    set: listKeyUpdate(to, invitation.expiresAt),
    unchanged: { expression: 'expiresAt = :filedExpiry', values: { ':filedExpiry': invitation.expiresAt } },
  };
}

/** Names every invitation expression may use. */
const NAMES = { '#status': 'status' };

/** The invitation is PENDING and has not expired at `now`: the one statement of the expiry rule. */
export function live(now: Date): Expression {
  return {
    expression: '#status = :pending AND expiresAt > :now',
    names: NAMES,
    values: { ':pending': 'PENDING', ':now': now.toISOString() },
  };
}

/** The invitation is PENDING but past its expiry at `now`: shown as EXPIRED (the complement of `live` among PENDING ones). */
export function expired(now: Date): Expression {
  return {
    expression: '#status = :pending AND expiresAt <= :now',
    names: NAMES,
    values: { ':pending': 'PENDING', ':now': now.toISOString() },
  };
}

/** The invitation is in `status` (a PENDING one only while live). */
export function inStatus(status: string, now: Date): Expression {
  if (status === 'PENDING') return live(now);
  return { expression: '#status = :from', names: NAMES, values: { ':from': status } };
}

/** SET clauses that put the invitation's send in `state`'s partition of the email-state index since `since`. */
export function emailStateUpdate(state: EmailState, invitationId: string, since: string): Expression {
  const index = TABLE.indexes.byEmailState;
  const indexed = emailStateKeys(state, invitationId, since);
  return {
    expression: '#statePartition = :statePartition, #stateSince = :stateSince',
    names: { '#statePartition': index.partitionKey, '#stateSince': index.sortKey },
    values: { ':statePartition': indexed[index.partitionKey], ':stateSince': indexed[index.sortKey] },
  };
}
