/**
 * The removal records' reader: the event publisher reads, for the deletions in a stream batch,
 * who made them (functions/store/codecs/removal.ts). One strongly consistent BatchGetItem per
 * batch: the stream hands a deletion on only after its transaction, record included, committed.
 */
import type { Removal } from '../domain/events';
import { primaryKeyOf } from './codecs/item';
import { removalCodec } from './codecs/removal';
import type { Key, Table } from './dynamo/table';
import { TABLE } from './table-definition';

export class DynamoRemovals {
  constructor(private readonly table: Table) {}

  /** The removal records found at `keys`, by removalId of their key; a key without one is absent. */
  async find(keys: readonly Key[]): Promise<Map<string, Removal>> {
    const unique = [...new Map(keys.map((key) => [removalId(key), key])).values()];
    const found = await this.table.batchGet(unique, true);
    return new Map(
      found.flatMap((item) => {
        const removal = removalCodec.fromItem(item);
        return removal ? [[removalId(primaryKeyOf(item)), removal] as const] : [];
      }),
    );
  }
}

/** One string per key, for looking a removal record up by the key it was asked for. */
export function removalId(key: Key): string {
  return `${key[TABLE.partitionKey]}\n${key[TABLE.sortKey]}`;
}
