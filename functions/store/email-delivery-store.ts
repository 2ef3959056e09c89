/**
 * The email-delivery side of the invitation item: the sender's claim and outcome, SES feedback,
 * and the email-state index the sweep and the operator's re-drive read. Every write is one
 * conditional update of the invitation, so a concurrent accept, revoke, resend or second sender
 * always wins or loses as a whole.
 */
import type { EmailFeedback } from '../domain/delivery';
import type { DeliveryStatus } from '../domain/delivery-state';
import type { Invitation } from '../domain/invitation';
import type { DeliveryClaim, DeliveryResult, EmailDeliveries, UnsettledSend } from '../use-cases/ports';
import { emailStateUpdate, invitationCodec, live } from './codecs/invitation';
import { allOf, type Expression } from './dynamo/expression';
import { allPages, indexPartition, keysBelow } from './dynamo/paging';
import type { Table } from './dynamo/table';
import { EMAIL_STATE_SHARDS, type EmailState, ENTITY, emailStatePartition, INVITATION_PREFIX } from './keys';
import { TABLE } from './table-definition';

const INDEX = TABLE.indexes.byEmailState;
/** Which email-state partition a recorded outcome moves the send to; SENT leaves the index. */
const STATE_OF: Partial<Record<DeliveryStatus, EmailState>> = { FAILED: 'FAILED', HELD: 'HELD' };

/** Names every delivery expression uses. */
const NAMES = { '#status': 'status' };

export class EmailDeliveryStore implements EmailDeliveries {
  constructor(private readonly table: Table) {}

  async claimDelivery(invitationId: string, sendNumber: number, leaseUntil: Date, now: Date): Promise<DeliveryClaim> {
    const nowIso = now.toISOString();
    const outcome = await this.table.write(
      this.table.update(
        'delivery',
        invitationCodec.key(invitationId),
        {
          expression:
            'SET delivery.#status = :sending, delivery.leaseUntil = :lease, delivery.updatedAt = :now, ' +
            'delivery.attempts = if_not_exists(delivery.attempts, :zero) + :one, ' +
            'sendAttempts = if_not_exists(sendAttempts, :zero) + :one',
          names: NAMES,
          values: { ':sending': 'SENDING', ':lease': leaseUntil.toISOString(), ':now': nowIso, ':zero': 0, ':one': 1 },
        },
        allOf(live(now), {
          expression:
            'delivery.sendNumber = :send AND (delivery.#status IN (:queued, :retrying) OR ' +
            '(delivery.#status = :sending AND delivery.leaseUntil <= :now))',
          values: { ':send': sendNumber, ':queued': 'QUEUED', ':retrying': 'RETRYING' },
        }),
        true,
      ),
      true,
    );
    if (outcome.applied) return { claimed: true, invitation: invitationCodec.fromItem(outcome.item) as Invitation };
    const current = outcome.current as Partial<Invitation> | undefined;
    const delivery = current?.status === 'PENDING' ? current.delivery : undefined;
    if (delivery?.sendNumber !== sendNumber) return { claimed: false, reason: 'settled' };
    if (delivery.status === 'SENDING' && (delivery.leaseUntil ?? '') > nowIso) {
      return { claimed: false, reason: 'in-progress', leaseUntil: new Date(delivery.leaseUntil as string) };
    }
    // Owed and this send's, yet not claimable: the item has no usable expiry.
    const owed = delivery.status === 'QUEUED' || delivery.status === 'RETRYING';
    if (owed && Number.isNaN(Date.parse(String(current?.expiresAt)))) {
      return { claimed: false, reason: 'invalid', problem: 'expiresAt' };
    }
    return { claimed: false, reason: 'settled' };
  }

  recordDelivery(invitationId: string, sendNumber: number, result: DeliveryResult, now: Date): Promise<boolean> {
    const nowIso = now.toISOString();
    const set = ['delivery.#status = :result', 'delivery.updatedAt = :now'];
    const remove = ['delivery.leaseUntil'];
    const values: Record<string, unknown> = { ':result': result.status, ':now': nowIso };
    if (result.status === 'SENT') {
      set.push('lastSentAt = :now', 'sendCount = if_not_exists(sendCount, :zero) + :one');
      Object.assign(values, { ':zero': 0, ':one': 1 });
      if (result.messageId) {
        set.push('delivery.messageId = :messageId');
        values[':messageId'] = result.messageId;
      }
      remove.push(INDEX.partitionKey, INDEX.sortKey, 'delivery.failure');
    } else {
      set.push('delivery.failure = :failure');
      values[':failure'] = result.failure;
    }
    const state = STATE_OF[result.status];
    const moved = state ? emailStateUpdate(state, invitationId, nowIso) : undefined;
    return this.table.applied(
      this.table.update(
        'delivery',
        invitationCodec.key(invitationId),
        {
          expression: `SET ${[...set, ...(moved ? [moved.expression] : [])].join(', ')} REMOVE ${remove.join(', ')}`,
          names: { ...NAMES, ...moved?.names },
          values: { ...values, ...moved?.values },
        },
        {
          expression: 'delivery.sendNumber = :send AND delivery.#status = :sending',
          values: { ':send': sendNumber, ':sending': 'SENDING' },
        },
      ),
    );
  }

