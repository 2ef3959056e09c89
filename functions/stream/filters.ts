/**
 * Which table stream records reach each stream handler. The CDK event-source mappings turn each
 * pattern into a Lambda filter criterion (JSON.stringify); the local stream poller evaluates the
 * same patterns with matchesFilterPatterns.
 *
 * The invitation email handler: an INSERT or MODIFY whose new image is a PENDING invitation with
 * delivery status QUEUED — a new invitation, or a resend. Everything else stays out: workspaces,
 * members, claims, removals (TTL or delete), withdraw/decline/accept (status no longer PENDING),
 * and the handler's own writes (status SENDING, RETRYING, SENT, FAILED).
 *
 * The event publisher (functions/publish-events.ts): every write of an invitation, a member or a
 * workspace, and the removal of an invitation or a member. A filter cannot compare the old image
 * with the new, so bookkeeping writes (send claims, counters, copied names) arrive too; the
 * publisher finds no event in them.
 */
import type { DeliveryStatus } from '../domain/delivery-state';
import type { StoredStatus } from '../domain/invitation';
import { ENTITY } from '../store/keys';

/**
 * The subset of the Lambda event-filtering syntax this module understands: exact values and
 * `exists`. Anything else is rejected rather than silently evaluated differently from Lambda.
 */
export type FilterRule = string | number | boolean | null | { exists: boolean };
export interface FilterPattern {
  [field: string]: FilterPattern | readonly FilterRule[];
}

const queued: DeliveryStatus = 'QUEUED';
const pending: StoredStatus = 'PENDING';

export const invitationEmailFilterPatterns: readonly FilterPattern[] = [
  {
    eventName: ['INSERT', 'MODIFY'],
    dynamodb: {
      NewImage: {
        entity: { S: [ENTITY.invitation] },
        status: { S: [pending] },
        delivery: { M: { status: { S: [queued] } } },
      },
    },
  },
];

/** Every change of an invitation, a member or a workspace: the event publisher decides which are events. */
export const serviceEventFilterPatterns: readonly FilterPattern[] = [
  { dynamodb: { NewImage: { entity: { S: [ENTITY.invitation, ENTITY.member, ENTITY.workspace] } } } },
  { eventName: ['REMOVE'], dynamodb: { OldImage: { entity: { S: [ENTITY.invitation, ENTITY.member] } } } },
];

/**
 * Whether a Lambda-shaped record matches any of the patterns, as Lambda event filtering decides:
 * every field of a pattern must match; a field's rules match if any one does; a record value
 * that is an array matches if any element does; `{exists: true}` needs the field, `{exists:
 * false}` needs it absent.
 */
export function matchesFilterPatterns(record: unknown, patterns: readonly FilterPattern[]): boolean {
  return patterns.some((pattern) => matchesPattern(record, pattern));
}

function matchesPattern(value: unknown, pattern: FilterPattern): boolean {
  return Object.entries(pattern).every(([field, expected]) => {
    const actual = isObject(value) ? value[field] : undefined;
    if (Array.isArray(expected)) return matchesRules(actual, expected);
    if (isObject(expected)) return matchesPattern(actual, expected as FilterPattern);
    throw new Error(`Unsupported filter pattern at "${field}": expected an array of rules or a nested pattern`);
  });
}

function matchesRules(actual: unknown, rules: readonly FilterRule[]): boolean {
  return rules.some((rule) => {
    if (isObject(rule)) {
      const operators = Object.keys(rule);
      if (operators.length !== 1 || operators[0] !== 'exists' || typeof rule.exists !== 'boolean') {
        throw new Error(`Unsupported filter rule ${JSON.stringify(rule)}: only exact values and exists are supported`);
      }
      return rule.exists === (actual !== undefined);
    }
    if (actual === undefined) return false;
    const candidates = Array.isArray(actual) ? actual : [actual];
    return candidates.some((candidate) => candidate === rule);
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
