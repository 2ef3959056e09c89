/**
 * The table, not the stream, is the record of what is owed. The sweep runs on a schedule and
 * queues again every send that nothing else will move on: QUEUED or RETRYING for longer than a
 * stream delivery and its retries take (the record was parked or lost), SENDING past its lease
 * (the attempt died and no redelivery came), and HELD sends once a while, so they go out by
 * themselves once the operator has fixed SES. The operator's re-drive queues HELD and FAILED
 * sends at once, whatever their age. A queued send reaches the sender through the stream like
 * any other, and the sender's claim keeps it to one attempt at a time; SENT is never queued again.
 */

import type { RedrivableStatus } from '../domain/delivery';
import { effectiveStatus } from '../domain/invitation';
import type { Clock } from './invitations';
import type { EmailDeliveries, UnsettledSend } from './ports';

export interface SweepSettings {
  /** An owed send untouched for this long is queued again. */
  staleAfterMs: number;
  /** A held send is tried again this long after it was held. */
  heldRetryAfterMs: number;
  /** Sends examined per state in one run; the next run goes on from there. */
  limit: number;
}

export const DEFAULT_SWEEP_SETTINGS: SweepSettings = {
  staleAfterMs: 5 * 60_000,
  heldRetryAfterMs: 15 * 60_000,
  limit: 500,
};

export interface SweepReport {
  examined: number;
  requeued: number;
  /** Invitations no longer owed an email (accepted, revoked, expired…) taken out of the index. */
  cleared: number;
  /** Sends held for the operator after this run. */
  held: number;
}

type Decision = 'requeue' | 'clear' | 'leave';

export class EmailSweep {
  constructor(
    private readonly deliveries: Pick<
      EmailDeliveries,
      'listUnsettled' | 'requeue' | 'leaveEmailStates' | 'countInState'
    >,
    private readonly settings: SweepSettings = DEFAULT_SWEEP_SETTINGS,
    private readonly clock: Clock = () => new Date(),
  ) {}

  /** The scheduled run: stuck owed sends, and held sends due for another try. */
  async sweep(): Promise<SweepReport> {
    const now = this.clock();
    const staleBefore = new Date(now.getTime() - this.settings.staleAfterMs);
    const owed = await this.deliveries.listUnsettled('OWED', staleBefore, this.settings.limit);
    const heldBefore = new Date(now.getTime() - this.settings.heldRetryAfterMs);
    const held = await this.deliveries.listUnsettled('HELD', heldBefore, this.settings.limit);
    return this.apply([...owed, ...held], now, (send) => {
      const delivery = send.invitation?.delivery;
      if (!delivery) return 'clear';
      const untouchedSince = Date.parse(delivery.updatedAt);
      switch (delivery.status) {
        case 'QUEUED':
        case 'RETRYING':
          return untouchedSince <= staleBefore.getTime() ? 'requeue' : 'leave';
        case 'SENDING':
          return Date.parse(delivery.leaseUntil ?? '') <= now.getTime() ? 'requeue' : 'leave';
        case 'HELD':
          return untouchedSince <= heldBefore.getTime() ? 'requeue' : 'leave';
        default:
          return 'leave';
      }
    });
  }

  /** The operator's re-drive: every send in the given states is queued again now. */
  async redrive(statuses: readonly RedrivableStatus[]): Promise<SweepReport> {
    const now = this.clock();
    const found: UnsettledSend[] = [];
    for (const status of new Set(statuses)) {
      found.push(...(await this.deliveries.listUnsettled(status, new Date(now.getTime() + 1), this.settings.limit)));
    }
    return this.apply(found, now, (send) =>
      statuses.includes(send.invitation?.delivery?.status as RedrivableStatus) ? 'requeue' : 'leave',
    );
  }

  private async apply(
    found: UnsettledSend[],
    now: Date,
    decide: (send: UnsettledSend) => Decision,
  ): Promise<SweepReport> {
    let requeued = 0;
    let cleared = 0;
    for (const send of found) {
      const invitation = send.invitation;
      if (!invitation) continue;
      const live = invitation.delivery && effectiveStatus(invitation, now) === 'PENDING';
      const decision = live ? decide(send) : 'clear';
      if (decision === 'requeue' && (await this.deliveries.requeue(invitation, now))) requeued += 1;
      if (decision === 'clear' && (await this.deliveries.leaveEmailStates(send.invitationId, send.indexPartition))) {
        cleared += 1;
      }
    }
    return { examined: found.length, requeued, cleared, held: await this.deliveries.countInState('HELD') };
  }
}
