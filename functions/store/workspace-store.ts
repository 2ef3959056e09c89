/** The workspace aggregate in the table: workspaces, their members and the members' address claims. */
import type { Member, Workspace, WorkspaceLimits } from '../domain/workspace';
import type { Page, PageRequest, RoleRequirement, WorkspaceStore } from '../use-cases/ports';
import { WorkspaceChanged } from '../use-cases/ports';
import { Refused } from '../use-cases/refused';
import { roleCheck } from './authority';
import { primaryKeyOf } from './codecs/item';
import { removalCodec } from './codecs/removal';
import { claimCodec, claimHeldBy, memberCodec, workspaceCodec } from './codecs/workspace';
import type { CursorCodec } from './cursor';
import { isNew } from './dynamo/expression';
import { keyCondition, queryPage } from './dynamo/paging';
import { ConditionFailed, type Table, type Write } from './dynamo/table';
import { ENTITY, keys, MEMBER_PREFIX, userPartition, WORKSPACE_PREFIX, workspacePartition } from './keys';
import { TABLE } from './table-definition';
import { initialCounts } from './workspace-limits';

export class DynamoWorkspaceStore implements WorkspaceStore {
  constructor(
    private readonly table: Table,
    private readonly limits: WorkspaceLimits,
    /** Only functions that list are given the cursor key; a store without it cannot page. */
    private readonly cursors?: CursorCodec,
  ) {}

  async createWorkspace(workspace: Workspace, owner: Member): Promise<void> {
    const writes: Write[] = [
      this.table.put('workspace', workspaceCodec.toItem(workspace, initialCounts()), isNew),
      this.table.put('member', memberCodec.toItem(owner), isNew),
    ];
    if (owner.email) writes.push(this.table.put('claim', claimCodec.member(owner), isNew));
    writes.push(
      this.table.update(
        'quota',
        keys.workspaceQuota(owner.userId),
        {
          expression: 'SET entity = :entity ADD created :one',
          values: { ':entity': ENTITY.workspaceQuota, ':one': 1 },
        },
        {
          expression: 'attribute_not_exists(created) OR created < :limit',
          values: { ':limit': this.limits.workspacesPerUser },
        },
      ),
    );
    await this.table.transact(writes).catch((error: unknown) => {
      if (!(error instanceof ConditionFailed)) throw error;
      if (error.label === 'quota')
        throw new Refused('workspace-quota-reached', { limit: this.limits.workspacesPerUser });
      throw new Refused('resource-exists');
    });
  }

  async getWorkspaceAndMember(workspaceId: string, userId: string) {
    const found = await this.table.batchGet([workspaceCodec.key(workspaceId), memberCodec.key(workspaceId, userId)]);
    return {
      workspace: workspaceCodec.fromItem(found.find((item) => item.entity === ENTITY.workspace)),
      member: memberCodec.fromItem(found.find((item) => item.entity === ENTITY.member)),
    };
  }

  async getMembers(workspaceId: string, userIds: readonly string[]): Promise<Map<string, Member>> {
    const found = await this.table.batchGet([...new Set(userIds)].map((id) => memberCodec.key(workspaceId, id)));
    return new Map(found.flatMap((item) => this.member(item, (member) => member.userId)));
  }

  async updateWorkspace(
    workspace: Workspace,
    previousVersion: string,
    authorizedBy: RoleRequirement,
    renamed: boolean,
  ): Promise<void> {
    const minute = workspace.lastModified.slice(0, 16);
    const minuteStarts = Date.parse(`${minute}:00.000Z`);
    // Each rename rewrites every invitation of the workspace, so renames are rationed per minute.
    const renames: Write[] = renamed
      ? [
          this.table.update(
            'renames',
            keys.renameWindow(workspace.id, minute),
            {
              expression: 'SET entity = :entity, #ttl = :ttl ADD renames :one',
              names: { '#ttl': TABLE.ttlAttribute },
              values: { ':entity': ENTITY.renameWindow, ':ttl': Math.floor(minuteStarts / 1000) + 3600, ':one': 1 },
            },
            {
              expression: 'attribute_not_exists(renames) OR renames < :limit',
              values: { ':limit': this.limits.workspaceRenamesPerMinute },
            },
          ),
        ]
      : [];
    const settings = this.table.update(
      'workspace',
      workspaceCodec.key(workspace.id),
      {
        expression:
          'SET #name = :name, allowedDomains = :domains, invitationTtlDays = :ttlDays, lastModified = :lastModified, lastChangedBy = :changedBy',
        names: { '#name': 'name' },
        values: {
          ':name': workspace.name,
          ':domains': workspace.allowedDomains,
          ':ttlDays': workspace.invitationTtlDays,
          ':lastModified': workspace.lastModified,
          ':changedBy': workspace.lastChangedBy,
        },
      },
      { expression: 'lastModified = :previous', values: { ':previous': previousVersion } },
      true,
    );
    await this.table.transact([...renames, settings, roleCheck(this.table, authorizedBy)]).catch((error: unknown) => {
      if (!(error instanceof ConditionFailed)) throw error;
      if (error.label === 'renames') {
        throw new Refused('renames-rationed', {
          limit: this.limits.workspaceRenamesPerMinute,
          retryAfterSeconds: Math.max(1, Math.ceil((minuteStarts + 60_000 - Date.now()) / 1000)),
        });
      }
      if (error.label === 'workspace' && error.current) throw new WorkspaceChanged();
      if (error.label === 'workspace') throw new Refused('workspace-not-found');
      throw new Refused('role-forbids-workspace-change');
    });
  }

