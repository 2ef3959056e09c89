/**
 * The route table: every API operation, its handler file (functions/<handler>.ts), whether it
 * needs a caller, and whether it writes. The CDK stack builds one function and one API route per
 * entry; the local gateway serves exactly these routes; the OpenAPI document lists them.
 */
export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** API Gateway path syntax: `{name}` is a path parameter. */
  path: string;
  handler: string;
  auth: 'jwt' | 'public';
  /** What the handler does with the table: `none` gets neither table access nor its configuration. */
  access: 'read' | 'write' | 'none';
  summary: string;
  /** The handler mints or verifies invitation link tokens, so it may read the HMAC key. */
  usesTokenKey?: boolean;
  tag: 'Workspaces' | 'Invitations' | 'API';
}

export const routes = [
  {
    method: 'POST',
    path: '/api/workspaces',
    handler: 'create-workspace',
    auth: 'jwt',
    access: 'write',
    tag: 'Workspaces',
    summary: 'Create a workspace; the caller becomes its OWNER',
  },
  {
    method: 'GET',
    path: '/api/workspaces',
    handler: 'list-workspaces',
    auth: 'jwt',
    access: 'read',
    tag: 'Workspaces',
    summary: "List the caller's workspaces",
  },
  {
    method: 'GET',
    path: '/api/workspaces/{workspaceId}',
    handler: 'get-workspace',
    auth: 'jwt',
    access: 'read',
    tag: 'Workspaces',
    summary: 'View a workspace (members only)',
  },
  {
    method: 'PATCH',
    path: '/api/workspaces/{workspaceId}',
    handler: 'update-workspace',
    auth: 'jwt',
    access: 'write',
    tag: 'Workspaces',
    summary: "Change a workspace's name, allowed domains or invitation lifetime (OWNER/ADMIN)",
  },
  {
    method: 'GET',
    path: '/api/workspaces/{workspaceId}/members',
    handler: 'list-members',
    auth: 'jwt',
    access: 'read',
    tag: 'Workspaces',
    summary: "List a workspace's members (members only)",
  },
  {
    method: 'DELETE',
    path: '/api/workspaces/{workspaceId}/members/{userId}',
    handler: 'remove-member',
    auth: 'jwt',
    access: 'write',
    tag: 'Workspaces',
    summary: 'Remove a member (OWNER/ADMIN, or the member themself; never the last OWNER)',
  },
  {
    method: 'GET',
    path: '/api/invitations',
    handler: 'list-invitations',
    auth: 'jwt',
    access: 'read',
    tag: 'Invitations',
    summary: 'List the invitations the caller sent, or with ?email= the ones the caller received',
  },
  {
    method: 'GET',
    path: '/api/workspaces/{workspaceId}/invitations',
    handler: 'list-workspace-invitations',
    auth: 'jwt',
    access: 'read',
    tag: 'Invitations',
    summary: "List a workspace's invitations (OWNER/ADMIN: all; MEMBER: their own)",
  },
  {
    method: 'POST',
    path: '/api/workspaces/{workspaceId}/invitations',
    handler: 'create-invitation',
    auth: 'jwt',
    access: 'write',
    tag: 'Invitations',
    summary: 'Invite an email address into a workspace',
  },
  {
    method: 'GET',
    path: '/api/invitations/{invitationId}',
    handler: 'get-invitation',
    auth: 'jwt',
    access: 'read',
    tag: 'Invitations',
    summary: 'View one invitation',
  },
  {
    method: 'PATCH',
    path: '/api/invitations/{invitationId}',
    handler: 'accept-invitation',
    auth: 'jwt',
    access: 'write',
    tag: 'Invitations',
    summary: 'Accept an invitation (the invitee); creates the membership',
  },
  {
    method: 'PUT',
    path: '/api/invitations/{invitationId}/revoked',
    handler: 'withdraw-invitation',
    auth: 'jwt',
    access: 'write',
    tag: 'Invitations',
    summary: 'Withdraw a PENDING or ACCEPTED invitation; an accepted one loses its membership',
  },
  {
    method: 'PUT',
    path: '/api/invitations/{invitationId}/declined',
    handler: 'decline-invitation',
    auth: 'jwt',
    access: 'write',
    tag: 'Invitations',
    summary: 'Decline a PENDING invitation (the invitee)',
  },
  {
    method: 'DELETE',
    path: '/api/invitations/{invitationId}',
    handler: 'delete-invitation',
    auth: 'jwt',
    access: 'write',
    tag: 'Invitations',
    summary: 'Delete a PENDING, REVOKED, DECLINED or EXPIRED invitation',
  },
  {
    method: 'GET',
    path: '/api/openapi.json',
    handler: 'get-openapi',
    auth: 'public',
    access: 'none',
    tag: 'API',
    summary: 'This API as an OpenAPI 3.1 document',
  },
  {
    method: 'POST',
    path: '/api/invitations/{invitationId}/resend',
    handler: 'resend-invitation',
    auth: 'jwt',
    access: 'write',
    tag: 'Invitations',
    summary: 'Send a PENDING invitation again, with a full lifetime from now (at most once a minute)',
  },
  {
    method: 'GET',
    path: '/api/invitation-tokens/{token}',
    handler: 'preview-invitation-token',
    auth: 'public',
    access: 'read',
    usesTokenKey: true,
    tag: 'Invitations',
    summary: 'Preview the invitation behind an emailed link; changes nothing',
  },
  {
    method: 'POST',
    path: '/api/invitation-tokens/{token}/accept',
    handler: 'accept-invitation-token',
    auth: 'jwt',
    access: 'write',
    usesTokenKey: true,
    tag: 'Invitations',
    summary: "Accept the invitation behind an emailed link (the caller's verified email must be the invited one)",
  },
] as const satisfies readonly Route[];

export type HandlerName = (typeof routes)[number]['handler'];
