/**
 * The service's events as the bus delivers them: table stream records through the event
 * publisher's own conversion (the records its filter lets through), in EventBridge's envelope,
 * handed to the consumers whose rule matches their detail-type.
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBRecord, EventBridgeEvent } from 'aws-lambda';
import { WORKSPACE_NAME_SYNC } from '../../functions/consumers';
import type { EventType, Removal } from '../../functions/domain/events';
import { DEFAULT_EVENT_SOURCE } from '../../functions/events/config';
import { type EventDetail, eventsOfRecord, readRemovals } from '../../functions/events/records';
import { dynamoRemovals } from '../../functions/store/stores';
import { matchesFilterPatterns, serviceEventFilterPatterns } from '../../functions/stream/filters';
import { lambdaContext } from './api';
import { runAs } from './declared-access';

export type ServiceEvent = EventBridgeEvent<EventType, EventDetail>;

/**
 * The events the publisher would publish for `records`, in EventBridge's envelope; deletions
 * name their actor from `removals` (removalsOf), as the publisher's own read of them does.
 */
export function busEventsOf(
  records: readonly DynamoDBRecord[],
  removals: ReadonlyMap<DynamoDBRecord, Removal> = new Map(),
): ServiceEvent[] {
  return records
    .filter((record) => matchesFilterPatterns(record, serviceEventFilterPatterns))
    .flatMap((record) => eventsOfRecord(record, removals.get(record)))
    .map(({ type, detail }) => ({
      version: '0',
      id: randomUUID(),
      'detail-type': type,
      source: DEFAULT_EVENT_SOURCE,
      account: '000000000000',
      time: detail.time,
      region: 'us-east-1',
      resources: [],
      detail,
    }));
}

/** The removal records of the deletions among `records`, read from the table as the publisher reads them. */
export async function removalsOf(records: readonly DynamoDBRecord[]): Promise<Map<DynamoDBRecord, Removal>> {
  const { dynamo, tableName } = await import('../../functions/store/client');
  return readRemovals(records, dynamoRemovals(dynamo, tableName));
}

/** Hands the events of `records` that the name sync's rule matches to it, one invocation each, held to its declaration. */
export async function deliverToNameSync(records: readonly DynamoDBRecord[]): Promise<number> {
  const { handler } = await import('../../functions/sync-workspace-names');
  const matching = busEventsOf(records, await removalsOf(records)).filter((event) =>
    (WORKSPACE_NAME_SYNC.detailTypes as readonly string[]).includes(event['detail-type']),
  );
  for (const event of matching) {
    await runAs(WORKSPACE_NAME_SYNC.handler, () => handler(event as never, lambdaContext(WORKSPACE_NAME_SYNC.handler)));
  }
  return matching.length;
}
