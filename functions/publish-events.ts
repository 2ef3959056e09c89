/**
 * The table stream's event publisher: every change an embedding product cares about, as a domain
 * event on the service's EventBridge bus. Records are handled in stream order and published in
 * that order; at the first record whose events EventBridge refuses (or that cannot be read), the
 * handler stops and reports it, so the mapping retries from there, in order, and finally parks it.
 * A retried record yields the same event ids (functions/events/records.ts): delivery is at least
 * once, and consumers deduplicate by `eventId`.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { EventBridgeClient, EventBus } from './events/bus';
import { loadEventsConfig } from './events/config';
import { type DomainEvent, eventsOfRecord } from './events/records';
import { logger } from './platform/observability';

const config = loadEventsConfig(process.env);
const bus = new EventBus(
  new EventBridgeClient({ region: config.AWS_REGION, endpoint: config.EVENTS_ENDPOINT }),
  config.EVENT_BUS_NAME,
  config.EVENT_SOURCE,
);

export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse, Error, Context>({ timeoutEarlyInMillis: 0 })
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => publish(event));

async function publish(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const owners: string[] = [];
  const events: DomainEvent[] = [];
  let unreadable: string | undefined;
  for (const record of event.Records) {
    const sequence = record.dynamodb?.SequenceNumber ?? '';
    try {
      for (const domainEvent of eventsOfRecord(record)) {
        events.push(domainEvent);
        owners.push(sequence);
      }
    } catch (error) {
      logger.error('Stream record could not be read as events', { eventID: record.eventID, error });
      unreadable = sequence;
      break;
    }
  }
  const outcome = events.length ? await publishOrFail(events) : { published: 0 };
  const failedAt = owners[outcome.published] ?? unreadable;
  if (outcome.published > 0) logger.info('Events published', { published: outcome.published });
  if (failedAt === undefined) return { batchItemFailures: [] };
  if (outcome.failure) logger.warn('EventBridge refused an event; its record is retried', { failure: outcome.failure });
  return { batchItemFailures: [{ itemIdentifier: failedAt }] };
}

async function publishOrFail(events: DomainEvent[]) {
  try {
    return await bus.publish(events);
  } catch (error) {
    logger.warn('Publishing events failed; the batch is retried', { error });
    return { published: 0, failure: error instanceof Error ? error.name : 'PutEventsFailed' };
  }
}
