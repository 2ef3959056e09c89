import type { Delivery, DeliveryStatus } from './delivery-state';
import { isValidEmail, normalizeEmail } from './email';
import { Conflict, Gone } from './errors';
import type { Invitation, Status } from './invitation';
import { ROLES } from './roles';

/** Sends still owed to the invitee: the sweep looks after these until they settle. */
export const OWED_STATUSES = ['QUEUED', 'SENDING', 'RETRYING'] as const satisfies readonly DeliveryStatus[];
/** The states an operator's re-drive may send again; SENT (and what follows it) never is. */
export const REDRIVABLE_STATUSES = ['HELD', 'FAILED'] as const satisfies readonly DeliveryStatus[];
export type RedrivableStatus = (typeof REDRIVABLE_STATUSES)[number];

/**
 * Who can fix a failed attempt. `message`: nothing about this message will ever send (a refused
 * address, an item that cannot be rendered): FAILED at once. `account`: the operator must fix SES
 * (identity, sandbox, paused sending, configuration): HELD until re-driven. `transient`: retry.
 */
export type FailureKind = 'message' | 'account' | 'transient';

/** How long one SES call may take before it counts as a transient failure, unless configured. */
export const DEFAULT_SEND_TIMEOUT_MS = 5_000;

/**
 * How long a claim holds a send: one SES call at its timeout plus the writes around it. Kept far
 * below the stream's retry budget, so a record redelivered after a crash finds the lease over
 * after at most one wait, instead of burning its retries on its own claim.
 */
export function leaseFor(sendTimeoutMs: number): number {
  return sendTimeoutMs + 5_000;
}

/** The minimum time between two emails for one invitation. */
export const RESEND_COOL_DOWN_SECONDS = 60;

/**
 * How many invitation emails (new invitations and resends) one person may ask for per UTC day,
 * unless configured otherwise: enough for onboarding a large team, few enough that a stolen or
 * self-registered account cannot turn the service's sender into a spam relay.
 */
export const DEFAULT_EMAILS_PER_USER_PER_DAY = 1000;

/** The UTC day an allowance counts in, as YYYY-MM-DD. */
export function allowanceDay(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/** When the allowance of `now`'s day is renewed: the next UTC midnight. */
export function nextAllowanceDay(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
}

export function queuedDelivery(sendNumber: number, now: Date): Delivery {
  const at = now.toISOString();
  return { status: 'QUEUED', sendNumber, requestedAt: at, updatedAt: at };
}

/** Seconds left before another email may be requested; 0 when it may be now. */
export function coolDownRemaining(lastRequestedAt: string, now: Date): number {
  const elapsedMs = now.getTime() - Date.parse(lastRequestedAt);
  return Math.max(0, Math.ceil(RESEND_COOL_DOWN_SECONDS - elapsedMs / 1000));
}

/** Only a live invitation is sent again; an expired one is re-invited instead. */
export function isResendAllowed(status: Status): boolean {
  return status === 'PENDING';
}

export function assertResendAllowed(status: Status): void {
  if (isResendAllowed(status)) return;
  if (status === 'EXPIRED') throw new Gone('This invitation has expired; send a new invitation instead.');
  throw new Conflict(`An invitation that is ${status} cannot be sent again.`);
}

/** When the latest email was requested; invitations stored before delivery tracking fall back to older fields. */
export function lastSendRequestedAt(invitation: Pick<Invitation, 'delivery' | 'lastSentAt' | 'created'>): string {
  return invitation.delivery?.requestedAt ?? invitation.lastSentAt ?? invitation.created;
}

/**
 * Why an invitation item read back from the table cannot be emailed as it is, naming the field
 * (`InvalidItem:workspaceName`); undefined when it can. The table is re-validated rather than
 * trusted, since items may have been written by older code, a migration or by hand: an address
 * with a line break never reaches SES, a missing name never becomes an endless retry.
 */
export function undeliverableBecause(invitation: Partial<Invitation>): string | undefined {
  const text = (value: unknown) => typeof value === 'string' && value.trim().length > 0;
  const problems: [string, boolean][] = [
    ['id', text(invitation.id)],
    [
      'email',
      typeof invitation.email === 'string' &&
        invitation.email === normalizeEmail(invitation.email) &&
        isValidEmail(invitation.email),
    ],
    ['workspaceName', text(invitation.workspaceName)],
    ['creatorName', text(invitation.creatorName)],
    ['role', (ROLES as readonly unknown[]).includes(invitation.role)],
    ['expiresAt', typeof invitation.expiresAt === 'string' && !Number.isNaN(Date.parse(invitation.expiresAt))],
  ];
  const field = problems.find(([, ok]) => !ok)?.[0];
  return field && `InvalidItem:${field}`;
}

/** What SES reported back about one sent email of an invitation: a permanent bounce or a complaint. */
export interface EmailFeedback {
  invitationId: string;
  sendNumber: number;
  messageId: string;
  status: 'BOUNCED' | 'COMPLAINED';
  /** A short code for the invitation's `delivery.failure`: no addresses, no diagnostic text. */
  failure: string;
}
