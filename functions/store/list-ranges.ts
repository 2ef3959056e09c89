/**
 * The key ranges of the list indexes (see table-definition.ts): a partition's invitations in one
 * stored status are a range of `listSK` (`<status>#<expiresAt>`), and a PENDING range splits at a
 * moment into the live ones and the EXPIRED ones.
 */
import { STORED_STATUSES, type Status } from '../domain/invitation';
import type { Expression } from './dynamo/expression';
import type { QueryInput } from './dynamo/paging';
import type { Item } from './dynamo/table';
import { statusRange, workspacePartition } from './keys';
import { type IndexName, TABLE } from './table-definition';

/** Past every expiry: the upper bound of a status range's sort keys (ISO times hold no `~`). */
const RANGE_END = '~';

export interface Bounds {
  from: string;
  to: string;
}

/** The sort-key spans a status filter reads (inclusive): one per status, every stored status when none is given. */
export function rangesFor(status: Status | undefined, now: Date): Bounds[] {
  const whole = (prefix: string) => ({ from: prefix, to: `${prefix}${RANGE_END}` });
  const pending = statusRange('PENDING');
  // `now` itself is past (expiry is `expiresAt <= now`): an entry on it is read here and dropped once its item is read.
  if (status === 'PENDING') return [{ from: `${pending}${now.toISOString()}`, to: `${pending}${RANGE_END}` }];
  if (status === 'EXPIRED') return [{ from: pending, to: `${pending}${now.toISOString()}` }];
  if (status) return [whole(statusRange(status))];
  return STORED_STATUSES.map((stored) => whole(statusRange(stored)));
}

/** Latest expiry first, within one partition of a list index and one span of its sort key. */
export function statusQuery(index: IndexName, partition: string, bounds: Bounds): QueryInput {
  const { name, partitionKey, sortKey } = TABLE.indexes[index];
  return {
    IndexName: name,
    KeyConditionExpression: '#qpk = :qpk AND #qsk BETWEEN :qfrom AND :qto',
    ExpressionAttributeNames: { '#qpk': partitionKey, '#qsk': sortKey },
    ExpressionAttributeValues: { ':qpk': partition, ':qfrom': bounds.from, ':qto': bounds.to },
    ScanIndexForward: false,
  };
}

/** Keeps a byUser query to one workspace's invitations (that index carries the byWorkspace partition). */
export function inWorkspace(workspaceId: string): Expression {
  return {
    expression: '#workspacePartition = :workspacePartition',
    names: { '#workspacePartition': TABLE.indexes.byWorkspace.partitionKey },
    values: { ':workspacePartition': workspacePartition(workspaceId) },
  };
}

/** The expiry part of a list sort key, by which status ranges merge; the table key breaks ties. */
export function timeOf(entry: Item): string {
  const sort = String(entry[TABLE.indexes.byWorkspace.sortKey] ?? '');
  return `${sort.slice(sort.indexOf('#') + 1)}|${String(entry[TABLE.partitionKey])}`;
}
