/**
 * The invitation lists: those a person sent, those sent to an address, and a workspace's. Each is
 * a partition of a keys-only list index whose sort key is `<status>#<expiresAt>`: a status filter
 * reads one key range, an unfiltered list merges the four stored statuses' ranges, and the page's
 * items are then read from the table in one batch.
 */
import { effectiveStatus, type Invitation, type Status } from '../domain/invitation';
import type { InvitationLists, Page, PageRequest, WorkspaceInvitationFilter } from '../use-cases/ports';
import { invitationCodec } from './codecs/invitation';
import { primaryKeyOf } from './codecs/item';
import type { CursorCodec } from './cursor';
import { filtered, mergedPage, type QueryInput } from './dynamo/paging';
import type { Item, Table } from './dynamo/table';
import { emailPartition, userPartition, workspacePartition } from './keys';
import { inWorkspace, rangesFor, statusQuery, timeOf } from './list-ranges';
import { type IndexName, TABLE } from './table-definition';

export class DynamoInvitationLists implements InvitationLists {
  constructor(
    private readonly table: Table,
    private readonly cursors?: CursorCodec,
  ) {}

  listSentInvitations(creatorId: string, filter: { status?: Status }, page: PageRequest, now: Date) {
    return this.list(
      `sent:${creatorId}:${filter.status ?? '*'}`,
      'byUser',
      userPartition(creatorId),
      filter,
      page,
      now,
    );
  }

  listReceivedInvitations(email: string, filter: { status?: Status }, page: PageRequest, now: Date) {
    return this.list(`received:${email}:${filter.status ?? '*'}`, 'byEmail', emailPartition(email), filter, page, now);
  }

  listWorkspaceInvitations(
    workspaceId: string,
    filter: WorkspaceInvitationFilter,
    page: PageRequest,
    now: Date,
  ): Promise<Page<Invitation>> {
    // The filter is part of the scope: a cursor from the unfiltered list cannot page a filtered one.
    const scope = `workspace:${workspaceId}:${filter.status ?? '*'}:${filter.creatorId ?? '*'}`;
    if (!filter.creatorId) return this.list(scope, 'byWorkspace', workspacePartition(workspaceId), filter, page, now);
    // Someone who sees only their own: their sent list, kept to this workspace.
    return this.list(scope, 'byUser', userPartition(filter.creatorId), filter, page, now, (range) =>
      filtered(range, inWorkspace(workspaceId)),
    );
  }

  private async list(
    scope: string,
    index: IndexName,
    partition: string,
    filter: { status?: Status },
    page: PageRequest,
    now: Date,
    narrow: (range: QueryInput) => QueryInput = (range) => range,
  ): Promise<Page<Invitation>> {
    const ranges = rangesFor(filter.status, now).map((bounds) => narrow(statusQuery(index, partition, bounds)));
    const found = await mergedPage(this.table, this.cursors, scope, page, ranges, timeOf);
    const items = await this.table.batchGet(found.items.map(primaryKeyOf), false);
    const byKey = new Map(items.map((item) => [keyString(item), invitationCodec.fromItem(item)]));
    return {
      ...found,
      // In the index's order; one changed or deleted since the index was read shows as it is now, or not at all.
      items: found.items.flatMap((entry) => {
        const invitation = byKey.get(keyString(entry));
        if (!invitation || (filter.status && effectiveStatus(invitation, now) !== filter.status)) return [];
        return [invitation];
      }),
    };
  }
}

function keyString(item: Item): string {
  return `${String(item[TABLE.partitionKey])}\u0000${String(item[TABLE.sortKey])}`;
}
