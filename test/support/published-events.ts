/**
 * The event publisher against a local bus: stream records of DynamoDB Local handed to the real
 * publisher handler (held to its declaration), whose PutEvents reach a LocalEventBus in this
 * process; and every published event checked against the JSON Schema the API serves for its type.
 */
import Ajv2020 from 'ajv/dist/2020';
import type { DynamoDBRecord } from 'aws-lambda';
import { expect } from 'vitest';
import { EVENT_PUBLISHER } from '../../functions/consumers';
import { EVENT_TYPES, type EventType } from '../../functions/domain/events';
import { matchesFilterPatterns } from '../../functions/stream/filters';
import { type BusEvent, type Destination, LocalEventBus } from '../../local/event-bus';
import { api, lambdaContext } from './api';
import { declaredEventsAccess, runAs } from './declared-access';

export async function startTestBus(eventsFile: string, destinations: Destination[] = []): Promise<LocalEventBus> {
  const bus = new LocalEventBus({ eventsFile, destinations, retryBaseDelayMs: 10 });
  process.env.EVENTS_ENDPOINT = await bus.start();
  await declaredEventsAccess();
  return bus;
}

/** Hands the records the publisher's filter lets through to it, in batches of its batch size, as its mapping does. */
export async function publish(records: readonly DynamoDBRecord[]) {
  const { handler } = await import('../../functions/publish-events');
  const passing = records.filter((record) => matchesFilterPatterns(record, EVENT_PUBLISHER.filterPatterns));
  const failures: string[] = [];
  for (let start = 0; start < passing.length; start += EVENT_PUBLISHER.batching.batchSize) {
    const Records = passing.slice(start, start + EVENT_PUBLISHER.batching.batchSize);
    const result = await runAs(EVENT_PUBLISHER.handler, () =>
      handler({ Records }, lambdaContext(EVENT_PUBLISHER.handler)),
    );
    failures.push(...result.batchItemFailures.map((failure) => failure.itemIdentifier));
  }
  return failures;
}

let validators: Map<EventType, ReturnType<Ajv2020['compile']>> | undefined;

/** The served JSON Schema of each event type, compiled once. */
async function schemaValidators() {
  if (validators) return validators;
  const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
  validators = new Map();
  for (const type of EVENT_TYPES) {
    const response = await api.get(`/api/event-schemas/${type}`);
    expect(response.status, type).toBe(200);
    validators.set(type, ajv.compile(response.body));
  }
  return validators;
}

/** Every event validates against its type's served schema, and none carries a link token. */
export async function expectValidEvents(events: readonly BusEvent[]): Promise<void> {
  const compiled = await schemaValidators();
  for (const event of events) {
    const validate = compiled.get(event['detail-type'] as EventType);
    expect(validate, `a schema for ${event['detail-type']}`).toBeDefined();
    const valid = validate?.(event.detail);
    expect(validate?.errors ?? [], `${event['detail-type']} ${JSON.stringify(event.detail)}`).toEqual([]);
    expect(valid, event['detail-type']).toBe(true);
    expect(JSON.stringify(event.detail), `${event['detail-type']} carries no token`).not.toMatch(/token/i);
  }
}
