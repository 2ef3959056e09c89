/**
 * The route table: one entry per API operation, carrying everything about it. Its handler file
 * (functions/<handler>.ts) takes its entry, whose schemas the HTTP wrapper validates the request
 * with and whose answers (answersOf in ./http/operation.ts) the wrapper holds every response to.
 * Entries are plain data, so a handler's bundle keeps only its own. The CDK stack
 * builds one function and one API route per entry and grants it exactly what the entry declares
 * (functions/access.ts); the local gateway serves exactly these routes and holds each handler to
 * its declaration; the OpenAPI document is generated from them.
 */

import type { FunctionNeeds } from './access';
import {
  CreateInvitationBody,
  CreateWorkspaceBody,
  EventTypePath,
  InvitationListQuery,
  InvitationPath,
  InvitationTokenPath,
  MemberPath,
  PageQuery,
  UpdateWorkspaceBody,
  WorkspaceInvitationListQuery,
  WorkspacePath,
} from './http/contract';
import type { Operation } from './http/operation';

/** A route entry: the operation, and what its function declares it does with the table, keys and limits. */
export type Route = Operation & FunctionNeeds;

export const createWorkspace = {
  method: 'POST',
  path: '/api/workspaces',
  handler: 'create-workspace',
  auth: 'jwt',
  request: { body: CreateWorkspaceBody },
  success: { 201: 'Workspace' },
  creates: true,
  refusals: [409],
  table: { actions: ['PutItem', 'UpdateItem'] },
  limits: ['workspacesPerUser'],
  tag: 'Workspaces',
  summary: 'Create a workspace; the caller becomes its OWNER',
} as const satisfies Route;

export const listWorkspaces = {
  method: 'GET',
  path: '/api/workspaces',
  handler: 'list-workspaces',
  auth: 'jwt',
  request: { query: PageQuery },
  success: { 200: 'WorkspaceCollection' },
  refusals: [],
  table: { actions: ['BatchGetItem'], indexes: ['byUser'] },
  secrets: ['cursorKey'],
  tag: 'Workspaces',
  summary: "List the caller's workspaces",
} as const satisfies Route;

export const getWorkspace = {
  method: 'GET',
  path: '/api/workspaces/{workspaceId}',
  handler: 'get-workspace',
  auth: 'jwt',
  request: { params: WorkspacePath },
  success: { 200: 'Workspace' },
  refusals: [404],
  table: { actions: ['BatchGetItem'] },
  tag: 'Workspaces',
  summary: 'View a workspace (members only)',
} as const satisfies Route;

export const updateWorkspace = {
  method: 'PATCH',
  path: '/api/workspaces/{workspaceId}',
  handler: 'update-workspace',
  auth: 'jwt',
  request: { params: WorkspacePath, body: UpdateWorkspaceBody },
  success: { 200: 'Workspace' },
  refusals: [403, 404, 409],
  table: { actions: ['BatchGetItem', 'UpdateItem', 'ConditionCheckItem'] },
  limits: ['workspaceRenamesPerMinute'],
  tag: 'Workspaces',
  summary: "Change a workspace's name, allowed domains or invitation lifetime (OWNER/ADMIN)",
} as const satisfies Route;

export const listMembers = {
  method: 'GET',
  path: '/api/workspaces/{workspaceId}/members',
  handler: 'list-members',
  auth: 'jwt',
  request: { params: WorkspacePath, query: PageQuery },
  success: { 200: 'MemberCollection' },
  refusals: [404],
  table: { actions: ['BatchGetItem', 'Query'] },
  secrets: ['cursorKey'],
  tag: 'Workspaces',
  summary: "List a workspace's members (members only)",
} as const satisfies Route;

export const removeMember = {
  method: 'DELETE',
  path: '/api/workspaces/{workspaceId}/members/{userId}',
  handler: 'remove-member',
  auth: 'jwt',
  request: { params: MemberPath },
  success: { 204: null },
  refusals: [403, 404, 409],
  table: { actions: ['BatchGetItem', 'DeleteItem', 'PutItem', 'UpdateItem', 'ConditionCheckItem'] },
  tag: 'Workspaces',
  summary: 'Remove a member (OWNER/ADMIN, or the member themself; never the last OWNER)',
} as const satisfies Route;

