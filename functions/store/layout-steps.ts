/**
 * The steps that bring items written by older versions of the service to the current layout,
 * in the order they run (bin/migrate.ts). Each is a pure function from an item, as a scan reads
 * it, to the one conditional update it needs, or none: the condition states what the item must
 * still be for the update to be right, so an item that changed (or went) since it was read is
 * left alone, and a step run twice finds nothing more to do. A new layout change adds an entry.
 */
import { STORED_STATUSES, type StoredStatus } from '../domain/invitation';
import { expiryIndexUpdate, invitationIdOf, listKeyUpdate } from './codecs/invitation';
import { allOf, type Expression } from './dynamo/expression';
import type { Item } from './dynamo/table';
import { ENTITY, WORKSPACE_PREFIX } from './keys';
import { LEGACY_ATTRIBUTES, TABLE } from './table-definition';

export interface LayoutUpdate {
  update: Expression;
  /** What the item must still be: also that it exists, so that no update brings back a deleted item. */
  condition: Expression;
}

export interface LayoutStep {
  /** Short and stable: the migration's report counts by it. */
  readonly name: string;
  readonly description: string;
  /** Pure: the update `item` needs to reach this step's layout, or undefined when it needs none. */
  updateFor(item: Item): LayoutUpdate | undefined;
}

/**
 * Invitations created before the expiry index (GSI5) carry no keys in it, so the expiry sweep
 * never finds them and their expiry is never published. A PENDING one whose expiry has not been
 * recorded is filed at its expiresAt, as a new invitation is; one already past it is then
 * announced by the next sweep, late, with its `expiresAt` as the event's time.
 */
export const fileInExpiryIndex: LayoutStep = {
  name: 'expiry-index',
  description: 'files PENDING invitations that predate the expiry index (GSI5) in it',
  updateFor(item) {
    const { partitionKey } = TABLE.indexes.byExpiry;
    if (item.entity !== ENTITY.invitation || item.status !== 'PENDING') return undefined;
    if (item[partitionKey] !== undefined || item.expiryRecordedAt !== undefined) return undefined;
    const { expiresAt } = item;
    if (typeof expiresAt !== 'string' || Number.isNaN(Date.parse(expiresAt))) return undefined;
    const filed = expiryIndexUpdate(invitationIdOf(item), expiresAt);
    return {
      update: { ...filed, expression: `SET ${filed.expression}` },
      condition: {
        // Still the PENDING invitation read, at the expiry read, not yet filed nor announced: an
        // accept, decline, withdrawal, resend (which files it itself) or deletion meanwhile wins.
        expression:
          'attribute_exists(#pk) AND entity = :invitation AND #status = :pending AND expiresAt = :expiresAt AND ' +
          'attribute_not_exists(#expiryPartition) AND attribute_not_exists(expiryRecordedAt)',
        names: { '#pk': TABLE.partitionKey, '#status': 'status', ...filed.names },
        values: { ':invitation': ENTITY.invitation, ':pending': 'PENDING', ':expiresAt': expiresAt },
      },
    };
  },
};

/**
 * Invitations and memberships written before the list indexes shared `listSK` carry GSI1SK–GSI3SK
 * instead (`INV#<created>#<id>`; a membership `WS#<id>`), so they are in no list: files an
 * invitation under `<status>#<expiresAt>` and a membership under `WS#<workspaceId>`, and drops the
 * old sort keys and an invitation's copy of its id, as items are written now.
 */
export const fileInListIndexes: LayoutStep = {
  name: 'list-indexes',
  description: 'files invitations and memberships that predate listSK in the byUser, byEmail and byWorkspace indexes',
  updateFor(item) {
    const invitation = item.entity === ENTITY.invitation;
    if (!invitation && item.entity !== ENTITY.member) return undefined;
    const outdated = [...LEGACY_ATTRIBUTES, ...(invitation ? ['id'] : [])].filter((name) => item[name] !== undefined);
    if (item[TABLE.indexes.byWorkspace.sortKey] !== undefined && outdated.length === 0) return undefined;
    const removed = Object.fromEntries(outdated.map((name, i) => [`#outdated${i}`, name]));
    const remove = outdated.length ? ` REMOVE ${Object.keys(removed).join(', ')}` : '';
    const exists: Expression = { expression: 'attribute_exists(#pk)', names: { '#pk': TABLE.partitionKey } };
    if (!invitation) {
      if (typeof item.workspaceId !== 'string') return undefined;
      const filed: Expression = {
        expression: '#listSK = :listSK',
        names: { '#listSK': TABLE.indexes.byUser.sortKey },
        values: { ':listSK': `${WORKSPACE_PREFIX}${item.workspaceId}` },
      };
      return {
        update: { ...filed, expression: `SET ${filed.expression}${remove}`, names: { ...filed.names, ...removed } },
        condition: exists,
      };
    }
    const { status, expiresAt } = item;
    if (!STORED_STATUSES.includes(status as StoredStatus) || typeof expiresAt !== 'string') return undefined;
    const filed = listKeyUpdate(status as StoredStatus, expiresAt);
    return {
      update: { ...filed, expression: `SET ${filed.expression}${remove}`, names: { ...filed.names, ...removed } },
      // Still in the status and at the expiry read: a change since files the invitation itself.
      condition: allOf(exists, {
        expression: '#status = :status AND expiresAt = :expiresAt',
        names: { '#status': 'status' },
        values: { ':status': status, ':expiresAt': expiresAt },
      }),
    };
  },
};

export const LAYOUT_STEPS: readonly LayoutStep[] = [fileInExpiryIndex, fileInListIndexes];
