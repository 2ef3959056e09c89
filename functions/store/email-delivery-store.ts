/**
 * The email-delivery side of the invitation item: the sender's claim and outcome, SES feedback,
 * and the email-state index the sweep and the operator's re-drive read. Every write is one
 * conditional update of the invitation, so a concurrent accept, revoke, resend or second sender
 * always wins or loses as a whole.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DeliveryStatus } from '../domain/delivery';
import type { Invitation } from '../domain/invitation';
import type { EmailFeedback } from '../email/feedback';
import type { DeliveryClaim, DeliveryResult, EmailDeliveries, UnsettledSend } from '../use-cases/ports';
import { batchGetItems } from './batch-get';
import { strip } from './dynamo-store';
import {
  EMAIL_STATE_SHARDS,
  type EmailState,
  ENTITY,
  emailStateKeys,
  emailStatePartition,
  INVITATION_PREFIX,
  keys,
} from './keys';
import { TABLE } from './table-definition';

type Item = Record<string, unknown>;

const INDEX = TABLE.indexes.byEmailState;
/** Which email-state partition a recorded outcome moves the send to; SENT leaves the index. */
const STATE_OF: Partial<Record<DeliveryStatus, EmailState>> = { FAILED: 'FAILED', HELD: 'HELD' };

export class EmailDeliveryStore implements EmailDeliveries {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async claimDelivery(invitationId: string, sendNumber: number, leaseUntil: Date, now: Date): Promise<DeliveryClaim> {
    const nowIso = now.toISOString();
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.invitation(invitationId),
          UpdateExpression:
            'SET delivery.#status = :sending, delivery.leaseUntil = :lease, delivery.updatedAt = :now, ' +
            'delivery.attempts = if_not_exists(delivery.attempts, :zero) + :one, ' +
            'sendAttempts = if_not_exists(sendAttempts, :zero) + :one',
          ConditionExpression:
            '#status = :pending AND expiresAt > :now AND delivery.sendNumber = :send AND ' +
            '(delivery.#status IN (:queued, :retrying) OR (delivery.#status = :sending AND delivery.leaseUntil <= :now))',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':sending': 'SENDING',
            ':queued': 'QUEUED',
            ':retrying': 'RETRYING',
            ':pending': 'PENDING',
            ':lease': leaseUntil.toISOString(),
            ':now': nowIso,
            ':send': sendNumber,
            ':zero': 0,
            ':one': 1,
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { claimed: true, invitation: strip<Invitation>(Attributes as Item) };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const current = error.Item ? (unmarshall(error.Item) as Partial<Invitation>) : undefined;
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
  }

  async recordDelivery(invitationId: string, sendNumber: number, result: DeliveryResult, now: Date): Promise<boolean> {
    const nowIso = now.toISOString();
    const set = ['delivery.#status = :result', 'delivery.updatedAt = :now'];
    const remove = ['delivery.leaseUntil'];
    const values: Record<string, unknown> = { ':result': result.status, ':now': nowIso, ':send': sendNumber };
    if (result.status === 'SENT') {
      set.push('lastSentAt = :now', 'sendCount = if_not_exists(sendCount, :zero) + :one');
      values[':zero'] = 0;
      values[':one'] = 1;
      if (result.messageId) {
        set.push('delivery.messageId = :messageId');
        values[':messageId'] = result.messageId;
      }
      remove.push('delivery.failure', INDEX.partitionKey, INDEX.sortKey);
    } else {
      set.push('delivery.failure = :failure');
      values[':failure'] = result.failure;
    }
    const state = STATE_OF[result.status];
    if (state) this.moveTo(state, invitationId, nowIso, set, values);
    values[':sending'] = 'SENDING';
    return this.conditionalUpdate({
      Key: keys.invitation(invitationId),
      UpdateExpression: `SET ${set.join(', ')} REMOVE ${remove.join(', ')}`,
      ConditionExpression: 'delivery.sendNumber = :send AND delivery.#status = :sending',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: values,
    });
  }