export const listInvitations = {
  method: 'GET',
  path: '/api/invitations',
  handler: 'list-invitations',
  auth: 'jwt',
  request: { query: InvitationListQuery },
  success: { 200: 'InvitationCollection' },
  refusals: [403],
  // BatchGetItem: the sent list keeps only the workspaces the caller still belongs to.
  // Each of the four stored statuses' key ranges at once (a literal, so that esbuild can drop the entry).
  table: { actions: ['BatchGetItem'], indexes: ['byUser', 'byEmail'], atOnce: 4 },
  secrets: ['cursorKey'],
  tag: 'Invitations',
  summary: 'List the invitations the caller sent, or with ?email= the ones the caller received',
} as const satisfies Route;

export const listWorkspaceInvitations = {
  method: 'GET',
  path: '/api/workspaces/{workspaceId}/invitations',
  handler: 'list-workspace-invitations',
  auth: 'jwt',
  request: { params: WorkspacePath, query: WorkspaceInvitationListQuery },
  success: { 200: 'InvitationCollection' },
  refusals: [404],
  // byUser: a MEMBER's own invitations in the workspace are a range of their sent list.
  // The four stored statuses' key ranges, beside the caller's membership.
  table: { actions: ['BatchGetItem'], indexes: ['byWorkspace', 'byUser'], atOnce: 5 },
  secrets: ['cursorKey'],
  tag: 'Invitations',
  summary: "List a workspace's invitations (OWNER/ADMIN: all; MEMBER: their own)",
} as const satisfies Route;

