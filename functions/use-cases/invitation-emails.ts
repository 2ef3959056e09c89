/**
 * Delivering one requested invitation email, at most once per (invitation, send number) as far
 * as SES lets us know, however often the stream delivers the record that asked for it.
 *
 * The send is claimed on the invitation item itself with a conditional write before SES is
 * called, and the outcome recorded after; neither write sets QUEUED, so neither reaches the
 * stream handler again. A claim holds a short lease (one SES call at its timeout and the writes
 * around it): if the attempt dies mid-send, a redelivered record waits for the lease to run out
 * and takes the send over, instead of spending its retries on the dead attempt's claim.
 *
 * Failures are settled by who can fix them: the message (FAILED at once, never retried), the
 * operator (HELD until re-driven), or nobody (transient: RETRYING, and the record is retried).
 */

import type { EmailFeedback } from '../domain/delivery';
import { type FailureKind, undeliverableBecause } from '../domain/delivery';
import type { Invitation } from '../domain/invitation';
import type { Clock } from './invitations';
import type { EmailDeliveries } from './ports';

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Sent as message tags, to match delivery notifications to invitations. */
  tags: Record<string, string>;
}

export interface Mailer {
  /**
   * Makes one attempt, never more: a retry inside the mailer could send an email SES already took.
   * Throws DeliveryRefused when a retry cannot help; anything else is transient.
   */
  send(email: OutgoingEmail): Promise<{ messageId?: string }>;
}

/**
 * The mail service refused to send. `message`: this message will never go (a refused address,
 * rejected content). `account`: nothing will go until the operator fixes SES (an unverified
 * identity or sandbox recipient, paused sending, a missing configuration set).
 */
export class DeliveryRefused extends Error {
  constructor(
    readonly kind: Exclude<FailureKind, 'transient'>,
    readonly code: string,
    options?: ErrorOptions,
  ) {
    super(`The message was refused (${kind}): ${code}`, options);
    this.name = 'DeliveryRefused';
  }
}

/** Another attempt holds this send and may still finish it; the record is retried later. */
export class SendInProgress extends Error {
  constructor() {
    super('Another attempt is sending this email; retry after its lease.');
    this.name = 'SendInProgress';
  }
}

/** What the sender counts: every attempt, and how each ended. */
export interface DeliveryMetrics {
  attempted(): void;
  settled(outcome: 'sent' | 'failed' | 'held' | 'retrying', latencyMs?: number): void;
}

export const NO_METRICS: DeliveryMetrics = { attempted: () => undefined, settled: () => undefined };

export interface SendRequest {
  invitationId: string;
  sendNumber: number;
}

export type DeliveryOutcome =
  /** `recorded` is false when SES took the message but the invitation could not be updated. */
  | { outcome: 'sent'; messageId?: string; recorded: boolean }
  | { outcome: 'failed' | 'held'; failure: string }
  /** Nothing was sent: already sent or failed, replaced by a newer send, or the invitation is no longer live. */
  | { outcome: 'skipped' };

export type Compose = (invitation: Invitation, now: Date) => OutgoingEmail;

export interface InvitationEmailsOptions {
  /** How long a claim holds a send (see leaseFor in functions/domain/delivery.ts). */
  leaseMs: number;
  clock?: Clock;
  metrics?: DeliveryMetrics;
  sleep?: (ms: number) => Promise<void>;
}

