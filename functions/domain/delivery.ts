import { Conflict, Gone } from './errors';
import type { Invitation, Status } from './invitation';

/**
 * The state of an invitation's email. Every send request (the invitation itself, each resend)
 * has a number; the stream handler delivers each number at most once.
 *
 * QUEUED → SENDING → SENT | FAILED, or SENDING → RETRYING → SENDING when SES asks us to slow down.
 * After SENT, SES may report that the recipient's server refused the message for good (BOUNCED)
 * or that the recipient marked it as spam (COMPLAINED).
 * Only a QUEUED invitation reaches the stream handler (functions/stream/filters.ts), so the
 * handler's own writes, which never set QUEUED, cannot trigger another send.
 */
export const DELIVERY_STATUSES = ['QUEUED', 'SENDING', 'RETRYING', 'SENT', 'FAILED', 'BOUNCED', 'COMPLAINED'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface Delivery {
  status: DeliveryStatus;
  /** Which send request this state belongs to: 1 for the first email, +1 for every resend. */
  sendNumber: number;
  /** When this send was requested: the cool-down between sends starts here. */
  requestedAt: string;
  updatedAt: string;
  /** Why the last attempt failed, as a short code (an SES error name); no addresses, no message text. */
  failure?: string;
  /** SES's id of the sent message, to match bounce and complaint notifications. */
  messageId?: string;
  /** While SENDING: until when the attempt holds the send. A later attempt may take over after that. */
  leaseUntil?: string;
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
