/** How an invitation is shown to a caller: its effective status and how the caller stands towards it. */
import { coolDownRemaining, lastSendRequestedAt } from '../domain/delivery';
import { effectiveStatus, type Invitation, type Status } from '../domain/invitation';
import { type Caller, type InvitationRelation, relationTo } from '../domain/permissions';
import type { Role } from '../domain/roles';
import type { Page } from './ports';

/** An invitation together with how the caller stands towards it: what the HAL layer needs for `_links`. */
export interface InvitationView {
  invitation: Invitation;
  status: Status;
  relation: InvitationRelation;
  /** The cool-down since the last email has passed, so a resend may be requested now. */
  resendable: boolean;
}

/** What the holder of an invitation link may see without signing in: nothing that names the invitee in full. */
export interface InvitationLinkPreview {
  invitationId: string;
  workspaceName: string;
  inviterName: string;
  maskedEmail: string;
  role: Role;
  status: Status;
  expiresAt: string;
}

export function viewOf(invitation: Invitation, relation: InvitationRelation, now: Date): InvitationView {
  return {
    invitation,
    relation,
    status: effectiveStatus(invitation, now),
    resendable: coolDownRemaining(lastSendRequestedAt(invitation), now) === 0,
  };
}

export function viewsOf(caller: Caller, page: Page<Invitation>, now: Date, workspaceRole?: Role): Page<InvitationView> {
  return {
    ...page,
    items: page.items.map((invitation) => viewOf(invitation, relationTo(caller, invitation, workspaceRole), now)),
  };
}
