/** HAL representations in the shape of the Matatika reference: `_embedded`, `_links`, `page`. */
import type { Invitation, Status } from '../domain/invitation';
import {
  availableActions,
  type Caller,
  canManage,
  canRemoveMember,
  type InvitationAction,
} from '../domain/permissions';
import { isManagerRole, type Role } from '../domain/roles';
import type { Member, Workspace } from '../domain/workspace';
import type { InvitationLinkPreview, InvitationView } from '../use-cases/invitation-views';
import type { Page } from '../use-cases/ports';
import type { WorkspaceView } from '../use-cases/workspaces';
import { memberPathSegment } from './member-path';

export interface Link {
  href: string;
  type?: string;
  templated?: boolean;
}
export type Links = Record<string, Link>;

const ACTION_LINKS: Record<InvitationAction, { rel: string; method: string; suffix: string }> = {
  accept: { rel: 'accept invitation', method: 'PATCH', suffix: '' },
  decline: { rel: 'decline invitation', method: 'PUT', suffix: '/declined' },
  withdraw: { rel: 'withdraw invitation', method: 'PUT', suffix: '/revoked' },
  delete: { rel: 'delete invitation', method: 'DELETE', suffix: '' },
  resend: { rel: 'resend invitation', method: 'POST', suffix: '/resend' },
};

export function invitationResource(view: InvitationView, baseUrl: string) {
  const { invitation, relation, status, resendable } = view;
  const self = `${baseUrl}/api/invitations/${invitation.id}`;
  const links: Links & { self: Link } = { self: { href: self } };
  for (const action of availableActions(relation, status, { resendable, grantedRole: invitation.role })) {
    const { rel, method, suffix } = ACTION_LINKS[action];
    links[rel] = { href: `${self}${suffix}`, type: method };
  }
  links.workspace = { href: `${baseUrl}/api/workspaces/${invitation.workspaceId}` };
  return { ...invitationFields(invitation, status, canManage(relation)), _links: links };
}

/** The invitation's fields as the API shows them; `metadata` only to those who may manage it. */
export function invitationFields(invitation: Invitation, status: Status, manager: boolean) {
  return {
    id: invitation.id,
    created: invitation.created,
    lastModified: invitation.lastModified,
    status,
    email: invitation.email,
    creator: { id: invitation.creatorId, name: invitation.creatorName, handle: invitation.creatorHandle },
    workspace: { id: invitation.workspaceId, name: invitation.workspaceName, alias: invitation.workspaceAlias },
    role: invitation.role,
    expiresAt: invitation.expiresAt,
    acceptedAt: invitation.acceptedAt,
    sendCount: invitation.sendCount,
    sendAttempts: invitation.sendAttempts ?? invitation.sendCount,
    lastSentAt: invitation.lastSentAt,
    delivery: invitation.delivery && {
      status: invitation.delivery.status,
      updatedAt: invitation.delivery.updatedAt,
      failure: invitation.delivery.failure,
      attempts: invitation.delivery.attempts ?? 0,
    },
    metadata: manager ? invitation.metadata : undefined,
  };
}

/** The public preview behind an emailed link; its only action is accepting through the same link. */
export function invitationLinkPreviewResource(preview: InvitationLinkPreview, token: string, baseUrl: string) {
  const self = `${baseUrl}/api/invitation-tokens/${encodeURIComponent(token)}`;
  return {
    workspace: { name: preview.workspaceName },
    inviter: { name: preview.inviterName },
    email: preview.maskedEmail,
    role: preview.role,
    status: preview.status,
    expiresAt: preview.expiresAt,
    _links: {
      self: { href: self },
      'accept invitation': { href: `${self}/accept`, type: 'POST' },
    } satisfies Links,
  };
}

/** The workspace's settings as the API shows them, without the caller's role. */
export function workspaceFields(workspace: Workspace) {
  return {
    id: workspace.id,
    created: workspace.created,
    lastModified: workspace.lastModified,
    name: workspace.name,
    alias: workspace.alias,
    allowedDomains: workspace.allowedDomains,
    invitationTtlDays: workspace.invitationTtlDays,
  };
}

export function workspaceResource({ workspace, member }: WorkspaceView, baseUrl: string) {
  const self = `${baseUrl}/api/workspaces/${workspace.id}`;
  const links: Links & { self: Link } = {
    self: { href: self },
    members: { href: `${self}/members` },
    invitations: { href: `${self}/invitations{?status}`, templated: true },
    'create invitation': { href: `${self}/invitations`, type: 'POST' },
  };
  if (isManagerRole(member.role)) links['update workspace'] = { href: self, type: 'PATCH' };
  return { ...workspaceFields(workspace), role: member.role, _links: links };
}

export function memberResource(member: Member, caller: Caller, callerRole: Role, baseUrl: string) {
  const self = `${baseUrl}/api/workspaces/${member.workspaceId}/members/${memberPathSegment(member.userId)}`;
  const links: Links = {};
  if (canRemoveMember(caller.userId, callerRole, member.userId, member.role)) {
    links['remove member'] = { href: self, type: 'DELETE' };
  }
  return { ...memberFields(member, isManagerRole(callerRole)), _links: links };
}

/** The member's fields as the API shows them; the metadata of the invitation that made them one only to managers. */
export function memberFields(member: Member, manager: boolean) {
  return {
    userId: member.userId,
    name: member.name,
    handle: member.handle,
    email: member.email,
    role: member.role,
    joinedAt: member.joinedAt,
    metadata: manager ? member.metadata : undefined,
  };
}

/**
 * A page of a collection. `self` repeats the request; `next`, when there is more, carries the
 * opaque cursor and keeps every other query parameter.
 */
export function collection<T>(
  name: string,
  page: Page<unknown>,
  items: T[],
  request: { baseUrl: string; path: string; query: Record<string, string | undefined>; size: number },
) {
  const href = (query: Record<string, string | undefined>) => {
    const params = new URLSearchParams(
      Object.entries(query).filter((entry): entry is [string, string] => entry[1] !== undefined),
    ).toString();
    return `${request.baseUrl}${request.path}${params ? `?${params}` : ''}`;
  };
  const links: Links = { self: { href: href(request.query) } };
  if (page.nextCursor) {
    links.next = { href: href({ ...request.query, size: String(request.size), cursor: page.nextCursor }) };
  }
  return {
    _embedded: { [name]: items },
    _links: links,
    page: { size: request.size, number: page.pageNumber },
  };
}
