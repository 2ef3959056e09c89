import { randomBytes, randomUUID } from 'node:crypto';
import { cleanDisplayName } from '../domain/display-name';
import { normalizeDomain } from '../domain/email';
import { Conflict, Forbidden, NotFound } from '../domain/errors';
import { DEFAULT_TTL_DAYS } from '../domain/invitation';
import type { Caller } from '../domain/permissions';
import { canRemoveMember } from '../domain/permissions';
import { isManagerRole } from '../domain/roles';
import { type Member, newAlias, nextWorkspaceVersion, type Workspace } from '../domain/workspace';
import type { Clock } from './invitations';
import { type EndedMembership, type Page, type PageRequest, type Stores, WorkspaceChanged } from './ports';

/** Times a workspace change is read and applied again when another change got there first. */
const UPDATE_ATTEMPTS = 5;

export interface WorkspaceView {
  workspace: Workspace;
  /** The caller's own membership. */
  member: Member;
}

export interface WorkspaceChanges {
  name?: string;
  allowedDomains?: string[];
  invitationTtlDays?: number;
}

/** A workspace modification as the table stream reports it: the name before and after, and when. */
export interface WorkspaceNameChange {
  workspaceId: string;
  previousName?: string;
  name: string;
  /** The workspace's lastModified after the change. */
  version: string;
}

export class Workspaces {
  constructor(
    private readonly stores: Pick<Stores, 'workspaces' | 'workspaceInvitations'>,
    private readonly clock: Clock = () => new Date(),
  ) {}

  async create(caller: Caller, input: { name: string; allowedDomains?: string[] }): Promise<WorkspaceView> {
    const now = this.clock().toISOString();
    const workspace: Workspace = {
      id: randomUUID(),
      name: cleanDisplayName(input.name),
      alias: newAlias(randomBytes(7)),
      allowedDomains: uniqueDomains(input.allowedDomains),
      invitationTtlDays: DEFAULT_TTL_DAYS,
      created: now,
      lastModified: now,
      createdBy: caller.userId,
      ownerCount: 1,
    };
    const owner: Member = {
      workspaceId: workspace.id,
      userId: caller.userId,
      email: caller.verifiedEmail,
      name: caller.name,
      handle: caller.handle,
      role: 'OWNER',
      joinedAt: now,
    };
    await this.stores.workspaces.createWorkspace(workspace, owner);
    return { workspace, member: owner };
  }

  listMine(caller: Caller, page: PageRequest): Promise<Page<WorkspaceView>> {
    return this.stores.workspaces.listWorkspacesOf(caller.userId, page);
  }

  async get(caller: Caller, workspaceId: string): Promise<WorkspaceView> {
    const { workspace, member } = await this.stores.workspaces.getWorkspaceAndMember(workspaceId, caller.userId);
    if (!workspace || !member) throw hidden();
    return { workspace, member };
  }

  /**
   * Applies `changes` to the workspace as it is now. Two changes at once never lose one another:
   * the write only succeeds on the version it was computed from, and on a race it is read and
   * applied again.
   */
  async update(caller: Caller, workspaceId: string, changes: WorkspaceChanges): Promise<WorkspaceView> {
    for (let attempt = 1; ; attempt++) {
      const { workspace, member } = await this.get(caller, workspaceId);
      if (!isManagerRole(member.role)) throw new Forbidden('Only an OWNER or ADMIN may change the workspace.');
      const updated: Workspace = {
        ...workspace,
        name: changes.name === undefined ? workspace.name : cleanDisplayName(changes.name),
        allowedDomains: changes.allowedDomains ? uniqueDomains(changes.allowedDomains) : workspace.allowedDomains,
        invitationTtlDays: changes.invitationTtlDays ?? workspace.invitationTtlDays,
        lastModified: nextWorkspaceVersion(workspace.lastModified, this.clock()),
        lastChangedBy: caller.userId,
      };
      try {
        await this.stores.workspaces.updateWorkspace(
          updated,
          workspace.lastModified,
          { workspaceId, userId: caller.userId, roles: ['OWNER', 'ADMIN'] },
          updated.name !== workspace.name,
        );
        return { workspace: updated, member };
      } catch (error) {
        if (!(error instanceof WorkspaceChanged)) throw error;
        if (attempt >= UPDATE_ATTEMPTS) {
          throw new Conflict('The workspace is being changed by other requests at the same time; retry.');
        }
      }
    }
  }

  /**
   * Carries a workspace's name to its invitations, which show it in lists, link previews and
   * emails. A modification that kept the name (settings, the OWNER count) changes nothing.
   */
  async propagateName(change: WorkspaceNameChange): Promise<number> {
    if (change.previousName === change.name) return 0;
    return this.stores.workspaceInvitations.renameWorkspaceInvitations(change.workspaceId, change.name, change.version);
  }

  /**
   * A creator's authority over their invitations ends with their membership: once a member has
   * left or been removed, the PENDING invitations that membership sent are withdrawn, so their
   * links die and lists show them REVOKED. Accepting re-checks the creator meanwhile.
   */
  revokeInvitationsOf(membership: EndedMembership): Promise<number> {
    return this.stores.workspaceInvitations.revokeInvitationsOf(membership, this.clock());
  }

  async listMembers(caller: Caller, workspaceId: string, page: PageRequest): Promise<Page<Member> & WorkspaceView> {
    const view = await this.get(caller, workspaceId);
    const members = await this.stores.workspaces.listMembers(workspaceId, page);
    return { ...members, ...view };
  }

  async removeMember(caller: Caller, workspaceId: string, userId: string): Promise<void> {
    const found = await this.stores.workspaces.getMembers(workspaceId, [caller.userId, userId]);
    const actor = found.get(caller.userId);
    const target = found.get(userId);
    if (!actor) throw hidden();
    if (!target) throw new NotFound('This user is not a member of the workspace.');
    if (!canRemoveMember(actor.userId, actor.role, target.userId, target.role)) {
      throw new Forbidden('Your role does not allow removing this member.');
    }
    const removingSelf = actor.userId === target.userId;
    const requiredRoles = target.role === 'OWNER' ? (['OWNER'] as const) : (['OWNER', 'ADMIN'] as const);
    await this.stores.workspaces.removeMember(
      target,
      caller.userId,
      removingSelf ? undefined : { workspaceId, userId: caller.userId, roles: requiredRoles },
      this.clock(),
    );
  }
}

function uniqueDomains(domains: readonly string[] | undefined): string[] {
  return [...new Set((domains ?? []).map(normalizeDomain))];
}

const hidden = () => new NotFound('The workspace does not exist.');
