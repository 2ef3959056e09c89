/**
 * The service's events as the bus delivers them: table stream records through the event
 * publisher's own conversion (the records its filter lets through), in EventBridge's envelope,
 * handed to the consumers whose rule matches their detail-type.
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBRecord, EventBridgeEvent } from 'aws-lambda';
import { WORKSPACE_NAME_SYNC } from '../../functions/consumers';
import type { EventType } from '../../functions/domain/events';
import { DEFAULT_EVENT_SOURCE } from '../../functions/events/config';
import { type EventDetail, eventsOfRecord } from '../../functions/events/records';
import { matchesFilterPatterns, serviceEventFilterPatterns } from '../../functions/stream/filters';
import { lambdaContext } from './api';
import { runAs } from './declared-access';

export type ServiceEvent = EventBridgeEvent<EventType, EventDetail>;

/** The events the publisher would publish for `records`, in EventBridge's envelope. */
export function busEventsOf(records: readonly DynamoDBRecord[]): ServiceEvent[] {
  return records
    .filter((record) => matchesFilterPatterns(record, serviceEventFilterPatterns))
    .flatMap(eventsOfRecord)
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

/** Hands the events of `records` that the name sync's rule matches to it, one invocation each, held to its declaration. */
export async function deliverToNameSync(records: readonly DynamoDBRecord[]): Promise<number> {
  const { handler } = await import('../../functions/sync-workspace-names');
  const matching = busEventsOf(records).filter((event) =>
    (WORKSPACE_NAME_SYNC.detailTypes as readonly string[]).includes(event['detail-type']),
  );
  for (const event of matching) {
    await runAs(WORKSPACE_NAME_SYNC.handler, () => handler(event as never, lambdaContext(WORKSPACE_NAME_SYNC.handler)));
  }
  return matching.length;
}
