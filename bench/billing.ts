/**
 * DynamoDB capacity by AWS's documented billing rules, measured on real requests.
 *
 * Item size: each attribute's name (UTF-8 bytes) plus its value: a string its UTF-8 bytes, a
 * number about one byte per two significant digits plus one, a boolean or null one byte, a list
 * or map 3 bytes plus one byte per element plus the elements (a map's element: its name and value).
 * Writes: one unit per started KB of the larger of the item before and after; a transaction's
 * items (condition checks included) two units per KB. Reads: one unit per started 4 KB (items of
 * a query summed; items of a batch each on its own), half that when eventually consistent.
 * Indexes: a write changes an index entry only if the item enters it, leaves it, changes its
 * keys (a delete and a put) or changes an attribute it projects; each entry written costs one
 * unit per started KB of what the index projects. Index writes of a transaction are counted as
 * standard writes (DynamoDB Local counts them twice; its own figures are reported beside).
 */
import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { type IndexDefinition, TABLE } from '../functions/store/table-definition';

type Item = Record<string, unknown>;

export interface Capacity {
  local: { read: number; write: number };
  aws: { read: number; write: number; indexWrite: number };
  requests: number;
}

const empty = (): Capacity => ({
  local: { read: 0, write: 0 },
  aws: { read: 0, write: 0, indexWrite: 0 },
  requests: 0,
});

export function valueSize(value: unknown): number {
  if (value === null || value === undefined || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (typeof value === 'number') {
    const digits = String(Math.abs(value)).replace('.', '').replace(/^0+/, '').replace(/e.*$/, '').length;
    return Math.ceil(Math.max(digits, 1) / 2) + 1;
  }
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, element) => sum + 1 + valueSize(element), 0);
  if (value instanceof Set) return [...value].reduce((sum: number, element) => sum + valueSize(element), 0);
  if (typeof value === 'object') {
    return (
      3 +
      Object.entries(value as Item).reduce(
        (sum, [name, element]) => sum + 1 + Buffer.byteLength(name) + valueSize(element),
        0,
      )
    );
  }
  return 0;
}

/** An item's size by AWS's rules; 0 for no item. */
export function itemSize(item: Item | undefined): number {
  if (!item) return 0;
  return Object.entries(item).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + valueSize(value), 0);
}

const kb = (bytes: number) => Math.ceil(bytes / 1024);

/** What an index holds of an item, or undefined when the item is not in it. */
function indexEntry(index: IndexDefinition, item: Item | undefined): Item | undefined {
  if (!item || item[index.partitionKey] === undefined || item[index.sortKey] === undefined) return undefined;
  if (index.projection === 'ALL') return item;
  const names = [
    TABLE.partitionKey,
    TABLE.sortKey,
    index.partitionKey,
    index.sortKey,
    ...(index.nonKeyAttributes ?? []),
  ];
  return Object.fromEntries(names.filter((name) => item[name] !== undefined).map((name) => [name, item[name]]));
}

/** Index write units of changing `before` into `after`. */
export function indexWriteUnits(before: Item | undefined, after: Item | undefined): number {
  let units = 0;
  for (const index of Object.values(TABLE.indexes) as IndexDefinition[]) {
    const old = indexEntry(index, before);
    const next = indexEntry(index, after);
    if (!old && !next) continue;
    if (!old || !next) units += kb(itemSize(old ?? next));
    else if (old[index.partitionKey] !== next[index.partitionKey] || old[index.sortKey] !== next[index.sortKey]) {
      units += kb(itemSize(old)) + kb(itemSize(next));
    } else if (JSON.stringify(old) !== JSON.stringify(next)) units += kb(itemSize(next));
  }
  return units;
}

interface Touched {
  key: Item;
  transactional: boolean;
  checkOnly: boolean;
}

