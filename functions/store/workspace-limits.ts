/**
 * The workspace's counts that its limits (members, pending invitations) are checked against.
 *
 * A write that adds a member or a pending invitation counts up on condition that the count is
 * below the limit. Counts only ever go up: leaving, withdrawing, declining and expiry do not count
 * down, so a count is never below the truth and the limit holds under any concurrency. When a
 * count reaches the limit, or does not exist yet, `recount` sets it to the truth and the write is
 * tried once more.
 */
import type { WorkspaceLimits } from '../domain/workspace';
import { Refused } from '../use-cases/refused';
import { claimLive, countsCodec } from './codecs/workspace';
import { backoff, RETRY_ATTEMPTS } from './dynamo/batch-get';
import { isNew } from './dynamo/expression';
import { countOf, filtered, keyCondition } from './dynamo/paging';
import { ConditionFailed, type Item, type Table, type Write } from './dynamo/table';
import { EMAIL_CLAIM_PREFIX, MEMBER_PREFIX, workspacePartition } from './keys';

/** The counts of a new workspace: its owner, no invitations. */
export function initialCounts(workspaceId: string): Item {
  return countsCodec.toItem(workspaceId, { memberCount: 1, pendingCount: 0, changes: 0 });
}

export type CountName = 'memberCount' | 'pendingCount';

export class WorkspaceLimitCounts {
  constructor(
    private readonly table: Table,
    readonly limits: WorkspaceLimits,
  ) {}

  limitOf(count: CountName): number {
    return count === 'memberCount' ? this.limits.membersPerWorkspace : this.limits.pendingInvitationsPerWorkspace;
  }

  /** One more member or pending invitation, on condition that the workspace has fewer than its limit. */
  countUp(workspaceId: string, count: CountName): Write {
    return this.table.update(
      count,
      countsCodec.key(workspaceId),
      { expression: 'ADD #count :one, changes :one', names: { '#count': count }, values: { ':one': 1 } },
      { expression: 'attribute_exists(changes) AND #count < :limit', values: { ':limit': this.limitOf(count) } },
    );
  }

  /** A transaction with a `countUp`: when the count says the limit is reached, recount and try once more. */
  async transactWithinLimit(writes: readonly Write[], workspaceId: string, now: Date): Promise<void> {
    try {
      await this.table.transact(writes);
    } catch (error) {
      if (!(error instanceof ConditionFailed) || (error.label !== 'memberCount' && error.label !== 'pendingCount')) {
        throw error;
      }
      const counts = await this.recount(workspaceId, now);
      if (counts[error.label] >= this.limitOf(error.label)) throw error;
      await this.table.transact(writes);
    }
  }

  /**
   * Sets a workspace's counts to the truth: its member items, and its address claims held by a
   * live invitation (both in the workspace's own partition, read strongly consistent). The write
   * succeeds only if no count changed since it was read, so a member or invitation added
   * meanwhile is never lost; it then reads again.
   */
  async recount(workspaceId: string, now: Date): Promise<{ memberCount: number; pendingCount: number }> {
    const partition = workspacePartition(workspaceId);
    for (let attempt = 1; attempt <= RETRY_ATTEMPTS; attempt++) {
      const seen = await this.table.get(countsCodec.key(workspaceId));
      const [memberCount, pendingCount] = await Promise.all([
        countOf(this.table, keyCondition(partition, MEMBER_PREFIX)),
        countOf(this.table, filtered(keyCondition(partition, EMAIL_CLAIM_PREFIX), claimLive(now))),
      ]);
      const changes = ((seen?.changes as number | undefined) ?? 0) + 1;
      const written = await this.table.applied(
        this.table.put(
          'counts',
          countsCodec.toItem(workspaceId, { memberCount, pendingCount, changes }),
          seen ? { expression: 'changes = :seen', values: { ':seen': seen.changes } } : isNew,
        ),
      );
      if (written) return { memberCount, pendingCount };
      await backoff(attempt);
    }
    throw new Refused('counts-contended');
  }
}
