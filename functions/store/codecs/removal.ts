/**
 * The removal record: a small item written in the same transaction that deletes an invitation or
 * ends a membership, naming who did it and when. The table stream's record of a deletion holds
 * only the item as it was, so the event publisher reads this beside it to name the actor. It
 * carries keys, the actor's user id and two times, never an address or a token; no index and no
 * stream consumer's filter takes it in, and TTL deletes it once no replay can still need it.
 */
import type { Removal } from '../../domain/events';
import type { Member } from '../../domain/workspace';
import type { Item, Key } from '../dynamo/table';
import { ENTITY, keys } from '../keys';
import { TABLE } from '../table-definition';
import { invitationIdOf } from './invitation';

/**
 * How long a removal record is kept: far beyond the stream's 24 hours and the publisher's retries
 * (6 hours), so a record replayed from the stream (bin/replay-events.ts) still finds its actor.
 */
export const REMOVAL_KEPT_SECONDS = 7 * 86_400;

export const removalCodec = {
  /** The removal record of the invitation or membership an item is (an image from the table or its stream), if it is either. */
  keyOf(removed: Item | undefined): Key | undefined {
    if (removed?.entity === ENTITY.invitation) return keys.invitationRemoval(invitationIdOf(removed));
    if (
      removed?.entity === ENTITY.member &&
      typeof removed.workspaceId === 'string' &&
      typeof removed.userId === 'string' &&
      typeof removed.joinedAt === 'string'
    ) {
      return keys.memberRemoval(removed.workspaceId, removed.userId, removed.joinedAt);
    }
    return undefined;
  },
  ofInvitation: (invitationId: string, removedBy: string, now: Date): Item =>
    removalItem(keys.invitationRemoval(invitationId), removedBy, now),
  ofMember: (member: Pick<Member, 'workspaceId' | 'userId' | 'joinedAt'>, removedBy: string, now: Date): Item =>
    removalItem(keys.memberRemoval(member.workspaceId, member.userId, member.joinedAt), removedBy, now),
  fromItem(item: Item | undefined): Removal | undefined {
    if (item?.entity !== ENTITY.removal || typeof item.removedAt !== 'string') return undefined;
    return typeof item.removedBy === 'string' ? { at: item.removedAt, by: item.removedBy } : { at: item.removedAt };
  },
};

function removalItem(key: Key, removedBy: string, now: Date): Item {
  return {
    ...key,
    entity: ENTITY.removal,
    removedBy,
    removedAt: now.toISOString(),
    [TABLE.ttlAttribute]: Math.floor(now.getTime() / 1000) + REMOVAL_KEPT_SECONDS,
  };
}