  listMembers(workspaceId: string, page: PageRequest): Promise<Page<Member>> {
    return queryPage(
      this.table,
      this.cursors,
      `members:${workspaceId}`,
      page,
      keyCondition(workspacePartition(workspaceId), MEMBER_PREFIX),
      (item) => memberCodec.fromItem(item) as Member,
    );
  }

  async listWorkspacesOf(userId: string, page: PageRequest) {
    // The index holds keys only: the memberships and their workspaces are read in one batch.
    const memberships = await queryPage(
      this.table,
      this.cursors,
      `workspaces:${userId}`,
      page,
      keyCondition(userPartition(userId), WORKSPACE_PREFIX, 'byUser'),
      primaryKeyOf,
    );
    const workspaceIds = memberships.items.map((key) => String(key[TABLE.partitionKey]).slice(WORKSPACE_PREFIX.length));
    const found = await this.table.batchGet(
      [...memberships.items, ...workspaceIds.map((workspaceId) => workspaceCodec.key(workspaceId))],
      false,
    );
    const workspaces = new Map<string, Workspace>();
    const members = new Map<string, Member>();
    for (const item of found) {
      const workspace = workspaceCodec.fromItem(item);
      if (workspace) workspaces.set(workspace.id, workspace);
      const member = memberCodec.fromItem(item);
      if (member) members.set(member.workspaceId, member);
    }
    return {
      ...memberships,
      items: workspaceIds.flatMap((workspaceId) => {
        const workspace = workspaces.get(workspaceId);
        const member = members.get(workspaceId);
        return workspace && member ? [{ workspace, member }] : [];
      }),
    };
  }

  async removeMember(member: Member, removedBy: string, authorizedBy: RoleRequirement | undefined, now: Date) {
    const writes: Write[] = [
      // The membership that was read, not a later one of the same person.
      this.table.delete('member', memberCodec.key(member.workspaceId, member.userId), {
        expression: 'joinedAt = :joinedAt',
        values: { ':joinedAt': member.joinedAt },
      }),
      // The stream's record of the removal holds only the membership: this names who ended it.
      this.table.put('removal', removalCodec.ofMember(member, removedBy, now)),
    ];
    if (member.email) {
      writes.push(
        this.table.delete(
          'claim',
          claimCodec.key(member.workspaceId, member.email),
          claimHeldBy('userId', member.userId),
        ),
      );
    }
    if (member.role === 'OWNER') writes.push(ownerRemoved(this.table, member.workspaceId));
    if (authorizedBy) writes.push(roleCheck(this.table, authorizedBy));
    await this.table.transact(writes).catch((error: unknown) => {
      if (!(error instanceof ConditionFailed)) throw error;
      if (error.label === 'member') throw new Refused('member-not-found');
      if (error.label === 'owners') throw new Refused('last-owner');
      if (error.label === 'role') throw new Refused('role-forbids-member-removal');
      throw new Refused('membership-changed');
    });
  }

  private member(item: Record<string, unknown>, keyOf: (member: Member) => string): [string, Member][] {
    const member = memberCodec.fromItem(item);
    return member ? [[keyOf(member), member]] : [];
  }
}

/**
 * One OWNER less. A workspace keeps at least one: this holds only while another remains
 * (labelled `owners`). Adding one is part of the workspace write that counts the member
 * (store/invitation-store.ts, accept).
 */
export function ownerRemoved(table: Table, workspaceId: string): Write {
  return table.update(
    'owners',
    workspaceCodec.key(workspaceId),
    { expression: 'SET ownerCount = ownerCount - :one', values: { ':one': 1 } },
    { expression: 'ownerCount > :one', values: { ':one': 1 } },
  );
}
