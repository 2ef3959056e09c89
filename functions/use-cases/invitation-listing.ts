/**
 * The invitation lists as each caller may see them: those they sent (in the workspaces they still
 * belong to), those sent to their own verified address, and a workspace's (all of them for its
 * OWNERs and ADMINs and for system admins, a MEMBER's own for a MEMBER).
 */
import { normalizeEmail } from '../domain/email';
import { Forbidden, NotFound } from '../domain/errors';
import type { Invitation, Status } from '../domain/invitation';
import { type Caller, canSee, relationTo } from '../domain/permissions';
import { isManagerRole, type Role } from '../domain/roles';
import { type InvitationView, viewOf, viewsOf } from './invitation-views';
import type { Clock } from './invitations';
import type { Page, PageRequest, Stores } from './ports';

export class InvitationListing {
  constructor(
    private readonly stores: Pick<Stores, 'workspaces' | 'invitationLists'>,
    private readonly clock: Clock = () => new Date(),
  ) {}

  /**
   * The invitations the caller sent, in the workspaces they still belong to: a creator who left
   * a workspace no longer sees what they sent there (system admins see everything they sent).
   */
  async listSent(caller: Caller, page: PageRequest, status?: Status): Promise<Page<InvitationView>> {
    const now = this.clock();
    const { memberships, ...result } = await this.stores.invitationLists.listSentInvitations(
      caller.userId,
      { status },
      page,
      now,
    );
    return {
      ...result,
      items: result.items.flatMap((invitation) => {
        const role = memberships.get(invitation.workspaceId)?.role;
        const relation = relationTo(caller, invitation, role);
        return canSee(relation) ? [viewOf(invitation, relation, now)] : [];
      }),
    };
  }

  async listReceived(caller: Caller, email: string, page: PageRequest, status?: Status): Promise<Page<InvitationView>> {
    if (!caller.verifiedEmail || caller.verifiedEmail !== normalizeEmail(email)) {
      throw new Forbidden('You can list only the invitations sent to your own verified email address.');
    }
    const result = await this.stores.invitationLists.listReceivedInvitations(
      caller.verifiedEmail,
      { status },
      page,
      this.clock(),
    );
    return this.views(caller, result);
  }

  async listForWorkspace(
    caller: Caller,
    workspaceId: string,
    status: Status | undefined,
    page: PageRequest,
  ): Promise<Page<InvitationView>> {
    const now = this.clock();
    const list = (creatorId?: string) =>
      this.stores.invitationLists.listWorkspaceInvitations(workspaceId, { status, creatorId }, page, now);
    // The whole list is read beside the membership that decides who may see it, so a manager's
    // takes two round trips; it is dropped unseen when the caller may see only their own.
    const whole = list().then(
      (found) => ({ found }),
      (error: unknown) => ({ error }),
    );
    const { workspace, member } = await this.stores.workspaces.getWorkspaceAndMember(workspaceId, caller.userId);
    if (!workspace || (!member && !caller.isSystemAdmin)) throw new NotFound('The workspace does not exist.');
    if (!caller.isSystemAdmin && !isManagerRole(member?.role)) {
      return this.views(caller, await list(caller.userId), member?.role);
    }
    const read = await whole;
    if ('error' in read) throw read.error;
    return this.views(caller, read.found, member?.role);
  }

  private views(caller: Caller, page: Page<Invitation>, workspaceRole?: Role): Page<InvitationView> {
    return viewsOf(caller, page, this.clock(), workspaceRole);
  }
}