/** The items a write request touches. */
function touchedBy(command: string, input: Item): Touched[] {
  const keyOf = (item: Item) => ({
    [TABLE.partitionKey]: item[TABLE.partitionKey],
    [TABLE.sortKey]: item[TABLE.sortKey],
  });
  if (command === 'PutItemCommand') return [{ key: keyOf(input.Item as Item), transactional: false, checkOnly: false }];
  if (command === 'UpdateItemCommand' || command === 'DeleteItemCommand') {
    return [{ key: input.Key as Item, transactional: false, checkOnly: false }];
  }
  if (command === 'TransactWriteItemsCommand') {
    return (input.TransactItems as Item[]).map((entry) => {
      const [kind, action] = Object.entries(entry)[0] as [string, Item];
      return {
        key: kind === 'Put' ? keyOf(action.Item as Item) : (action.Key as Item),
        transactional: true,
        checkOnly: kind === 'ConditionCheck',
      };
    });
  }
  return [];
}

/** Measures the capacity of everything the store's client sends while an operation runs. */
export class CapacityMeter {
  private current: Capacity | undefined;

  constructor(
    client: DynamoDBDocumentClient,
    private readonly raw: DynamoDBClient,
    private readonly tableName: string,
  ) {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const capacity = this.current;
        if (!capacity) return next(args);
        const command = context.commandName ?? '';
        const input = args.input as Item;
        input.ReturnConsumedCapacity = 'INDEXES';
        const touched = touchedBy(command, input);
        const before = await Promise.all(touched.map(({ key }) => this.read(key)));
        const output = await next(args);
        const after = await Promise.all(touched.map(({ key }) => this.read(key)));
        capacity.requests += 1;
        const consumed = (output.output as Item).ConsumedCapacity as Item | Item[] | undefined;
        for (const entry of [consumed ?? []].flat()) {
          const units = Number(entry.CapacityUnits ?? 0);
          if (touched.length) capacity.local.write += units;
          else capacity.local.read += units;
        }
        touched.forEach(({ transactional, checkOnly }, i) => {
          const size = Math.max(itemSize(before[i]), itemSize(after[i]));
          capacity.aws.write += kb(Math.max(size, 1)) * (transactional ? 2 : 1);
          if (!checkOnly) {
            const indexUnits = indexWriteUnits(before[i], after[i]);
            capacity.aws.write += indexUnits;
            capacity.aws.indexWrite += indexUnits;
          }
        });
        if (!touched.length) capacity.aws.read += readUnits(command, input, output.output as Item);
        return output;
      },
      { step: 'initialize', priority: 'high', name: 'capacityMeter' },
    );
  }

  async measure<T>(operation: () => Promise<T>): Promise<[T, Capacity]> {
    const capacity = empty();
    this.current = capacity;
    try {
      return [await operation(), capacity];
    } finally {
      this.current = undefined;
    }
  }

  /** The item at `key` as it is, read outside the measurement. */
  async read(key: Item): Promise<Item | undefined> {
    const { Item } = await this.raw.send(
      new GetItemCommand({ TableName: this.tableName, Key: marshall(key), ConsistentRead: true }),
    );
    return Item ? unmarshall(Item) : undefined;
  }
}

function readUnits(command: string, input: Item, output: Item): number {
  const factor = input.ConsistentRead ? 1 : 0.5;
  if (command === 'GetItemCommand') return Math.ceil(Math.max(itemSize(output.Item as Item), 1) / 4096) * factor;
  if (command === 'BatchGetItemCommand') {
    const responses = Object.values((output.Responses ?? {}) as Record<string, Item[]>).flat();
    const consistent = Object.values(input.RequestItems as Record<string, Item>).some(
      (request) => request.ConsistentRead,
    );
    return responses.reduce((sum, item) => sum + Math.ceil(itemSize(item) / 4096), 0) * (consistent ? 1 : 0.5);
  }
  if (command === 'QueryCommand') {
    const items = (output.Items ?? []) as Item[];
    const returned = items.reduce((sum, item) => sum + itemSize(item), 0);
    // Items a filter dropped were read too: counted at the average size of those returned (1 KB if none was).
    const scanned = Number(output.ScannedCount ?? items.length);
    const average = items.length ? returned / items.length : 1024;
    const bytes = returned + Math.max(0, scanned - items.length) * average;
    return Math.max(1, Math.ceil(bytes / 4096)) * factor;
  }
  return 0;
}
