/**
 * The response bodies, by the name the route entries give them (functions/http/operation.ts),
 * for GET /api/openapi.json only: the handlers never validate their own output, so no other
 * function loads these schemas.
 */
import * as z from 'zod/mini';
import { DELIVERY_STATUSES } from '../domain/delivery-state';
import { role, status, timestamp } from './contract';
import type { ResponseName } from './operation';

const Link = z.object({ href: z.string(), type: z.optional(z.string()), templated: z.optional(z.boolean()) });
const Links = z.record(z.string(), Link);
const PageInfo = z.object({ size: z.int(), number: z.int() });

/** Caller metadata: shown only to those who may manage the invitation (or, on a member, to OWNER/ADMIN). */
const Metadata = z.record(z.string(), z.unknown());

export const InvitationFields = z.object({
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
  /** Attempts to send any of its emails; more than sendCount when an attempt failed or ended without an answer. */
  sendAttempts: z.int(),
  lastSentAt: z.optional(timestamp),
  delivery: z.optional(
    z.object({
      status: z.enum(DELIVERY_STATUSES),
      updatedAt: timestamp,
      failure: z.optional(z.string()),
      /** Attempts at the latest requested email. */
      attempts: z.int(),
    }),
  ),
  metadata: z.optional(Metadata),
});

const InvitationResource = z.object({ ...InvitationFields.shape, _links: Links });

const InvitationLinkPreview = z.object({
  workspace: z.object({ name: z.string() }),
  inviter: z.object({ name: z.string() }),
  /** Masked: `j*******@example.com`. */
  email: z.string(),
  role,
  status,
  expiresAt: timestamp,
  _links: Links,
});

export const WorkspaceFields = z.object({
  id: z.uuid(),
  created: timestamp,
  lastModified: timestamp,
  name: z.string(),
  alias: z.string(),
  allowedDomains: z.array(z.string()),
  invitationTtlDays: z.int(),
});

const WorkspaceResource = z.object({ ...WorkspaceFields.shape, role, _links: Links });

export const MemberFields = z.object({
  userId: z.string(),
  name: z.string(),
  handle: z.optional(z.string()),
  email: z.optional(z.string()),
  role,
  joinedAt: timestamp,
  metadata: z.optional(Metadata),
});

const MemberResource = z.object({ ...MemberFields.shape, _links: Links });

const collection = <T extends z.ZodMiniType>(name: string, item: T) =>
  z.object({ _embedded: z.object({ [name]: z.array(item) }), _links: Links, page: PageInfo });

const InvitationCollection = collection('invitations', InvitationResource);
const WorkspaceCollection = collection('workspaces', WorkspaceResource);
const MemberCollection = collection('members', MemberResource);

const Problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.int(),
  detail: z.string(),
  errors: z.optional(z.array(z.object({ path: z.string(), message: z.string() }))),
});

/** What API Gateway itself answers, before any function runs: an unknown route (404), a refused token (401). */
const GatewayMessage = z.object({ message: z.string() });

const OpenApiDocument = z.looseObject({
  openapi: z.literal('3.1.0'),
  info: z.object({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.record(z.string(), z.unknown())),
});

/** The JSON Schema (2020-12) of one event type's detail (functions/events/schemas.ts). */
const EventSchema = z.looseObject({
  $schema: z.literal('https://json-schema.org/draft/2020-12/schema'),
  $id: z.string(),
  title: z.string(),
  type: z.literal('object'),
  properties: z.record(z.string(), z.unknown()),
});

/** Each named body: its schema and the media type it is sent as. */
export const responseBodies = {
  Workspace: { schema: WorkspaceResource, mediaType: 'application/hal+json' },
  WorkspaceCollection: { schema: WorkspaceCollection, mediaType: 'application/hal+json' },
  MemberCollection: { schema: MemberCollection, mediaType: 'application/hal+json' },
  Invitation: { schema: InvitationResource, mediaType: 'application/hal+json' },
  InvitationCollection: { schema: InvitationCollection, mediaType: 'application/hal+json' },
  InvitationLinkPreview: { schema: InvitationLinkPreview, mediaType: 'application/hal+json' },
  OpenApiDocument: { schema: OpenApiDocument, mediaType: 'application/json' },
  EventSchema: { schema: EventSchema, mediaType: 'application/schema+json' },
  Problem: { schema: Problem, mediaType: 'application/problem+json' },
  GatewayMessage: { schema: GatewayMessage, mediaType: 'application/json' },
} satisfies Record<ResponseName, { schema: z.ZodMiniType; mediaType: string }>;

/**
 * Every schema the document names (components.schemas), the response bodies and the parts they
 * share, so that each appears once and is referred to wherever it is used.
 */
export const componentSchemas = z.registry<{ id: string }>();
const named: Record<string, z.ZodMiniType> = {
  Link,
  Links,
  PageInfo,
  Member: MemberResource,
  Role: role,
  InvitationStatus: status,
  ...Object.fromEntries(Object.entries(responseBodies).map(([name, { schema }]) => [name, schema])),
};
for (const [id, schema] of Object.entries(named)) componentSchemas.add(schema, { id });
