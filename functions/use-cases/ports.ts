import type { Invitation, Status } from '../domain/invitation';
import type { Role } from '../domain/roles';
import type { Member, Workspace } from '../domain/workspace';

export interface PageRequest {
  size: number;
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  /** Zero-based. */
  pageNumber: number;
  nextCursor?: string;
}

/**
 * A caller whose right to write comes from their workspace role. The store re-checks that role
 * inside the write's transaction, so a concurrent demotion or removal cannot slip through.
 */
export interface RoleRequirement {
  workspaceId: string;
  userId: string;
  roles: readonly Role[];
}

export interface WorkspaceInvitationFilter {
  status?: Status;
  creatorId?: string;
}

/** Everything the use cases need from persistence. The DynamoDB adapter is functions/store/dynamo-store.ts. */
export interface Store {
  createWorkspace(workspace: Workspace, owner: Member): Promise<void>;
  getWorkspaceAndMember(workspaceId: string, userId: string): Promise<{ workspace?: Workspace; member?: Member }>;
  getMembers(workspaceId: string, userIds: readonly string[]): Promise<Map<string, Member>>;
  updateWorkspace(workspace: Workspace, authorizedBy: RoleRequirement): Promise<void>;
  listMembers(workspaceId: string, page: PageRequest): Promise<Page<Member>>;
  listWorkspacesOf(userId: string, page: PageRequest): Promise<Page<{ workspace: Workspace; member: Member }>>;
  removeMember(member: Member, authorizedBy?: RoleRequirement): Promise<void>;

  getInvitation(invitationId: string): Promise<Invitation | undefined>;
  createInvitation(invitation: Invitation, authorizedBy: RoleRequirement, now: Date): Promise<void>;
  acceptInvitation(invitation: Invitation, member: Member, now: Date): Promise<void>;
  declineInvitation(invitation: Invitation, now: Date): Promise<void>;
  /** `grantedMember` is the membership the invitation created, when withdrawing an ACCEPTED one. */
  withdrawInvitation(
    invitation: Invitation,
    grantedMember: Member | undefined,
    authorizedBy: RoleRequirement | undefined,
    now: Date,
  ): Promise<void>;
  deleteInvitation(invitation: Invitation, authorizedBy: RoleRequirement | undefined, now: Date): Promise<void>;
  listSentInvitations(creatorId: string, page: PageRequest): Promise<Page<Invitation>>;
  listReceivedInvitations(email: string, page: PageRequest): Promise<Page<Invitation>>;
  listWorkspaceInvitations(
    workspaceId: string,
    filter: WorkspaceInvitationFilter,
    page: PageRequest,
    now: Date,
  ): Promise<Page<Invitation>>;
}