export class InvitationEmails {
  private readonly clock: Clock;
  private readonly metrics: DeliveryMetrics;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly deliveries: Pick<EmailDeliveries, 'claimDelivery' | 'recordDelivery' | 'failUnclaimable'>,
    private readonly mailer: Mailer,
    private readonly compose: Compose,
    private readonly options: InvitationEmailsOptions,
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.metrics = options.metrics ?? NO_METRICS;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /**
   * Sends the requested email unless it is settled. Throws when the record should be retried:
   * a transient failure, or another attempt holds the send past `deadline` (epoch ms by which
   * this attempt must have finished).
   */
  async deliver(request: SendRequest, deadline: number): Promise<DeliveryOutcome> {
    const { invitationId, sendNumber } = request;
    let claim = await this.claim(request);
    if (!claim.claimed && claim.reason === 'in-progress') {
      // A crashed attempt's lease: wait it out here rather than burn the record's retries on it.
      const wait = claim.leaseUntil.getTime() - this.clock().getTime() + 10;
      if (this.clock().getTime() + wait + this.options.leaseMs > deadline) throw new SendInProgress();
      await this.sleep(Math.max(wait, 0));
      claim = await this.claim(request);
      if (!claim.claimed && claim.reason === 'in-progress') throw new SendInProgress();
    }
    if (!claim.claimed && claim.reason === 'invalid') {
      return this.failUnclaimable(invitationId, sendNumber, `InvalidItem:${claim.problem}`);
    }
    if (!claim.claimed) return { outcome: 'skipped' };

    const invitation = claim.invitation;
    const invalid = undeliverableBecause(invitation);
    if (invalid) return this.settle(request, { status: 'FAILED', failure: invalid });
    let email: OutgoingEmail;
    try {
      email = this.compose(invitation, this.clock());
    } catch {
      return this.settle(request, { status: 'FAILED', failure: 'Unrenderable' });
    }

    this.metrics.attempted();
    const started = this.clock().getTime();
    let messageId: string | undefined;
    try {
      ({ messageId } = await this.mailer.send(email));
    } catch (error) {
      const latency = this.clock().getTime() - started;
      if (error instanceof DeliveryRefused) {
        const status = error.kind === 'message' ? 'FAILED' : 'HELD';
        return this.settle(request, { status, failure: error.code }, latency);
      }
      this.metrics.settled('retrying', latency);
      // Release the send for the retry; should this write fail too, the lease runs out instead.
      await this.deliveries
        .recordDelivery(invitationId, sendNumber, { status: 'RETRYING', failure: errorCode(error) }, this.clock())
        .catch(() => false);
      throw error;
    }
    this.metrics.settled('sent', this.clock().getTime() - started);
    // The email is out: from here on nothing may fail the record, or a retry would send it again.
    const recorded = await this.deliveries
      .recordDelivery(invitationId, sendNumber, { status: 'SENT', messageId }, this.clock())
      .catch(() => false);
    return { outcome: 'sent', messageId, recorded };
  }

  /**
   * Fails an owed send whose item is beyond claiming (an unusable send number or expiry), so it
   * neither blocks the stream nor stays QUEUED. `sendNumber` is the stored value as it is.
   */
  async failUnclaimable(invitationId: string, sendNumber: unknown, failure: string): Promise<DeliveryOutcome> {
    const failed = await this.deliveries.failUnclaimable(invitationId, sendNumber, failure, this.clock());
    if (!failed) return { outcome: 'skipped' };
    this.metrics.settled('failed');
    return { outcome: 'failed', failure };
  }

  private claim({ invitationId, sendNumber }: SendRequest) {
    const now = this.clock();
    return this.deliveries.claimDelivery(invitationId, sendNumber, new Date(now.getTime() + this.options.leaseMs), now);
  }

  private async settle(
    { invitationId, sendNumber }: SendRequest,
    result: { status: 'FAILED' | 'HELD'; failure: string },
    latencyMs?: number,
  ): Promise<DeliveryOutcome> {
    const outcome = result.status === 'FAILED' ? 'failed' : 'held';
    this.metrics.settled(outcome, latencyMs);
    await this.deliveries.recordDelivery(invitationId, sendNumber, result, this.clock());
    return { outcome, failure: result.failure };
  }
}

function errorCode(error: unknown): string {
  return error instanceof Error ? error.name : 'UnknownError';
}

/** SES reported feedback for a send that is not recorded as sent yet: the event is worth another try. */
export class SendNotYetRecorded extends Error {
  constructor() {
    super('The email this feedback is about is not recorded as sent yet; retry later.');
    this.name = 'SendNotYetRecorded';
  }
}

/**
 * How long feedback waits, in steps, for its send to be recorded as sent before it asks to be
 * delivered again. The sender records a send milliseconds after SES accepts it, so waiting here
 * settles nearly every such race without an error (and the error alarm it would raise).
 */
const NOT_YET_SENT_WAITS_MS = [200, 800];

/**
 * Records SES's feedback (a permanent bounce, a complaint) on the send it is about. Feedback on
 * an older send than the invitation's current one, or on a deleted invitation, changes nothing;
 * feedback whose send is still not recorded as sent after a short wait throws SendNotYetRecorded.
 */
export class DeliveryFeedback {
  constructor(
    private readonly deliveries: Pick<EmailDeliveries, 'recordDeliveryFeedback'>,
    private readonly clock: Clock = () => new Date(),
  ) {}

  async record(feedback: EmailFeedback): Promise<'recorded' | 'stale'> {
    for (const wait of [...NOT_YET_SENT_WAITS_MS, undefined]) {
      const outcome = await this.deliveries.recordDeliveryFeedback(feedback, this.clock());
      if (outcome !== 'not-yet-sent') return outcome;
      if (wait !== undefined) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    throw new SendNotYetRecorded();
  }
}
