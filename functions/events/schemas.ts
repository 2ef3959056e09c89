/**
 * The detail of every event type, as zod schemas built from the same field schemas as the API's
 * representations (functions/http/responses.ts). GET /api/event-schemas/{eventType} serves each
 * as a JSON Schema, and the tests validate every published event against its own. Only that
 * route and the tests load this module: the publisher builds details, it does not validate them.
 */
import * as z from 'zod/mini';
import type { DELIVERY_STATUSES } from '../domain/delivery-state';
import { EVENT_TYPES, type EventType, WORKSPACE_SETTINGS } from '../domain/events';
import { STATUSES } from '../domain/invitation';
import { timestamp } from '../http/contract';
import { InvitationFields, MemberFields, WorkspaceFields } from '../http/responses';

const base = {
  /** The same for every delivery of one change: consumers deduplicate by it. */
  eventId: z.uuid(),
  /** When the change happened. */
  time: timestamp,
  /** The table stream's sequence number of the change: increases with every change of one item. */
  sequence: z.string().check(z.regex(/^[0-9]+$/)),
  workspaceId: z.uuid(),
  /** The user whose request made the change; absent when the service made it (expiry, an email outcome). */
  actor: z.optional(z.strictObject({ userId: z.string() })),
  /** The invitation's metadata (on member events, that of the invitation that made the member). */
  metadata: z.optional(z.record(z.string(), z.unknown())),
};

const invitation = (status: readonly (typeof STATUSES)[number][], delivery?: (typeof DELIVERY_STATUSES)[number]) =>
  z.strictObject({
    ...base,
    invitation: z.object({
      ...InvitationFields.shape,
      status: z.enum(status),
      ...(delivery
        ? {
            delivery: z.object({
              ...InvitationFields.shape.delivery.def.innerType.shape,
              status: z.literal(delivery),
            }),
          }
        : {}),
    }),
  });

const member = z.strictObject({ ...base, member: z.object({ ...MemberFields.shape }) });
const workspace = z.strictObject({ ...base, workspace: z.object({ ...WorkspaceFields.shape }) });

export const eventDetailSchemas = {
  'invitation.created': invitation(['PENDING']),
  'invitation.email.sent': invitation(STATUSES, 'SENT'),
  'invitation.email.failed': invitation(STATUSES, 'FAILED'),
  'invitation.email.held': invitation(STATUSES, 'HELD'),
  'invitation.email.bounced': invitation(STATUSES, 'BOUNCED'),
  'invitation.email.complained': invitation(STATUSES, 'COMPLAINED'),
  'invitation.resent': invitation(['PENDING']),
  'invitation.accepted': invitation(['ACCEPTED']),
  'invitation.declined': invitation(['DECLINED']),
  'invitation.revoked': invitation(['REVOKED']),
  'invitation.expired': invitation(['EXPIRED']),
  'invitation.deleted': invitation(STATUSES),
  'member.added': member,
  'member.removed': member,
  'workspace.created': workspace,
  'workspace.updated': z.strictObject({
    ...workspace.shape,
    /** The settings this change altered. */
    changed: z.array(z.enum(WORKSPACE_SETTINGS)).check(z.minLength(1)),
  }),
} satisfies Record<EventType, z.ZodMiniType>;

/** The JSON Schema (2020-12) of one event type's detail, with its id under `baseUrl`. */
export function eventDetailJsonSchema(type: EventType, baseUrl: string): Record<string, unknown> {
  return {
    ...z.toJSONSchema(eventDetailSchemas[type], { target: 'draft-2020-12', io: 'output', unrepresentable: 'any' }),
    $id: `${baseUrl}/api/event-schemas/${type}`,
    title: `The detail of an ${type} event`,
  };
}

export { EVENT_TYPES };