  failUnclaimable(invitationId: string, sendNumber: unknown, failure: string, now: Date): Promise<boolean> {
    const nowIso = now.toISOString();
    const moved = emailStateUpdate('FAILED', invitationId, nowIso);
    const sameSend: Expression =
      sendNumber === undefined
        ? { expression: 'attribute_not_exists(delivery.sendNumber)' }
        : { expression: 'delivery.sendNumber = :send', values: { ':send': sendNumber } };
    return this.table.applied(
      this.table.update(
        'delivery',
        invitationCodec.key(invitationId),
        {
          expression: `SET delivery.#status = :failed, delivery.updatedAt = :now, delivery.failure = :failure, ${moved.expression}`,
          names: { ...NAMES, ...moved.names },
          values: { ...moved.values, ':failed': 'FAILED', ':now': nowIso, ':failure': failure },
        },
        allOf({ expression: 'entity = :invitation', values: { ':invitation': ENTITY.invitation } }, sameSend, {
          expression: 'delivery.#status IN (:queued, :retrying)',
          values: { ':queued': 'QUEUED', ':retrying': 'RETRYING' },
        }),
      ),
    );
  }

  async recordDeliveryFeedback(feedback: EmailFeedback, now: Date): Promise<'recorded' | 'not-yet-sent' | 'stale'> {
    const settled = ['SENT', 'BOUNCED', 'COMPLAINED'];
    const outcome = await this.table.write(
      this.table.update(
        'delivery',
        invitationCodec.key(feedback.invitationId),
        {
          expression:
            'SET delivery.#status = :status, delivery.failure = :failure, delivery.messageId = :messageId, delivery.updatedAt = :now',
          names: NAMES,
          values: {
            ':status': feedback.status,
            ':failure': feedback.failure,
            ':messageId': feedback.messageId,
            ':now': now.toISOString(),
          },
        },
        {
          expression: `delivery.sendNumber = :send AND delivery.#status IN (${settled.map((_, i) => `:settled${i}`).join(', ')})`,
          values: {
            ':send': feedback.sendNumber,
            ...Object.fromEntries(settled.map((status, i) => [`:settled${i}`, status])),
          },
        },
        true,
      ),
    );
    if (outcome.applied) return 'recorded';
    const current = outcome.current as Partial<Invitation> | undefined;
    const beingSent =
      current?.delivery?.sendNumber === feedback.sendNumber &&
      (current.delivery.status === 'SENDING' || current.delivery.status === 'RETRYING');
    return beingSent ? 'not-yet-sent' : 'stale';
  }

  async listUnsettled(state: EmailState, before: Date, limit: number): Promise<UnsettledSend[]> {
    const found = await keysBelow(this.table, 'byEmailState', statePartitions(state), before.toISOString(), limit);
    const items = await this.table.batchGet(found.map(({ key }) => key));
    const invitations = new Map(items.map((item) => [item[TABLE.partitionKey] as string, item]));
    return found.map(({ key, partition: indexPartition }) => {
      const invitation = invitationCodec.fromItem(invitations.get(key[TABLE.partitionKey] as string));
      return {
        invitationId: (key[TABLE.partitionKey] as string).slice(INVITATION_PREFIX.length),
        indexPartition,
        ...(invitation ? { invitation } : {}),
      };
    });
  }

  requeue(observed: Invitation, now: Date): Promise<boolean> {
    const delivery = observed.delivery;
    if (!delivery) return Promise.resolve(false);
    const nowIso = now.toISOString();
    const moved = emailStateUpdate('OWED', observed.id, nowIso);
    return this.table.applied(
      this.table.update(
        'delivery',
        invitationCodec.key(observed.id),
        {
          expression: `SET delivery.#status = :queued, delivery.updatedAt = :now, ${moved.expression} REMOVE delivery.leaseUntil`,
          names: { ...NAMES, ...moved.names },
          values: { ...moved.values, ':queued': 'QUEUED', ':now': nowIso },
        },
        allOf(live(now), {
          expression:
            'delivery.sendNumber = :send AND delivery.#status = :observed AND delivery.updatedAt = :observedAt',
          values: { ':send': delivery.sendNumber, ':observed': delivery.status, ':observedAt': delivery.updatedAt },
        }),
      ),
    );
  }

  leaveEmailStates(invitationId: string, indexPartition: string): Promise<boolean> {
    return this.table.applied(
      this.table.update(
        'delivery',
        invitationCodec.key(invitationId),
        { expression: 'REMOVE #statePartition, #stateSince', names: { '#stateSince': INDEX.sortKey } },
        {
          expression: '#statePartition = :statePartition',
          names: { '#statePartition': INDEX.partitionKey },
          values: { ':statePartition': indexPartition },
        },
      ),
    );
  }

  async countInState(state: EmailState): Promise<number> {
    let count = 0;
    for (const partition of statePartitions(state)) {
      for await (const page of allPages(this.table, {
        ...indexPartition('byEmailState', partition),
        Select: 'COUNT',
      })) {
        count += page.count;
      }
    }
    return count;
  }
}

/** The index partitions a state is spread over. */
function statePartitions(state: EmailState): string[] {
  return Array.from({ length: EMAIL_STATE_SHARDS }, (_, shard) => emailStatePartition(state, shard));
}
