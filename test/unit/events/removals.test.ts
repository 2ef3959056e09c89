/**
 * Deletions as events: a stream record of a deleted invitation or an ended membership names the
 * removal record written beside it, and with that record its event names who did it and when;
 * without one (a deletion from before they were written) it names no one. TTL's purges have none.
 */
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { eventsOfRecord, removalKeyOfRecord } from '../../../functions/events/records';
import { REMOVAL_KEPT_SECONDS, removalCodec } from '../../../functions/store/codecs/removal';
import { keys } from '../../../functions/store/keys';
import { bob, STORED_AT, storedBob } from '../../support/stored-items';

const workspaceId = '00000000-0000-4000-8000-000000000001';
const member = storedBob(workspaceId);

const removed = (image: Record<string, unknown>, principal?: string): DynamoDBRecord => ({
  eventID: 'record-1',
  eventName: 'REMOVE',
  dynamodb: { OldImage: marshall(image) as never, SequenceNumber: '100', ApproximateCreationDateTime: 1_772_400_000 },
  ...(principal ? { userIdentity: { type: 'Service', principalId: principal } } : {}),
});

describe('a removal record', () => {
  it('is keyed by the membership it ends, so a later membership of the same person has its own', () => {
    expect(removalKeyOfRecord(removed(member))).toEqual(keys.memberRemoval(workspaceId, 'user|bob', STORED_AT));
    expect(removalKeyOfRecord(removed({ ...member, joinedAt: '2026-04-01T10:00:00.000Z' }))).not.toEqual(
      removalKeyOfRecord(removed(member)),
    );
  });

  it('names only who and when, and is kept a week', () => {
    const now = new Date('2026-03-02T10:00:00.000Z');
    const item = removalCodec.ofMember(bob(workspaceId), 'user|alice', now);
    expect(item).toEqual({
      ...keys.memberRemoval(workspaceId, 'user|bob', STORED_AT),
      entity: 'Removal',
      removedBy: 'user|alice',
      removedAt: now.toISOString(),
      ttl: now.getTime() / 1000 + REMOVAL_KEPT_SECONDS,
    });
    expect(removalCodec.fromItem(item)).toEqual({ at: now.toISOString(), by: 'user|alice' });
  });

  it('is not looked for on TTL purges, insertions and items that are neither invitations nor members', () => {
    expect(removalKeyOfRecord(removed(member, 'dynamodb.amazonaws.com'))).toBeUndefined();
    expect(removalKeyOfRecord({ ...removed(member), eventName: 'INSERT' })).toBeUndefined();
    expect(removalKeyOfRecord(removed({ ...keys.workspaceCounts(workspaceId), entity: 'WorkspaceCounts' }))).toBe(
      undefined,
    );
  });
});

describe('member.removed', () => {
  it('names the remover and the time of the removal from its record', () => {
    const [event] = eventsOfRecord(removed(member), { at: '2026-03-02T10:00:00.000Z', by: 'user|alice' });
    expect(event?.type).toBe('member.removed');
    expect(event?.detail).toMatchObject({
      actor: { userId: 'user|alice' },
      time: '2026-03-02T10:00:00.000Z',
      member: { userId: 'user|bob' },
    });
  });

  it('names no one without a removal record, and is taken at the stream record’s time', () => {
    const [event] = eventsOfRecord(removed(member));
    expect(event?.detail).not.toHaveProperty('actor');
    expect(event?.detail.time).toBe(new Date(1_772_400_000 * 1000).toISOString());
  });
});
