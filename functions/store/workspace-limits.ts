/**
 * The workspace's counts that its limits (members, pending invitations) are checked against,
 * kept on the workspace item (store/codecs/workspace.ts).
 *
 * A write that adds a member or a pending invitation counts up, in the same update of the
 * workspace item as its other conditions on it, on condition that the count is below the limit.
 * Counts only ever go up: leaving, withdrawing, declining and expiry do not count down, so a
 * count is never below the truth and the limit holds under any concurrency. When a count reaches
 * the limit, or does not exist yet (a workspace stored before the counts moved onto it), `recount`
 * sets it to the truth and the write is tried once more.
 */
import type { WorkspaceLimits } from '../domain/workspace';
import { Refused } from '../use-cases/refused';
import { claimLive, type WorkspaceCounts, workspaceCodec } from './codecs/workspace';
import { backoff, RETRY_ATTEMPTS } from './dynamo/batch-get';
import { allOf, type Expression } from './dynamo/expression';
import { countOf, filtered, keyCondition } from './dynamo/paging';
import { ConditionFailed, type Item, type Table, type Write } from './dynamo/table';
import { EMAIL_CLAIM_PREFIX, MEMBER_PREFIX, workspacePartition } from './keys';
import { TABLE } from './table-definition';

/** The counts of a new workspace: its owner, no invitations. */
export function initialCounts(): WorkspaceCounts {
  return { memberCount: 1, pendingCount: 0, countChanges: 0 };
}

export type CountName = 'memberCount' | 'pendingCount';

/** The label of the workspace item's write in a transaction that counts. */
export const WORKSPACE_WRITE = 'workspace';

export class WorkspaceLimitCounts {
  constructor(
    private readonly table: Table,
    readonly limits: WorkspaceLimits,
  ) {}

  limitOf(count: CountName): number {
    return count === 'memberCount' ? this.limits.membersPerWorkspace : this.limits.pendingInvitationsPerWorkspace;
  }

  /**
   * The workspace item's write in a transaction that adds a member or a pending invitation: one
   * more of `count`, on condition that the workspace is counted and below its limit, and that
   * `also.condition` holds; `also.set` is a SET clause for the same item (a transaction touches
   * each item once). A failed condition reports the item as it is (`countFailed` reads it).
   */
  countUp(workspaceId: string, count: CountName, also: { condition?: Expression; set?: Expression } = {}): Write {
    const counting = {
      expression: `${also.set ? `SET ${also.set.expression} ` : ''}ADD #count :one, countChanges :one`,
      names: { ...also.set?.names, '#count': count },
      values: { ...also.set?.values, ':one': 1 },
    };
    const belowLimit = {
      expression: 'attribute_exists(countChanges) AND #count < :limit',
      names: { '#count': count },
      values: { ':limit': this.limitOf(count) },
    };
    return this.table.update(
      WORKSPACE_WRITE,
      workspaceCodec.key(workspaceId),
      counting,
      allOf(belowLimit, also.condition),
      true,
    );
  }

  /** Whether the workspace item, as a failed `countUp` found it, exists and stopped the write by its count. */
  countFailed(current: Item | undefined, count: CountName): boolean {
    if (!workspaceCodec.fromItem(current)) return false;
    const counts = workspaceCodec.countsOf(current);
    return counts === undefined || counts[count] >= this.limitOf(count);
  }

  /**
   * A transaction with a `countUp`. When the count stopped it (and the workspace is still as
   * `stillAsRead` expects), recount and try once more; a count that is really at the limit is
   * thrown as the transaction's ConditionFailed, for the caller to explain.
   */
  async transactWithinLimit(
    writes: readonly Write[],
    workspaceId: string,
    count: CountName,
    now: Date,
    stillAsRead: (current: Item) => boolean = () => true,
  ): Promise<void> {
    try {
      await this.table.transact(writes);
    } catch (error) {
      if (!(error instanceof ConditionFailed)) throw error;
      const current = error.failureOf(WORKSPACE_WRITE)?.current;
      if (!current || !this.countFailed(current, count) || !stillAsRead(current)) throw error;
      const counts = await this.recount(workspaceId, now);
      if (!counts || counts[count] >= this.limitOf(count)) throw error;
      await this.table.transact(writes);
    }
  }

  /**
   * Sets a workspace's counts to the truth: its member items, and its address claims held by a
   * live invitation (both in the workspace's own partition, read strongly consistent). The write
   * succeeds only if no count changed since it was read, so a member or invitation added
   * meanwhile is never lost; it then reads again. Undefined when the workspace does not exist.
   */
  async recount(workspaceId: string, now: Date): Promise<{ memberCount: number; pendingCount: number } | undefined> {
    const partition = workspacePartition(workspaceId);
    for (let attempt = 1; attempt <= RETRY_ATTEMPTS; attempt++) {
      const seen = await this.table.get(workspaceCodec.key(workspaceId));
      if (!workspaceCodec.fromItem(seen)) return undefined;
      const previous = workspaceCodec.countsOf(seen);
      const [memberCount, pendingCount] = await Promise.all([
        countOf(this.table, keyCondition(partition, MEMBER_PREFIX)),
        countOf(this.table, filtered(keyCondition(partition, EMAIL_CLAIM_PREFIX), claimLive(now))),
      ]);
      const unchanged: Expression = previous
        ? { expression: 'countChanges = :seen', values: { ':seen': previous.countChanges } }
        : {
            expression: 'attribute_exists(#pk) AND attribute_not_exists(countChanges)',
            names: { '#pk': TABLE.partitionKey },
          };
      const written = await this.table.applied(
        this.table.update(
          'counts',
          workspaceCodec.key(workspaceId),
          {
            expression: 'SET memberCount = :members, pendingCount = :pending, countChanges = :changes',
            values: {
              ':members': memberCount,
              ':pending': pendingCount,
              ':changes': (previous?.countChanges ?? 0) + 1,
            },
          },
          unchanged,
        ),
      );
      if (written) return { memberCount, pendingCount };
      await backoff(attempt);
    }
    throw new Refused('counts-contended');
  }
}
