/**
 * Table stream records as domain events: each record's images read back through the item codecs
 * (so an event shows an entity exactly as the API does), the events the change amounts to
 * (functions/domain/events.ts), and their details. Every event's id is derived from the stream
 * record's own id and the event type, so a redelivered record yields the same ids again.
 */
import { createHash } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import {
  type Change,
  type ChangeEvent,
  type EventType,
  eventsOf,
  type Removal,
  type WorkspaceSetting,
} from '../domain/events';
import { effectiveStatus } from '../domain/invitation';
import type { Metadata } from '../domain/metadata';
import { invitationFields, memberFields, workspaceFields } from '../http/hal';
import { invitationCodec } from '../store/codecs/invitation';
import { removalCodec } from '../store/codecs/removal';
import { memberCodec, workspaceCodec } from '../store/codecs/workspace';
import type { Key } from '../store/dynamo/table';
import { ENTITY } from '../store/keys';
import { removalId } from '../store/removal-store';

export interface EventDetail {
  eventId: string;
  time: string;
  sequence: string;
  workspaceId: string;
  actor?: { userId: string };
  metadata?: Metadata;
  invitation?: ReturnType<typeof invitationFields>;
  member?: ReturnType<typeof memberFields>;
  workspace?: ReturnType<typeof workspaceFields>;
  changed?: WorkspaceSetting[];
}

export interface DomainEvent {
  type: EventType;
  detail: EventDetail;
}

/** DynamoDB removes an expired item as this principal: a purge after TTL, not a change anyone made. */
const TTL_PRINCIPAL = 'dynamodb.amazonaws.com';

/**
 * The events one stream record carries, in the order they happened; none for bookkeeping.
 * `removal`: for a deletion, its removal record (removalKeyOfRecord), which names the actor.
 */
export function eventsOfRecord(record: DynamoDBRecord, removal?: Removal): DomainEvent[] {
  if (isPurge(record)) return [];
  const change = changeOf(record, removal);
  if (!change) return [];
  const recordTime = recordTimeOf(record);
  return eventsOf(change).map((event) => ({ type: event.type, detail: detailOf(record, change, event, recordTime) }));
}

/**
 * The key of the removal record written beside the deletion this record reports (an invitation
 * deleted, a membership ended), whose actor its event names; none for any other record.
 */
export function removalKeyOfRecord(record: DynamoDBRecord): Key | undefined {
  if (record.eventName !== 'REMOVE' || isPurge(record)) return undefined;
  return removalCodec.keyOf(imageOf(record.dynamodb?.OldImage));
}

/** Where removal records are read from (functions/store/removal-store.ts): found ones by removalId of their key. */
export interface RemovalReader {
  find(keys: readonly Key[]): Promise<Map<string, Removal>>;
}

/**
 * The removal record of each deletion among `records`, read in one request: what the publisher
 * (and a replay of parked records) hands eventsOfRecord. A record that cannot be read has none;
 * it fails where its events are read.
 */
export async function readRemovals(
  records: readonly DynamoDBRecord[],
  reader: RemovalReader,
): Promise<Map<DynamoDBRecord, Removal>> {
  const wanted = records.flatMap((record) => {
    try {
      const key = removalKeyOfRecord(record);
      return key ? [[record, key] as const] : [];
    } catch {
      return [];
    }
  });
  const found = await reader.find(wanted.map(([, key]) => key));
  return new Map(
    wanted.flatMap(([record, key]) => {
      const removal = found.get(removalId(key));
      return removal ? [[record, removal] as const] : [];
    }),
  );
}

function isPurge(record: DynamoDBRecord): boolean {
  return record.eventName === 'REMOVE' && record.userIdentity?.principalId === TTL_PRINCIPAL;
}

function changeOf(record: DynamoDBRecord, removal: Removal | undefined): Change | undefined {
  const before = imageOf(record.dynamodb?.OldImage);
  const after = imageOf(record.dynamodb?.NewImage);
  const entity = (after ?? before)?.entity;
  const removed = after ? {} : removal ? { removal } : {};
  if (entity === ENTITY.invitation) {
    const [was, is] = [invitationCodec.fromItem(before), invitationCodec.fromItem(after)];
    return { entity: 'invitation', before: was, after: is, ...removed };
  }
  if (entity === ENTITY.member) {
    return { entity: 'member', before: memberCodec.fromItem(before), after: memberCodec.fromItem(after), ...removed };
  }
  if (entity === ENTITY.workspace) {
    return { entity: 'workspace', before: workspaceCodec.fromItem(before), after: workspaceCodec.fromItem(after) };
  }
  return undefined;
}

function detailOf(record: DynamoDBRecord, change: Change, event: ChangeEvent, recordTime: string): EventDetail {
  const common = {
    eventId: eventIdOf(record, event.type),
    time: event.time ?? recordTime,
    sequence: record.dynamodb?.SequenceNumber ?? '0',
    ...(event.actorId ? { actor: { userId: event.actorId } } : {}),
  };
  switch (change.entity) {
    case 'invitation': {
      const invitation = (change.after ?? change.before) as NonNullable<typeof change.after>;
      // The status the change left it in: an expired one reads as EXPIRED, whenever it is published.
      const at = new Date(Math.max(Date.parse(recordTime), Date.parse(common.time)));
      return {
        ...common,
        workspaceId: invitation.workspaceId,
        invitation: invitationFields(invitation, effectiveStatus(invitation, at), true),
        ...(invitation.metadata ? { metadata: invitation.metadata } : {}),
      };
    }
    case 'member': {
      const member = (change.after ?? change.before) as NonNullable<typeof change.after>;
      return {
        ...common,
        workspaceId: member.workspaceId,
        member: memberFields(member, true),
        ...(member.metadata ? { metadata: member.metadata } : {}),
      };
    }
    case 'workspace': {
      const workspace = (change.after ?? change.before) as NonNullable<typeof change.after>;
      return {
        ...common,
        workspaceId: workspace.id,
        workspace: workspaceFields(workspace),
        ...(event.changed ? { changed: event.changed } : {}),
      };
    }
  }
}

/** A UUID-shaped digest of the stream record's id and the event type: stable across redeliveries. */
export function eventIdOf(record: DynamoDBRecord, type: EventType): string {
  if (!record.eventID) throw new Error('A stream record without an eventID cannot be published');
  const hex = createHash('sha256').update(`${record.eventID}\n${type}`).digest('hex');
  const variant = ((Number.parseInt(hex[16] as string, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function recordTimeOf(record: DynamoDBRecord): string {
  const seconds = record.dynamodb?.ApproximateCreationDateTime;
  return seconds === undefined ? new Date().toISOString() : new Date(seconds * 1000).toISOString();
}

function imageOf(image: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  return image ? unmarshall(image as Record<string, AttributeValue>) : undefined;
}
