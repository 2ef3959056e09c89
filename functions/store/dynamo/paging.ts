/**
 * Reading collections: one page for a client (with a signed cursor), every page for the service's
 * own work, or only the count.
 */
import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { BadRequest } from '../../domain/errors';
import type { Page, PageRequest } from '../../use-cases/ports';
import { primaryKeyOf } from '../codecs/item';
import type { CursorCodec, CursorKey, PageKey } from '../cursor';
import { TABLE } from '../table-definition';
import type { Expression } from './expression';
import type { Item, Table } from './table';

/** A filtered list page reads at most this many times before it settles for a short page. */
const MAX_FILTERED_ROUNDS = 5;
/** Items a filtered query evaluates per round trip, so sparse matches need few round trips. */
const FILTERED_READ_SIZE = 50;

export type QueryInput = Omit<QueryCommandInput, 'TableName' | 'Limit' | 'ExclusiveStartKey'>;

/** The query, on the table's primary key or on one of its indexes, matching a partition and a sort-key prefix. */
export function keyCondition(partition: string, sortPrefix: string, index?: keyof typeof TABLE.indexes): QueryInput {
  const keys = index
    ? TABLE.indexes[index]
    : { name: undefined, partitionKey: TABLE.partitionKey, sortKey: TABLE.sortKey };
  return {
    ...(keys.name ? { IndexName: keys.name } : {}),
    KeyConditionExpression: '#qpk = :qpk AND begins_with(#qsk, :qprefix)',
    ExpressionAttributeNames: { '#qpk': keys.partitionKey, '#qsk': keys.sortKey },
    ExpressionAttributeValues: { ':qpk': partition, ':qprefix': sortPrefix },
  };
}

/** Adds a filter, and the names and values it uses, to a query. */
export function filtered(input: QueryInput, filter: Expression | undefined): QueryInput {
  if (!filter?.expression) return input;
  return {
    ...input,
    FilterExpression: filter.expression,
    ExpressionAttributeNames: { ...input.ExpressionAttributeNames, ...filter.names },
    ExpressionAttributeValues: { ...input.ExpressionAttributeValues, ...filter.values },
  };
}

/** Reads only these attributes of each item (names, so that none clashes with a reserved word). */
export function projecting(input: QueryInput, attributes: readonly string[]): QueryInput {
  const names = Object.fromEntries(attributes.map((attribute, i) => [`#p${i}`, attribute]));
  return {
    ...input,
    ProjectionExpression: Object.keys(names).join(', '),
    ExpressionAttributeNames: { ...input.ExpressionAttributeNames, ...names },
  };
}

/** Where a page left one range of a collection: after a key (at its start when absent), or at its end. */
export type RangePosition = { after?: PageKey } | { done: true };

/**
 * One page of a collection. It asks for one item more than the page holds, so a next link is
 * given only when another item exists; and because DynamoDB applies a filter after `Limit`, a
 * filtered query reads on until the page is full, the collection ends or MAX_FILTERED_ROUNDS
 * round trips are spent (then the page is short, and its next link continues where reading stopped).
 * The scope names the collection: a cursor issued for one cannot page another.
 */
export async function queryPage<T>(
  table: Table,
  cursors: CursorCodec | undefined,
  scope: string,
  page: PageRequest,
  input: QueryInput,
  decode: (item: Item) => T,
): Promise<Page<T>> {
  const found = await mergedPage(table, cursors, scope, page, [input], () => '');
  return { ...found, items: found.items.map(decode) };
}

/**
 * One page of a collection made of several key ranges, each read in its own query (in parallel)
 * in descending order and merged by `order` (greatest first): every range is read as a page of
 * its own would be, so the work grows with the page, not with the ranges' sizes. An item is
 * taken only while every range that may hold a greater one has one at hand, so a range whose
 * filter left it short stops the page early rather than letting it skip. The cursor holds each
 * range's position.
 */
export async function mergedPage(
  table: Table,
  cursors: CursorCodec | undefined,
  scope: string,
  page: PageRequest,
  ranges: readonly QueryInput[],
  order: (item: Item) => string,
): Promise<Page<Item>> {
  if (!cursors) throw new Error('This function pages a list but has no cursor key: its route must declare cursorKey.');
  const start = page.cursor ? cursors.decode(scope, page.cursor) : undefined;
  const positions = start ? positionsOf(start.key, ranges.length) : ranges.map((): RangePosition => ({}));
  const wanted = page.size + 1;
  const read = await Promise.all(
    ranges.map((input, i) => readRange(table, input, positions[i] as RangePosition, wanted)),
  );

  const taken: number[] = ranges.map(() => 0);
  const merged: { item: Item; range: number }[] = [];
  while (merged.length < wanted) {
    // A range read to its buffer's end but not to its own end may hold the next item: stop here.
    if (read.some((range, i) => taken[i] === range.items.length && range.resumeAt)) break;
    let next = -1;
    read.forEach((range, i) => {
      const head = range.items[taken[i] as number];
      if (!head) return;
      const best = next >= 0 ? read[next]?.items[taken[next] as number] : undefined;
      if (!best || order(head) > order(best)) next = i;
    });
    if (next < 0) break;
    merged.push({ item: read[next]?.items[taken[next] as number] as Item, range: next });
    taken[next] = (taken[next] as number) + 1;
  }

  const onPage = merged.slice(0, page.size);
  const after = read.map((range, i): RangePosition => {
    const used = onPage.filter((entry) => entry.range === i).length;
    const last = onPage.filter((entry) => entry.range === i).at(-1);
    if (used < range.items.length)
      return last ? { after: pageKeyOf(last.item, ranges[i]?.IndexName) } : (positions[i] as RangePosition);
    return range.resumeAt ? { after: range.resumeAt } : { done: true };
  });
  const more = after.some((position) => !('done' in position));
  const pageNumber = start?.pageNumber ?? 0;
  return {
    items: onPage.map((entry) => entry.item),
    pageNumber,
    nextCursor: more
      ? cursors.encode(scope, pageNumber + 1, ranges.length === 1 ? singleKey(after[0]) : after)
      : undefined,
  };
}