  async failUnclaimable(invitationId: string, sendNumber: unknown, failure: string, now: Date): Promise<boolean> {
    const nowIso = now.toISOString();
    const set = ['delivery.#status = :failed', 'delivery.updatedAt = :now', 'delivery.failure = :failure'];
    const values: Record<string, unknown> = {
      ':failed': 'FAILED',
      ':now': nowIso,
      ':failure': failure,
      ':queued': 'QUEUED',
      ':retrying': 'RETRYING',
    };
    this.moveTo('FAILED', invitationId, nowIso, set, values);
    const sameSend =
      sendNumber === undefined ? 'attribute_not_exists(delivery.sendNumber)' : 'delivery.sendNumber = :send';
    if (sendNumber !== undefined) values[':send'] = sendNumber;
    return this.conditionalUpdate({
      Key: keys.invitation(invitationId),
      UpdateExpression: `SET ${set.join(', ')}`,
      ConditionExpression: `entity = :invitation AND ${sameSend} AND delivery.#status IN (:queued, :retrying)`,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ...values, ':invitation': ENTITY.invitation },
    });
  }

  async recordDeliveryFeedback(feedback: EmailFeedback, now: Date): Promise<'recorded' | 'not-yet-sent' | 'stale'> {
    const settled = ['SENT', 'BOUNCED', 'COMPLAINED'];
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.invitation(feedback.invitationId),
          UpdateExpression:
            'SET delivery.#status = :status, delivery.failure = :failure, delivery.messageId = :messageId, delivery.updatedAt = :now',
          ConditionExpression: `delivery.sendNumber = :send AND delivery.#status IN (${settled.map((_, i) => `:settled${i}`).join(', ')})`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':status': feedback.status,
            ':failure': feedback.failure,
            ':messageId': feedback.messageId,
            ':now': now.toISOString(),
            ':send': feedback.sendNumber,
            ...Object.fromEntries(settled.map((status, i) => [`:settled${i}`, status])),
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return 'recorded';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const current = error.Item ? (unmarshall(error.Item) as Partial<Invitation>) : undefined;
      const beingSent =
        current?.delivery?.sendNumber === feedback.sendNumber &&
        (current.delivery.status === 'SENDING' || current.delivery.status === 'RETRYING');
      return beingSent ? 'not-yet-sent' : 'stale';
    }
  }

  async listUnsettled(state: EmailState, before: Date, limit: number): Promise<UnsettledSend[]> {
    const found: { key: { PK: string; SK: string }; indexPartition: string }[] = [];
    for (let shard = 0; shard < EMAIL_STATE_SHARDS && found.length < limit; shard++) {
      const indexPartition = emailStatePartition(state, shard);
      const pages = this.statePages(indexPartition, { before, limit: () => limit - found.length });
      for await (const page of pages) {
        for (const item of page.Items ?? [])
          found.push({ key: { PK: item.PK as string, SK: item.SK as string }, indexPartition });
        if (found.length >= limit) break;
      }
    }
    const items = await batchGetItems(
      this.client,
      this.tableName,
      found.map(({ key }) => key),
    );
    const invitations = new Map(items.map((item) => [item.PK as string, item]));
    return found.map(({ key, indexPartition }) => {
      const item = invitations.get(key.PK);
      return {
        invitationId: key.PK.slice(INVITATION_PREFIX.length),
        indexPartition,
        ...(item ? { invitation: strip<Invitation>(item) } : {}),
      };
    });
  }

  async requeue(observed: Invitation, now: Date): Promise<boolean> {
    const delivery = observed.delivery;
    if (!delivery) return false;
    const nowIso = now.toISOString();
    const set = ['delivery.#status = :queued', 'delivery.updatedAt = :now'];
    const values: Record<string, unknown> = {
      ':queued': 'QUEUED',
      ':now': nowIso,
      ':send': delivery.sendNumber,
      ':observed': delivery.status,
      ':observedAt': delivery.updatedAt,
      ':pending': 'PENDING',
    };
    this.moveTo('OWED', observed.id, nowIso, set, values);
    return this.conditionalUpdate({
      Key: keys.invitation(observed.id),
      UpdateExpression: `SET ${set.join(', ')} REMOVE delivery.leaseUntil`,
      ConditionExpression:
        '#status = :pending AND expiresAt > :now AND delivery.sendNumber = :send AND ' +
        'delivery.#status = :observed AND delivery.updatedAt = :observedAt',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: values,
    });
  }

  async leaveEmailStates(invitationId: string, indexPartition: string): Promise<boolean> {
    return this.conditionalUpdate({
      Key: keys.invitation(invitationId),
      UpdateExpression: `REMOVE ${INDEX.partitionKey}, ${INDEX.sortKey}`,
      ConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': INDEX.partitionKey },
      ExpressionAttributeValues: { ':pk': indexPartition },
    });
  }

  async countInState(state: EmailState): Promise<number> {
    let count = 0;
    for (let shard = 0; shard < EMAIL_STATE_SHARDS; shard++) {
      for await (const page of this.statePages(emailStatePartition(state, shard), { count: true })) {
        count += page.Count ?? 0;
      }
    }
    return count;
  }

  /** The pages of one email-state index partition: its entries since before `before`, or only their count. */
  private async *statePages(
    partition: string,
    options: { before?: Date; limit?: () => number; count?: boolean },
  ): AsyncGenerator<{ Items?: Record<string, string>[]; Count?: number }> {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: INDEX.name,
          KeyConditionExpression: options.before ? '#pk = :pk AND #sk < :before' : '#pk = :pk',
          ExpressionAttributeNames: { '#pk': INDEX.partitionKey, ...(options.before ? { '#sk': INDEX.sortKey } : {}) },
          ExpressionAttributeValues: {
            ':pk': partition,
            ...(options.before ? { ':before': options.before.toISOString() } : {}),
          },
          ...(options.limit ? { Limit: options.limit() } : {}),
          ...(options.count ? { Select: 'COUNT' as const } : {}),
          ExclusiveStartKey: startKey,
        }),
      );
      yield page as { Items?: Record<string, string>[]; Count?: number };
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }

  /** Adds the SET clauses that put the send in `state`'s partition of the email-state index. */
  private moveTo(state: EmailState, invitationId: string, since: string, set: string[], values: Item): void {
    const indexKeys = emailStateKeys(state, invitationId, since);
    set.push(`${INDEX.partitionKey} = :statePartition`, `${INDEX.sortKey} = :stateSince`);
    values[':statePartition'] = indexKeys.GSI4PK;
    values[':stateSince'] = indexKeys.GSI4SK;
  }

  private async conditionalUpdate(
    update: Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName'>,
  ): Promise<boolean> {
    try {
      await this.client.send(new UpdateCommand({ TableName: this.tableName, ...update }));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
