/**
 * The expiry index's reader and writer: PENDING invitations past their expiry, found by key in
 * the sparse expiry index, and the one conditional update that records the expiry (and takes the
 * invitation out of the index). That write is the change the event publisher announces as
 * invitation.expired.
 */
import type { InvitationExpiries } from '../use-cases/ports';
import { expired, LEAVE_EXPIRY_INDEX } from './codecs/invitation';
import { keysBelow } from './dynamo/paging';
import type { Table } from './dynamo/table';
import { EXPIRY_SHARDS, expiryPartition } from './keys';

export class DynamoInvitationExpiries implements InvitationExpiries {
  constructor(private readonly table: Table) {}

  async listExpired(now: Date, limit: number): Promise<Record<string, string>[]> {
    const partitions = Array.from({ length: EXPIRY_SHARDS }, (_, shard) => expiryPartition(shard));
    // Sort keys are `<expiresAt>#<id>`: every one that expired at or before now sorts below `<now>#~`.
    const found = await keysBelow(this.table, 'byExpiry', partitions, `${now.toISOString()}#~`, limit);
    return found.map(({ key }) => key);
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
