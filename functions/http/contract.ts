/**
 * The API's schemas, in one place: the handlers validate requests with them and
 * GET /api/openapi.json is generated from them. zod/mini keeps the Lambda bundles small.
 */
import * as z from 'zod/mini';
import { DELIVERY_STATUSES } from '../domain/delivery';
import { isValidDomain, isValidEmail, MAX_EMAIL_LENGTH } from '../domain/email';
import { MAX_TTL_DAYS, MIN_TTL_DAYS, STATUSES } from '../domain/invitation';
import { ROLES } from '../domain/roles';
import type { HandlerName } from '../routes';

// ---------------------------------------------------------------- building blocks

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

const id = (what: string) => z.uuidv4({ error: `${what} must be a version 4 UUID` });

/** Printable text without angle brackets: names are shown in emails and pages, never as markup. */
const displayName = (what: string) =>
  z.string({ error: `${what} must be a string` }).check(
    z.trim(),
    z.minLength(1, `${what} must not be empty`),
    z.maxLength(100, `${what} must be at most 100 characters`),
    z.refine((value) => !/[\p{Cc}\p{Cf}<>]/u.test(value), `${what} must not contain control characters or < >`),
  );

const email = z
  .string({ error: 'email must be a string' })
  .check(
    z.maxLength(MAX_EMAIL_LENGTH, `email must be at most ${MAX_EMAIL_LENGTH} characters`),
    z.refine(isValidEmail, 'email must be a valid email address'),
  );

const domain = z
  .string({ error: 'a domain must be a string' })
  .check(
    z.maxLength(253, 'a domain must be at most 253 characters'),
    z.refine(isValidDomain, 'a domain must look like example.com'),
  );

const role = z.enum(ROLES, { error: `role must be one of ${ROLES.join(', ')}` });
const status = z.enum(STATUSES, { error: `status must be one of ${STATUSES.join(', ')}` });
const timestamp = z.iso.datetime();

// ---------------------------------------------------------------- requests

export const PageQuery = z.strictObject({
  size: z.optional(
    z.string().check(z.regex(/^(100|[1-9][0-9]?)$/, `size must be a whole number from 1 to ${MAX_PAGE_SIZE}`)),
  ),
  cursor: z.optional(
    z.string().check(z.maxLength(2048, 'cursor is too long'), z.regex(/^[\w-]+\.[\w-]+$/, 'cursor is not valid')),
  ),
});

export const InvitationListQuery = z.strictObject({
  ...PageQuery.shape,
  email: z.optional(email),
});

export const WorkspaceInvitationListQuery = z.strictObject({
  ...PageQuery.shape,
  status: z.optional(status),
});

export const InvitationPath = z.object({ invitationId: id('invitationId') });
export const WorkspacePath = z.object({ workspaceId: id('workspaceId') });
/** Any text up to a bound: a truncated or altered link is answered like an unknown one (404), not as bad input. */
export const InvitationTokenPath = z.object({
  token: z.string().check(z.minLength(1), z.maxLength(256, 'token is too long')),
});
export const MemberPath = z.object({
  workspaceId: id('workspaceId'),
  userId: z.string().check(z.regex(/^[\w|@.:+-]{1,128}$/, 'userId is not a valid user id')),
});

export const CreateWorkspaceBody = z.strictObject({
  name: displayName('name'),
  allowedDomains: z.optional(z.array(domain).check(z.maxLength(50, 'at most 50 allowed domains'))),
});

export const UpdateWorkspaceBody = z
  .strictObject({
    name: z.optional(displayName('name')),
    allowedDomains: z.optional(z.array(domain).check(z.maxLength(50, 'at most 50 allowed domains'))),
    invitationTtlDays: z.optional(
      z
        .int({ error: 'invitationTtlDays must be a whole number' })
        .check(
          z.gte(MIN_TTL_DAYS, `invitationTtlDays must be at least ${MIN_TTL_DAYS}`),
          z.lte(MAX_TTL_DAYS, `invitationTtlDays must be at most ${MAX_TTL_DAYS}`),
        ),
    ),
  })
  .check(z.refine((body) => Object.keys(body).length > 0, 'the body must change at least one field'));

export const CreateInvitationBody = z.strictObject({
  email,
  role: z.optional(role),
});

// ---------------------------------------------------------------- responses (documentation)

const Link = z.object({ href: z.string(), type: z.optional(z.string()), templated: z.optional(z.boolean()) });
const Links = z.record(z.string(), Link);
const PageInfo = z.object({ size: z.int(), number: z.int() });