export const createInvitation = {
  method: 'POST',
  path: '/api/workspaces/{workspaceId}/invitations',
  handler: 'create-invitation',
  auth: 'jwt',
  request: { params: WorkspacePath, body: CreateInvitationBody },
  success: { 202: 'Invitation' },
  creates: true,
  refusals: [403, 404, 409, 422],
  // GetItem and Query recount the workspace's pending invitations when the count says it is full.
  table: { actions: ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem', 'ConditionCheckItem'] },
  limits: ['invitationEmailsPerUserPerDay', 'pendingInvitationsPerWorkspace'],
  tag: 'Invitations',
  summary: 'Invite an email address into a workspace',
} as const satisfies Route;

export const getInvitation = {
  method: 'GET',
  path: '/api/invitations/{invitationId}',
  handler: 'get-invitation',
  auth: 'jwt',
  request: { params: InvitationPath },
  success: { 200: 'Invitation' },
  refusals: [404],
  table: { actions: ['GetItem', 'BatchGetItem'] },
  tag: 'Invitations',
  summary: 'View one invitation',
} as const satisfies Route;

export const acceptInvitation = {
  method: 'PATCH',
  path: '/api/invitations/{invitationId}',
  handler: 'accept-invitation',
  auth: 'jwt',
  request: { params: InvitationPath },
  success: { 200: 'Invitation' },
  refusals: [403, 404, 409, 410],
  // BatchGetItem: a caller who is not the invitee gets 403 or 404 by their role in the workspace.
  // Query: the workspace's members are recounted when the count says it is full.
  table: { actions: ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem', 'ConditionCheckItem'] },
  limits: ['membersPerWorkspace'],
  tag: 'Invitations',
  summary: 'Accept an invitation (the invitee); creates the membership',
} as const satisfies Route;

export const withdrawInvitation = {
  method: 'PUT',
  path: '/api/invitations/{invitationId}/revoked',
  handler: 'withdraw-invitation',
  auth: 'jwt',
  request: { params: InvitationPath },
  success: { 200: 'Invitation' },
  refusals: [403, 404, 409],
  table: { actions: ['GetItem', 'BatchGetItem', 'UpdateItem', 'DeleteItem', 'PutItem', 'ConditionCheckItem'] },
  tag: 'Invitations',
  summary: 'Withdraw a PENDING or ACCEPTED invitation; an accepted one loses its membership',
} as const satisfies Route;

export const declineInvitation = {
  method: 'PUT',
  path: '/api/invitations/{invitationId}/declined',
  handler: 'decline-invitation',
  auth: 'jwt',
  request: { params: InvitationPath },
  success: { 200: 'Invitation' },
  refusals: [403, 404, 409, 410],
  table: { actions: ['GetItem', 'BatchGetItem', 'UpdateItem', 'DeleteItem'] },
  tag: 'Invitations',
  summary: 'Decline a PENDING invitation (the invitee)',
} as const satisfies Route;

export const deleteInvitation = {
  method: 'DELETE',
  path: '/api/invitations/{invitationId}',
  handler: 'delete-invitation',
  auth: 'jwt',
  request: { params: InvitationPath },
  success: { 204: null },
  refusals: [403, 404, 409],
  table: { actions: ['GetItem', 'BatchGetItem', 'DeleteItem', 'PutItem', 'ConditionCheckItem'] },
  tag: 'Invitations',
  summary: 'Delete a PENDING, REVOKED, DECLINED or EXPIRED invitation',
} as const satisfies Route;

export const getOpenapi = {
  method: 'GET',
  path: '/api/openapi.json',
  handler: 'get-openapi',
  auth: 'public',
  request: {},
  success: { 200: 'OpenApiDocument' },
  refusals: [],
  tag: 'API',
  summary: 'This API as an OpenAPI 3.1 document',
} as const satisfies Route;

export const getEventSchema = {
  method: 'GET',
  path: '/api/event-schemas/{eventType}',
  handler: 'get-event-schema',
  auth: 'public',
  request: { params: EventTypePath },
  success: { 200: 'EventSchema' },
  refusals: [404],
  tag: 'API',
  summary: "The JSON Schema of one event type's detail, as published on the event bus",
} as const satisfies Route;

export const resendInvitation = {
  method: 'POST',
  path: '/api/invitations/{invitationId}/resend',
  handler: 'resend-invitation',
  auth: 'jwt',
  request: { params: InvitationPath },
  success: { 202: 'Invitation' },
  refusals: [403, 404, 409, 410],
  table: { actions: ['GetItem', 'BatchGetItem', 'UpdateItem', 'ConditionCheckItem'] },
  limits: ['invitationEmailsPerUserPerDay'],
  tag: 'Invitations',
  summary: 'Send a PENDING invitation again, with a full lifetime from now (at most once a minute)',
} as const satisfies Route;

export const previewInvitationToken = {
  method: 'GET',
  path: '/api/invitation-tokens/{token}',
  handler: 'preview-invitation-token',
  auth: 'public',
  request: { params: InvitationTokenPath },
  success: { 200: 'InvitationLinkPreview' },
  refusals: [404, 409, 410],
  table: { actions: ['GetItem'] },
  secrets: ['linkTokenKey'],
  tag: 'Invitations',
  summary: 'Preview the invitation behind an emailed link; changes nothing',
} as const satisfies Route;

export const acceptInvitationToken = {
  method: 'POST',
  path: '/api/invitation-tokens/{token}/accept',
  handler: 'accept-invitation-token',
  auth: 'jwt',
  request: { params: InvitationTokenPath },
  success: { 200: 'Invitation' },
  refusals: [403, 404, 409, 410],
  table: { actions: ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'ConditionCheckItem'] },
  limits: ['membersPerWorkspace'],
  secrets: ['linkTokenKey'],
  tag: 'Invitations',
  summary: "Accept the invitation behind an emailed link (the caller's verified email must be the invited one)",
} as const satisfies Route;

/** Every operation: what the stack deploys, the local gateway serves and the OpenAPI document lists. */
export const routes = [
  createWorkspace,
  listWorkspaces,
  getWorkspace,
  updateWorkspace,
  listMembers,
  removeMember,
  listInvitations,
  listWorkspaceInvitations,
  createInvitation,
  getInvitation,
  acceptInvitation,
  withdrawInvitation,
  declineInvitation,
  deleteInvitation,
  getOpenapi,
  getEventSchema,
  resendInvitation,
  previewInvitationToken,
  acceptInvitationToken,
] as const;

export type HandlerName = (typeof routes)[number]['handler'];
