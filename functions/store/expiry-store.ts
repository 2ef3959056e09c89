/**
 * The expiry index's reader and writer: PENDING invitations past their expiry, found by key in
 * the sparse expiry index, and the one conditional update that records the expiry (and takes the
 * invitation out of the index). That write is the change the event publisher announces as
 * invitation.expired.
 */
import type { InvitationExpiries } from '../use-cases/ports';
import { expired, LEAVE_EXPIRY_INDEX } from './codecs/invitation';
import { primaryKeyOf } from './codecs/item';
import { allPages } from './dynamo/paging';
import type { Table } from './dynamo/table';
import { EXPIRY_SHARDS, expiryPartition } from './keys';
import { TABLE } from './table-definition';

const INDEX = TABLE.indexes.byExpiry;

export class DynamoInvitationExpiries implements InvitationExpiries {
  constructor(private readonly table: Table) {}

  async listExpired(now: Date, limit: number): Promise<Record<string, string>[]> {
    const found: Record<string, string>[] = [];
    for (let shard = 0; shard < EXPIRY_SHARDS && found.length < limit; shard++) {
      for await (const page of allPages(this.table, {
        IndexName: INDEX.name,
        // Sort keys are `<expiresAt>#<id>`: every one that expired at or before now sorts below `<now>#~`.
        KeyConditionExpression: '#pk = :pk AND #sk < :due',
        ExpressionAttributeNames: { '#pk': INDEX.partitionKey, '#sk': INDEX.sortKey },
        ExpressionAttributeValues: { ':pk': expiryPartition(shard), ':due': `${now.toISOString()}#~` },
        Limit: limit - found.length,
      })) {
        for (const item of page.items) found.push(primaryKeyOf(item));
        if (found.length >= limit) break;
      }
    }
    return found;
  }

  recordExpiry(key: Record<string, string>, now: Date): Promise<boolean> {
    return this.table.applied(
      this.table.update(
        'invitation',
        key,
        {
          expression: `SET expiryRecordedAt = :recordedAt REMOVE ${LEAVE_EXPIRY_INDEX}`,
          values: { ':recordedAt': now.toISOString() },
        },
        // Still PENDING and past its expiry: accepted, declined, withdrawn or resent meanwhile, it is left alone.
        expired(now),
      ),
    );
  }
}
