/** What every codec shares: the attributes that serve the table rather than the entity. */
import type { Metadata } from '../../domain/metadata';
import type { Item } from '../dynamo/table';
import { keyAttributeNames, LEGACY_ATTRIBUTES, TABLE } from '../table-definition';

/** On an invitation: the workspace's lastModified that its workspaceName was copied at. */
export const WORKSPACE_VERSION = 'workspaceVersion';

/** Attributes that serve the table, not the entities: never part of what the store returns. */
const TABLE_ATTRIBUTES = new Set([
  ...keyAttributeNames(),
  ...LEGACY_ATTRIBUTES,
  TABLE.ttlAttribute,
  'entity',
  WORKSPACE_VERSION,
]);

/** The entity as the domain knows it: the item without the attributes that serve the table. */
export function strip<T>(item: Item): T {
  return Object.fromEntries(Object.entries(item).filter(([name]) => !TABLE_ATTRIBUTES.has(name))) as T;
}

/** The primary key of an item, as read back from the table or an index. */
export function primaryKeyOf(item: Item): Record<string, string> {
  return { [TABLE.partitionKey]: item[TABLE.partitionKey] as string, [TABLE.sortKey]: item[TABLE.sortKey] as string };
}

/** The TTL attribute's value (epoch seconds) for an ISO time. */
export function ttlAt(iso: string): number {
  return Math.floor(Date.parse(iso) / 1000);
}

/**
 * Metadata is stored as its JSON text: DynamoDB would refuse numbers outside its range and
 * reorder nothing, but the text is what the caller sent, byte for byte, whatever it holds.
 */
export function metadataAttribute(metadata: Metadata | undefined): { metadata?: string } {
  return metadata === undefined ? {} : { metadata: JSON.stringify(metadata) };
}

/** The entity with its stored metadata text read back as the object it was. */
export function withMetadata<T extends { metadata?: Metadata }>(entity: T): T {
  const stored = entity.metadata as unknown;
  if (typeof stored !== 'string') return entity;
  return { ...entity, metadata: JSON.parse(stored) as Metadata };
}
