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
import { memberCodec } from './codecs/workspace';
import type { CursorCodec } from './cursor';
import type { Expression } from './dynamo/expression';
import { filtered, mergedPage } from './dynamo/paging';
import type { Item, Key, Table } from './dynamo/table';
import { emailPartition, userPartition, WORKSPACE_PREFIX, workspacePartition } from './keys';
import { inWorkspace, rangesFor, statusQuery, timeOf } from './list-ranges';
import { type IndexName, TABLE } from './table-definition';

export class DynamoInvitationLists implements InvitationLists {
  constructor(
    private readonly table: Table,
    private readonly cursors?: CursorCodec,
  ) {}

  /** With the sender's memberships in the page's workspaces, read in the same batch as the page (byUser carries the workspace). */
  async listSentInvitations(creatorId: string, filter: { status?: Status }, page: PageRequest, now: Date) {
    const { found, also } = await this.read({
      scope: `sent:${creatorId}:${filter.status ?? '*'}`,
      index: 'byUser',
      partition: userPartition(creatorId),
      status: filter.status,
      page,
      now,
      alsoRead: (entries) =>
        [...new Set(entries.map(workspaceOf))].map((workspaceId) => memberCodec.key(workspaceId, creatorId)),
    });
    const members = also.flatMap((item) => memberCodec.fromItem(item) ?? []);
    return { ...found, memberships: new Map(members.map((member) => [member.workspaceId, member])) };
  }

  async listReceivedInvitations(email: string, filter: { status?: Status }, page: PageRequest, now: Date) {
    const scope = `received:${email}:${filter.status ?? '*'}`;
    const partition = emailPartition(email);
    return (await this.read({ scope, index: 'byEmail', partition, status: filter.status, page, now })).found;
  }

  async listWorkspaceInvitations(
    workspaceId: string,
    filter: WorkspaceInvitationFilter,
    page: PageRequest,
    now: Date,
  ): Promise<Page<Invitation>> {
    // The filter is part of the scope: a cursor from the unfiltered list cannot page a filtered one.
    const scope = `workspace:${workspaceId}:${filter.status ?? '*'}:${filter.creatorId ?? '*'}`;
    const { status } = filter;
    const source = filter.creatorId
      ? // Someone who sees only their own: their sent list, kept to this workspace.
        { index: 'byUser' as const, partition: userPartition(filter.creatorId), within: inWorkspace(workspaceId) }
      : { index: 'byWorkspace' as const, partition: workspacePartition(workspaceId) };
    return (await this.read({ scope, status, page, now, ...source })).found;
  }

  /**
   * The page's index entries, then its items in one batch, with any other items `alsoRead` names
   * from the entries (read strongly consistent then, as authority is decided on them).
   */
  private async read(request: ListRequest): Promise<{ found: Page<Invitation>; also: Item[] }> {
    const { index, partition, status, now } = request;
    const ranges = rangesFor(status, now).map((bounds) =>
      filtered(statusQuery(index, partition, bounds), request.within),
    );
    const entries = await mergedPage(this.table, this.cursors, request.scope, request.page, ranges, timeOf);
    const also = request.alsoRead?.(entries.items) ?? [];
    const items = await this.table.batchGet([...entries.items.map(primaryKeyOf), ...also], also.length > 0);
    const byKey = new Map(items.map((item) => [keyString(item), invitationCodec.fromItem(item)]));
    const found = {
      ...entries,
      // In the index's order; one changed or deleted since the index was read shows as it is now, or not at all.
      items: entries.items.flatMap((entry) => {
        const invitation = byKey.get(keyString(entry));
        if (!invitation || (status && effectiveStatus(invitation, now) !== status)) return [];
        return [invitation];
      }),
    };
    return { found, also: items.filter((item) => !invitationCodec.fromItem(item)) };
  }
}

interface ListRequest {
  /** Names the collection: a cursor issued for one cannot page another. */
  scope: string;
  index: IndexName;
  partition: string;
  status?: Status;
  page: PageRequest;
  now: Date;
  /** A filter on the index's entries. */
  within?: Expression;
  alsoRead?: (entries: Item[]) => Key[];
}

/** The workspace of a byUser entry, from the byWorkspace partition it carries. */
function workspaceOf(entry: Item): string {
  return String(entry[TABLE.indexes.byWorkspace.partitionKey]).slice(WORKSPACE_PREFIX.length);
}

function keyString(item: Item): string {
  return `${String(item[TABLE.partitionKey])}\u0000${String(item[TABLE.sortKey])}`;
}
