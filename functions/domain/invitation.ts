import type { Delivery } from './delivery-state';
import { Conflict, Gone } from './errors';
import type { Metadata } from './metadata';
import type { Role } from './roles';

/** Stored statuses. EXPIRED is never stored: it is read off a PENDING invitation's expiry. */
export const STORED_STATUSES = ['PENDING', 'ACCEPTED', 'REVOKED', 'DECLINED'] as const;
export type StoredStatus = (typeof STORED_STATUSES)[number];
export const STATUSES = [...STORED_STATUSES, 'EXPIRED'] as const;
export type Status = (typeof STATUSES)[number];

export const DEFAULT_TTL_DAYS = 7;
export const MIN_TTL_DAYS = 1;
export const MAX_TTL_DAYS = 30;
/** How long an invitation stays readable (as EXPIRED, REVOKED, …) after its expiry before TTL purges it. */
export const RETENTION_DAYS = 30;

const DAY_MS = 86_400_000;

export interface Invitation {
  id: string;
  workspaceId: string;
  workspaceName: string;
  workspaceAlias: string;
  email: string;
  role: Role;
  status: StoredStatus;
  creatorId: string;
  creatorName: string;
  creatorHandle?: string;
  /**
   * When the creator's membership at creation began: the invitation lives and grants only while
   * that same membership does. Absent on invitations stored before it was recorded.
   */
  creatorJoinedAt?: string;
  /** Created by a system administrator, whose invitations do not depend on a membership. */
  createdBySystemAdmin?: boolean;
  created: string;
  lastModified: string;
  expiresAt: string;
  acceptedAt?: string;
  acceptedBy?: string;
  /** Emails SES accepted for this invitation. */
  sendCount: number;
  /** Every attempt to send any of its emails, beside sendCount, so an ambiguous attempt shows. */
  sendAttempts?: number;
  lastSentAt?: string;
  /** The state of the latest requested email. */
  delivery?: Delivery;
  /** The user whose request made the latest change of status or the latest resend (internal). */
  changedBy?: string;
  /** When the expiry sweep found it PENDING past its expiry and announced it as expired (internal). */
  expiryRecordedAt?: string;
  /** The caller's metadata (functions/domain/metadata.ts), shown only to those who may manage it. */
  metadata?: Metadata;
  /** Part of every link token's HMAC: raising it kills the links already sent. Absent means 1. */
  tokenVersion?: number;
}

export function effectiveStatus(invitation: Pick<Invitation, 'status' | 'expiresAt'>, now: Date): Status {
  if (invitation.status === 'PENDING' && Date.parse(invitation.expiresAt) <= now.getTime()) return 'EXPIRED';
  return invitation.status;
}

export function expiryFrom(now: Date, ttlDays: number = DEFAULT_TTL_DAYS): Date {
  return new Date(now.getTime() + ttlDays * DAY_MS);
}

/** Epoch seconds at which TTL may purge an invitation item. */
export function purgeAfter(expiresAt: string): number {
  return Math.floor((Date.parse(expiresAt) + RETENTION_DAYS * DAY_MS) / 1000);
}

export function epochSeconds(iso: string): number {
  return Math.floor(Date.parse(iso) / 1000);
}

export type Transition = 'accept' | 'decline' | 'withdraw' | 'delete';

const ALLOWED_FROM: Record<Transition, readonly Status[]> = {
  accept: ['PENDING'],
  decline: ['PENDING'],
  withdraw: ['PENDING', 'ACCEPTED'],
  delete: ['PENDING', 'REVOKED', 'DECLINED', 'EXPIRED'],
};

export function isTransitionAllowed(transition: Transition, status: Status): boolean {
  return ALLOWED_FROM[transition].includes(status);
}

/** Throws the error a client should see when `transition` is not allowed from the invitation's status. */
export function assertTransition(transition: Transition, status: Status): void {
  if (isTransitionAllowed(transition, status)) return;
  if (status === 'EXPIRED' && (transition === 'accept' || transition === 'decline')) {
    throw new Gone('This invitation has expired. Ask for a new one.');
  }
  throw new Conflict(`An invitation that is ${status} cannot be ${PAST_TENSE[transition]}.`);
}

const PAST_TENSE: Record<Transition, string> = {
  accept: 'accepted',
  decline: 'declined',
  withdraw: 'withdrawn',
  delete: 'deleted',
};
