/**
 * The state of an invitation's email. Every send request (the invitation itself, each resend)
 * has a number; the stream handler delivers each number at most once.
 *
 * QUEUED → SENDING → SENT | FAILED | HELD, or SENDING → RETRYING → SENDING on a transient fault
 * (throttling, a 5xx, a timeout). HELD waits for the operator to fix SES (an unverified identity,
 * the sandbox, paused sending) and goes back to QUEUED when re-driven; so do FAILED sends an
 * operator re-drives, and sends the sweep finds stuck (an expired lease, a lost stream record).
 * After SENT, SES may report that the recipient's server refused the message for good (BOUNCED)
 * or that the recipient marked it as spam (COMPLAINED).
 * Only a QUEUED invitation reaches the stream handler (functions/stream/filters.ts), so the
 * handler's own writes, which never set QUEUED, cannot trigger another send.
 *
 * A leaf: the invitation holds a Delivery, and the delivery rules (./delivery.ts) read invitations.
 */
export const DELIVERY_STATUSES = [
  'QUEUED',
  'SENDING',
  'RETRYING',
  'HELD',
  'SENT',
  'FAILED',
  'BOUNCED',
  'COMPLAINED',
] as const;
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
  /**
   * Times a sender took this send to SES (claims). More attempts than sends means an attempt
   * ended without an answer (a timeout, a dropped connection), after which SES may have sent.
   */
  attempts?: number;
}