export const InvitationResource = z.object({
  id: z.uuid(),
  created: timestamp,
  lastModified: timestamp,
  status,
  email: z.email(),
  creator: z.object({ id: z.string(), name: z.string(), handle: z.optional(z.string()) }),
  workspace: z.object({ id: z.uuid(), name: z.string(), alias: z.string() }),
  role,
  expiresAt: timestamp,
  acceptedAt: z.optional(timestamp),
  sendCount: z.int(),
  lastSentAt: z.optional(timestamp),
  delivery: z.optional(
    z.object({
      status: z.enum(DELIVERY_STATUSES),
      updatedAt: timestamp,
      failure: z.optional(z.string()),
    }),
  ),
  _links: Links,
});

export const InvitationLinkPreview = z.object({
  workspace: z.object({ name: z.string() }),
  inviter: z.object({ name: z.string() }),
  /** Masked: `j*******@example.com`. */
  email: z.string(),
  role,
  status,
  expiresAt: timestamp,
  _links: Links,
});

export const WorkspaceResource = z.object({
  id: z.uuid(),
  created: timestamp,
  lastModified: timestamp,
  name: z.string(),
  alias: z.string(),
  allowedDomains: z.array(z.string()),
  invitationTtlDays: z.int(),
  role,
  _links: Links,
});

export const MemberResource = z.object({
  userId: z.string(),
  name: z.string(),
  handle: z.optional(z.string()),
  email: z.optional(z.string()),
  role,
  joinedAt: timestamp,
  _links: Links,
});

const collection = <T extends z.ZodMiniType>(name: string, item: T) =>
  z.object({ _embedded: z.object({ [name]: z.array(item) }), _links: Links, page: PageInfo });

export const InvitationCollection = collection('invitations', InvitationResource);
export const WorkspaceCollection = collection('workspaces', WorkspaceResource);
export const MemberCollection = collection('members', MemberResource);

export const Problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.int(),
  detail: z.string(),
  errors: z.optional(z.array(z.object({ path: z.string(), message: z.string() }))),
});

// ---------------------------------------------------------------- operations

export interface OperationSpec {
  params?: z.ZodMiniType;
  query?: z.ZodMiniType;
  body?: z.ZodMiniType;
  /** Success responses by status; a schema, or null for an empty body. */
  responses: Record<number, z.ZodMiniType | null>;
  /** Problem statuses the operation answers with, besides 400/401/500. */
  problems: number[];
}

/** Each handler's schemas, keyed by the handler name of the route table. */
export const operations = {
  'create-workspace': { body: CreateWorkspaceBody, responses: { 201: WorkspaceResource }, problems: [413, 415] },
  'list-workspaces': { query: PageQuery, responses: { 200: WorkspaceCollection }, problems: [] },
  'get-workspace': { params: WorkspacePath, responses: { 200: WorkspaceResource }, problems: [404] },
  'update-workspace': {
    params: WorkspacePath,
    body: UpdateWorkspaceBody,
    responses: { 200: WorkspaceResource },
    problems: [403, 404, 413, 415],
  },
  'list-members': { params: WorkspacePath, query: PageQuery, responses: { 200: MemberCollection }, problems: [404] },
  'remove-member': { params: MemberPath, responses: { 204: null }, problems: [403, 404, 409] },
  'list-invitations': { query: InvitationListQuery, responses: { 200: InvitationCollection }, problems: [403] },
  'list-workspace-invitations': {
    params: WorkspacePath,
    query: WorkspaceInvitationListQuery,
    responses: { 200: InvitationCollection },
    problems: [404],
  },
  'create-invitation': {
    params: WorkspacePath,
    body: CreateInvitationBody,
    responses: { 202: InvitationResource },
    problems: [403, 404, 409, 413, 415, 422],
  },
  'get-invitation': { params: InvitationPath, responses: { 200: InvitationResource }, problems: [404] },
  'accept-invitation': {
    params: InvitationPath,
    responses: { 200: InvitationResource },
    problems: [403, 404, 409, 410],
  },
  'withdraw-invitation': { params: InvitationPath, responses: { 200: InvitationResource }, problems: [403, 404, 409] },
  'decline-invitation': {
    params: InvitationPath,
    responses: { 200: InvitationResource },
    problems: [403, 404, 409, 410],
  },
  'delete-invitation': { params: InvitationPath, responses: { 204: null }, problems: [403, 404, 409] },
  'get-openapi': { responses: { 200: null }, problems: [] },
  'resend-invitation': {
    params: InvitationPath,
    responses: { 202: InvitationResource },
    problems: [403, 404, 409, 410, 429],
  },
  'preview-invitation-token': {
    params: InvitationTokenPath,
    responses: { 200: InvitationLinkPreview },
    problems: [404, 409, 410],
  },
  'accept-invitation-token': {
    params: InvitationTokenPath,
    responses: { 200: InvitationResource },
    problems: [403, 404, 409, 410],
  },
} satisfies Record<HandlerName, OperationSpec>;
