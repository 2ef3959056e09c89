/**
 * What happens to a workspace's invitations when the workspace changes, as the table stream's
 * consumer applies it: renames reach them, and a departed member's pending ones are revoked.
 * Updates only, so that consumer needs no right to put or delete.
 */

import type { Invitation } from '../domain/invitation';
import type { EndedMembership, WorkspaceInvitations } from '../use-cases/ports';
import { invitationCodec, LEAVE_EXPIRY_INDEX, live, refiled } from './codecs/invitation';
import { primaryKeyOf, ttlAt, WORKSPACE_VERSION } from './codecs/item';
import { claimCodec } from './codecs/workspace';
import { allOf, type Expression, exists } from './dynamo/expression';
import { allPages, filtered, indexPartition } from './dynamo/paging';
import { ConditionFailed, type Table } from './dynamo/table';
import { userPartition, workspacePartition } from './keys';
import { type Bounds, inWorkspace, rangesFor, statusQuery } from './list-ranges';
import { TABLE } from './table-definition';

/** Invitations renamed at once when a workspace's name changes. */
const RENAME_CONCURRENCY = 10;

export class DynamoWorkspaceInvitations implements WorkspaceInvitations {
  constructor(private readonly table: Table) {}

  /**
   * Gives the workspace's invitations its name as of `version` (the workspace's lastModified).
   * Each invitation records the version its name comes from, and only an older one is replaced,
   * so renames applied late or out of order never bring back an earlier name.
   */
  async renameWorkspaceInvitations(workspaceId: string, name: string, version: string): Promise<number> {
    const outdated: Expression = {
      expression: 'attribute_not_exists(#version) OR #version < :version',
      names: { '#version': WORKSPACE_VERSION },
      values: { ':version': version },
    };
    let renamed = 0;
    // The index holds keys only: each invitation's own condition leaves those already renamed as they are.
    for await (const page of allPages(this.table, indexPartition('byWorkspace', workspacePartition(workspaceId)))) {
      const keys = page.items.map(primaryKeyOf);
      for (let start = 0; start < keys.length; start += RENAME_CONCURRENCY) {
        const results = await Promise.all(
          keys.slice(start, start + RENAME_CONCURRENCY).map((key) =>
            this.table.applied(
              this.table.update(
                'invitation',
                key,
                { expression: 'SET workspaceName = :name, #version = :version', values: { ':name': name } },
                // Deleted meanwhile, or already named by a newer rename: left as it is.
                allOf(exists, outdated),
              ),
            ),
          ),
        );
        renamed += results.filter(Boolean).length;
      }
    }
    return renamed;
  }

  async revokeInvitationsOf(membership: EndedMembership, now: Date): Promise<number> {
    // The invitations this membership created: those that recorded it, and older ones created while it lasted.
    const createdByIt = allOf(live(now), {
      expression:
        'creatorId = :creator AND attribute_not_exists(createdBySystemAdmin) AND ' +
        '(creatorJoinedAt = :joinedAt OR (attribute_not_exists(creatorJoinedAt) AND #created >= :joinedAt))',
      names: { '#created': 'created' },
      values: { ':creator': membership.userId, ':joinedAt': membership.joinedAt },
    });
    // Its creator's live invitations (a key range of their sent list), kept to this workspace.
    const [liveSpan] = rangesFor('PENDING', now);
    const theirLive = filtered(
      statusQuery('byUser', userPartition(membership.userId), liveSpan as Bounds),
      inWorkspace(membership.workspaceId),
    );
    let revoked = 0;
    for await (const page of allPages(this.table, theirLive)) {
      for (const item of await this.table.batchGet(page.items.map(primaryKeyOf))) {
        const found = invitationCodec.fromItem(item);
        if (found && (await this.revokeOne(found, membership, createdByIt, now))) revoked += 1;
      }
    }
    return revoked;
  }

  /**
   * Withdraws one invitation if it still matches `condition`, and lets its address be invited
   * again: its claim is marked expired now, which a new invitation may take over.
   */
  private async revokeOne(
    invitation: Invitation,
    membership: EndedMembership,
    condition: Expression,
    now: Date,
  ): Promise<boolean> {
    const { id: invitationId, workspaceId, email } = invitation;
    const { endedBy } = membership;
    const nowIso = now.toISOString();
    const filed = refiled('REVOKED', invitation);
    const revoke = this.table.update(
      'invitation',
      invitationCodec.key(invitationId),
      // Whoever ended the membership withdrew it; its event names them (no one, if that is unknown).
      {
        expression:
          endedBy === undefined
            ? `SET #status = :revoked, lastModified = :now, ${filed.set.expression} REMOVE changedBy, ${LEAVE_EXPIRY_INDEX}`
            : `SET #status = :revoked, lastModified = :now, ${filed.set.expression}, changedBy = :endedBy REMOVE ${LEAVE_EXPIRY_INDEX}`,
        names: filed.set.names,
        values: {
          ':revoked': 'REVOKED',
          ...filed.set.values,
          ...(endedBy === undefined ? {} : { ':endedBy': endedBy }),
        },
      },
      allOf(condition, filed.unchanged),
    );
    const release = this.table.update(
      'claim',
      claimCodec.key(workspaceId, email),
      {
        expression: 'SET expiresAt = :released, #ttl = :ttl',
        names: { '#ttl': TABLE.ttlAttribute },
        values: { ':released': nowIso, ':ttl': ttlAt(nowIso) },
      },
      {
        expression: 'invitationId = :invitation AND kind = :invited',
        values: { ':invitation': invitationId, ':invited': 'INVITED' },
      },
    );
    try {
      await this.table.transact([revoke, release]);
      return true;
    } catch (error) {
      if (!(error instanceof ConditionFailed)) throw error;
      // Accepted, withdrawn or changed meanwhile: nothing left to revoke.
      if (error.label === 'invitation') return false;
    }
    // The claim is no longer this invitation's (taken over after an expiry): revoke the invitation alone.
    return this.table.applied(revoke);
  }
}