/** Reads one range from its position: `wanted` items, or (filtered) on until it has them or MAX_FILTERED_ROUNDS are spent. */
async function readRange(
  table: Table,
  input: QueryInput,
  position: RangePosition,
  wanted: number,
): Promise<{ items: Item[]; resumeAt?: PageKey }> {
  if ('done' in position) return { items: [] };
  const rounds = input.FilterExpression ? MAX_FILTERED_ROUNDS : 1;
  const items: Item[] = [];
  let resumeAt = position.after;
  for (let round = 0; round < rounds && items.length < wanted; round++) {
    const result = await table.client.send(
      new QueryCommand({
        ...input,
        TableName: table.name,
        Limit: input.FilterExpression ? Math.max(wanted, FILTERED_READ_SIZE) : wanted,
        ExclusiveStartKey: resumeAt,
      }),
    );
    items.push(...(result.Items ?? []));
    resumeAt = result.LastEvaluatedKey as PageKey | undefined;
    if (!resumeAt) break;
  }
  return { items, resumeAt };
}

/** A one-range collection's cursor holds its start key alone (the shape cursors always had). */
function singleKey(position: RangePosition | undefined): PageKey | RangePosition[] {
  return position && 'after' in position && position.after ? position.after : [position ?? { done: true }];
}

/** The positions a cursor holds, for a collection of `count` ranges. */
function positionsOf(key: CursorKey, count: number): RangePosition[] {
  const positions = Array.isArray(key) ? key : [{ after: key }];
  if (positions.length !== count)
    throw new BadRequest('The cursor is not valid for this collection. Start again without a cursor.');
  return positions;
}

/** One partition of an index, only its entries whose sort key is below `sortKeyBelow` when given. */
export function indexPartition(
  index: keyof typeof TABLE.indexes,
  partition: string,
  sortKeyBelow?: string,
): QueryInput {
  const { name, partitionKey, sortKey } = TABLE.indexes[index];
  return {
    IndexName: name,
    KeyConditionExpression: sortKeyBelow === undefined ? '#qpk = :qpk' : '#qpk = :qpk AND #qsk < :qbelow',
    ExpressionAttributeNames: { '#qpk': partitionKey, ...(sortKeyBelow === undefined ? {} : { '#qsk': sortKey }) },
    ExpressionAttributeValues: {
      ':qpk': partition,
      ...(sortKeyBelow === undefined ? {} : { ':qbelow': sortKeyBelow }),
    },
  };
}

/**
 * The table keys of up to `limit` entries of an index whose sort key is below `sortKeyBelow`,
 * partition by partition in the order given (oldest first within each), with the partition each
 * was found in.
 */
export async function keysBelow(
  table: Table,
  index: keyof typeof TABLE.indexes,
  partitions: readonly string[],
  sortKeyBelow: string,
  limit: number,
): Promise<{ key: Record<string, string>; partition: string }[]> {
  const found: { key: Record<string, string>; partition: string }[] = [];
  for (const partition of partitions) {
    if (found.length >= limit) break;
    const query = { ...indexPartition(index, partition, sortKeyBelow), Limit: limit - found.length };
    for await (const page of allPages(table, query)) {
      for (const item of page.items) found.push({ key: primaryKeyOf(item), partition });
      if (found.length >= limit) break;
    }
  }
  return found.slice(0, limit);
}

/** Every page of a query, for the service's own work through a whole collection. */
export async function* allPages(
  table: Table,
  input: QueryInput & { Limit?: number },
): AsyncGenerator<{ items: Item[]; count: number }> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await table.client.send(
      new QueryCommand({ ...input, TableName: table.name, ExclusiveStartKey: startKey }),
    );
    yield { items: page.Items ?? [], count: page.Count ?? 0 };
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}

/** How many items a query matches, read strongly consistent. */
export async function countOf(table: Table, input: QueryInput): Promise<number> {
  let count = 0;
  for await (const page of allPages(table, { ...input, Select: 'COUNT', ConsistentRead: true })) count += page.count;
  return count;
}

/** The start key that resumes a query after `item`: the table's key and, on an index, the index's. */
function pageKeyOf(item: Item, indexName: string | undefined): PageKey {
  const index = Object.values(TABLE.indexes).find((candidate) => candidate.name === indexName);
  const names = [TABLE.partitionKey, TABLE.sortKey, ...(index ? [index.partitionKey, index.sortKey] : [])];
  return Object.fromEntries(names.map((name) => [name, item[name] as string]));
}
