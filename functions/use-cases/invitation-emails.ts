/**
 * Delivering one requested invitation email, at most once per (invitation, send number), however
 * often the stream delivers the record that asked for it.
 *
 * The send is claimed on the invitation item itself with a conditional write before SES is
 * called, and the outcome recorded after; both writes leave the delivery status off QUEUED, so
 * neither reaches the stream handler again. A claim holds a lease until the invocation's own
 * deadline: if the invocation dies mid-send, a retry after the lease may take the send over.
 */
import type { Invitation } from '../domain/invitation';
import type { EmailFeedback } from '../email/feedback';
import type { Clock } from './invitations';
import type { Store } from './ports';

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Sent as message tags, to match delivery notifications to invitations. */
  tags: Record<string, string>;
}

export interface Mailer {
  /** Throws PermanentDeliveryFailure when this message can never be delivered; anything else is worth a retry. */
  send(email: OutgoingEmail): Promise<{ messageId?: string }>;
}

/** The mail service refused this message for good (a bad address, rejected content): a retry cannot help. */
export class PermanentDeliveryFailure extends Error {
  constructor(
    readonly code: string,
    options?: ErrorOptions,
  ) {
    super(`The message was refused: ${code}`, options);
    this.name = 'PermanentDeliveryFailure';
  }
}

/** Another attempt holds this send and may still finish it; the record is retried later. */
export class SendInProgress extends Error {
  constructor() {
    super('Another attempt is sending this email; retry after its lease.');
    this.name = 'SendInProgress';
  }
}

export interface SendRequest {
  invitationId: string;
  sendNumber: number;
}

export type DeliveryOutcome =
  /** `recorded` is false when SES took the message but the invitation could not be updated. */
  | { outcome: 'sent'; messageId?: string; recorded: boolean }
  | { outcome: 'failed'; failure: string }
  /** Nothing was sent: already sent or failed, replaced by a newer send, or the invitation is no longer live. */
  | { outcome: 'skipped' };

export type Compose = (invitation: Invitation, now: Date) => OutgoingEmail;

export class InvitationEmails {
  constructor(
    private readonly store: Pick<Store, 'claimDelivery' | 'recordDelivery'>,
    private readonly mailer: Mailer,
    private readonly compose: Compose,
    private readonly clock: Clock = () => new Date(),
  ) {}

  /**
   * Sends the requested email unless it is settled. Throws when the record should be retried:
   * the mail service is throttling or failing, or another attempt still holds the send.
   */
  async deliver(request: SendRequest, leaseMs: number): Promise<DeliveryOutcome> {
    const { invitationId, sendNumber } = request;
    const now = this.clock();
    const claim = await this.store.claimDelivery(invitationId, sendNumber, new Date(now.getTime() + leaseMs), now);
    if (!claim.claimed) {
      if (claim.reason === 'in-progress') throw new SendInProgress();
      return { outcome: 'skipped' };
    }
    const email = this.compose(claim.invitation, now);
    let messageId: string | undefined;
    try {
      ({ messageId } = await this.mailer.send(email));
    } catch (error) {
      if (error instanceof PermanentDeliveryFailure) {
        await this.store.recordDelivery(
          invitationId,
          sendNumber,
          { status: 'FAILED', failure: error.code },
          this.clock(),
        );
        return { outcome: 'failed', failure: error.code };
      }
      // Release the send for the retry; should this write fail too, the lease runs out instead.
      await this.store
        .recordDelivery(invitationId, sendNumber, { status: 'RETRYING', failure: errorCode(error) }, this.clock())
        .catch(() => false);
      throw error;
    }
    // The email is out: from here on nothing may fail the record, or a retry would send it again.
    const recorded = await this.store
      .recordDelivery(invitationId, sendNumber, { status: 'SENT', messageId }, this.clock())
      .catch(() => false);
    return { outcome: 'sent', messageId, recorded };
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
    private readonly store: Pick<Store, 'recordDeliveryFeedback'>,
    private readonly clock: Clock = () => new Date(),
  ) {}

  async record(feedback: EmailFeedback): Promise<'recorded' | 'stale'> {
    for (const wait of [...NOT_YET_SENT_WAITS_MS, undefined]) {
      const outcome = await this.store.recordDeliveryFeedback(feedback, this.clock());
      if (outcome !== 'not-yet-sent') return outcome;
      if (wait !== undefined) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    throw new SendNotYetRecorded();
  }
}
