/** The invitation lists: those a person sent, those sent to an address, and a workspace's. */
import type { Invitation } from '../domain/invitation';
import type { InvitationLists, Page, PageRequest, WorkspaceInvitationFilter } from '../use-cases/ports';
import { expired, inStatus, invitationCodec } from './codecs/invitation';
import type { CursorCodec } from './cursor';
import { allOf, type Expression } from './dynamo/expression';
import { filtered, keyCondition, type QueryInput, queryPage } from './dynamo/paging';
import type { Table } from './dynamo/table';
import { emailPartition, INVITATION_PREFIX, userPartition, workspacePartition } from './keys';

export class DynamoInvitationLists implements InvitationLists {
  constructor(
    private readonly table: Table,
    private readonly cursors?: CursorCodec,
  ) {}

  listSentInvitations(creatorId: string, page: PageRequest): Promise<Page<Invitation>> {
    return this.newestFirst(
      `sent:${creatorId}`,
      page,
      keyCondition(userPartition(creatorId), INVITATION_PREFIX, 'byUser'),
    );
  }

  listReceivedInvitations(email: string, page: PageRequest): Promise<Page<Invitation>> {
    return this.newestFirst(
      `received:${email}`,
      page,
      keyCondition(emailPartition(email), INVITATION_PREFIX, 'byEmail'),
    );
  }

  listWorkspaceInvitations(
    workspaceId: string,
    filter: WorkspaceInvitationFilter,
    page: PageRequest,
    now: Date,
  ): Promise<Page<Invitation>> {
    const conditions: Expression[] = [];
    if (filter.status === 'EXPIRED') {
      conditions.push(expired(now));
    } else if (filter.status) {
      conditions.push(inStatus(filter.status, now));
    }
    if (filter.creatorId)
      conditions.push({ expression: 'creatorId = :creator', values: { ':creator': filter.creatorId } });
    // The filter is part of the scope: a cursor from the unfiltered list cannot page a filtered one.
    const scope = `workspace:${workspaceId}:${filter.status ?? '*'}:${filter.creatorId ?? '*'}`;
    const all = keyCondition(workspacePartition(workspaceId), INVITATION_PREFIX, 'byWorkspace');
    return this.newestFirst(scope, page, filtered(all, conditions.length ? allOf(...conditions) : undefined));
  }

  private newestFirst(scope: string, page: PageRequest, input: QueryInput): Promise<Page<Invitation>> {
    return queryPage(
      this.table,
      this.cursors,
      scope,
      page,
      { ...input, ScanIndexForward: false },
      (item) => invitationCodec.fromItem(item) as Invitation,
    );
  }
}
