/**
 * The route table: every API operation, its handler file (functions/<handler>.ts), whether it
 * needs a caller, and what it does with the table, the keys and the limits (functions/access.ts).
 * The CDK stack builds one function and one API route per entry and grants it exactly what the
 * entry declares; the local gateway serves exactly these routes and holds each handler to its
 * declaration; the OpenAPI document lists them.
 */
import type { FunctionNeeds } from './access';

export interface Route extends FunctionNeeds {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** API Gateway path syntax: `{name}` is a path parameter. */
  path: string;
  handler: string;
  auth: 'jwt' | 'public';
  summary: string;
  tag: 'Workspaces' | 'Invitations' | 'API';
}

export const routes = [
  {
    method: 'POST',
    path: '/api/workspaces',
    handler: 'create-workspace',
    auth: 'jwt',
    table: { actions: ['PutItem', 'UpdateItem'] },
    limits: ['workspacesPerUser'],
    tag: 'Workspaces',
    summary: 'Create a workspace; the caller becomes its OWNER',
  },
  {
    method: 'GET',
    path: '/api/workspaces',
    handler: 'list-workspaces',
    auth: 'jwt',
    table: { actions: ['BatchGetItem'], indexes: ['byUser'] },
    secrets: ['cursorKey'],
    tag: 'Workspaces',
    summary: "List the caller's workspaces",
  },
  {
    method: 'GET',
    path: '/api/workspaces/{workspaceId}',
    handler: 'get-workspace',
    auth: 'jwt',
    table: { actions: ['BatchGetItem'] },
    tag: 'Workspaces',
    summary: 'View a workspace (members only)',
  },
  {
    method: 'PATCH',
    path: '/api/workspaces/{workspaceId}',
    handler: 'update-workspace',
    auth: 'jwt',
    table: { actions: ['BatchGetItem', 'UpdateItem', 'ConditionCheckItem'] },
    limits: ['workspaceRenamesPerMinute'],
    tag: 'Workspaces',
    summary: "Change a workspace's name, allowed domains or invitation lifetime (OWNER/ADMIN)",
  },
  {
    method: 'GET',
    path: '/api/workspaces/{workspaceId}/members',
    handler: 'list-members',
    auth: 'jwt',
    table: { actions: ['BatchGetItem', 'Query'] },
    secrets: ['cursorKey'],
    tag: 'Workspaces',
    summary: "List a workspace's members (members only)",
  },
  {
    method: 'DELETE',
    path: '/api/workspaces/{workspaceId}/members/{userId}',
    handler: 'remove-member',
    auth: 'jwt',
    table: { actions: ['BatchGetItem', 'DeleteItem', 'UpdateItem', 'ConditionCheckItem'] },
    tag: 'Workspaces',
    summary: 'Remove a member (OWNER/ADMIN, or the member themself; never the last OWNER)',
  },
  {
    method: 'GET',
    path: '/api/invitations',
    handler: 'list-invitations',
    auth: 'jwt',
    // BatchGetItem: the sent list keeps only the workspaces the caller still belongs to.
    table: { actions: ['BatchGetItem'], indexes: ['byUser', 'byEmail'] },
    secrets: ['cursorKey'],
    tag: 'Invitations',
    summary: 'List the invitations the caller sent, or with ?email= the ones the caller received',
  },
  {
    method: 'GET',
    path: '/api/workspaces/{workspaceId}/invitations',
    handler: 'list-workspace-invitations',
    auth: 'jwt',
    table: { actions: ['BatchGetItem'], indexes: ['byWorkspace'] },
    secrets: ['cursorKey'],
    tag: 'Invitations',
    summary: "List a workspace's invitations (OWNER/ADMIN: all; MEMBER: their own)",
  },
  {
    method: 'POST',
    path: '/api/workspaces/{workspaceId}/invitations',
    handler: 'create-invitation',
    auth: 'jwt',
    // GetItem, Query and PutItem recount the workspace's pending invitations when the count says it is full.
    table: { actions: ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem', 'ConditionCheckItem'] },
    limits: ['invitationEmailsPerUserPerDay', 'pendingInvitationsPerWorkspace'],
    tag: 'Invitations',
    summary: 'Invite an email address into a workspace',
  },
  {
    method: 'GET',
    path: '/api/invitations/{invitationId}',
    handler: 'get-invitation',
    auth: 'jwt',
    table: { actions: ['GetItem', 'BatchGetItem'] },
    tag: 'Invitations',
    summary: 'View one invitation',
  },
  {
    method: 'PATCH',
    path: '/api/invitations/{invitationId}',
    handler: 'accept-invitation',
    auth: 'jwt',
    // BatchGetItem: a caller who is not the invitee gets 403 or 404 by their role in the workspace.
    // Query: the workspace's members are recounted when the count says it is full.
    table: { actions: ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem', 'ConditionCheckItem'] },
    limits: ['membersPerWorkspace'],
    tag: 'Invitations',
    summary: 'Accept an invitation (the invitee); creates the membership',
  },
  {
    method: 'PUT',
    path: '/api/invitations/{invitationId}/revoked',
    handler: 'withdraw-invitation',
    auth: 'jwt',
    table: { actions: ['GetItem', 'BatchGetItem', 'UpdateItem', 'DeleteItem', 'ConditionCheckItem'] },
    tag: 'Invitations',
    summary: 'Withdraw a PENDING or ACCEPTED invitation; an accepted one loses its membership',
  },
  {
    method: 'PUT',
    path: '/api/invitations/{invitationId}/declined',
    handler: 'decline-invitation',
    auth: 'jwt',
    table: { actions: ['GetItem', 'BatchGetItem', 'UpdateItem', 'DeleteItem'] },
    tag: 'Invitations',
    summary: 'Decline a PENDING invitation (the invitee)',
  },
  {
    method: 'DELETE',
    path: '/api/invitations/{invitationId}',
    handler: 'delete-invitation',
    auth: 'jwt',
    table: { actions: ['GetItem', 'BatchGetItem', 'DeleteItem', 'ConditionCheckItem'] },
    tag: 'Invitations',
    summary: 'Delete a PENDING, REVOKED, DECLINED or EXPIRED invitation',
  },
  {
    method: 'GET',
    path: '/api/openapi.json',
    handler: 'get-openapi',
    auth: 'public',
    tag: 'API',
    summary: 'This API as an OpenAPI 3.1 document',
  },
  {
    method: 'POST',
    path: '/api/invitations/{invitationId}/resend',
    handler: 'resend-invitation',
    auth: 'jwt',
    table: { actions: ['GetItem', 'BatchGetItem', 'UpdateItem', 'ConditionCheckItem'] },
    limits: ['invitationEmailsPerUserPerDay'],
    tag: 'Invitations',
    summary: 'Send a PENDING invitation again, with a full lifetime from now (at most once a minute)',
  },
  {
    method: 'GET',
    path: '/api/invitation-tokens/{token}',
    handler: 'preview-invitation-token',
    auth: 'public',
    table: { actions: ['GetItem'] },
    secrets: ['linkTokenKey'],
    tag: 'Invitations',
    summary: 'Preview the invitation behind an emailed link; changes nothing',
  },
  {
    method: 'POST',
    path: '/api/invitation-tokens/{token}/accept',
    handler: 'accept-invitation-token',
    auth: 'jwt',
    table: { actions: ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'ConditionCheckItem'] },
    limits: ['membersPerWorkspace'],
    secrets: ['linkTokenKey'],
    tag: 'Invitations',
    summary: "Accept the invitation behind an emailed link (the caller's verified email must be the invited one)",
  },
] as const satisfies readonly Route[];

export type HandlerName = (typeof routes)[number]['handler'];
