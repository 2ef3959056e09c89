/**
 * The table stream's event publisher: every change an embedding product cares about, as a domain
 * event on the service's EventBridge bus. Records are handled in stream order and published in
 * that order; at the first record whose events EventBridge refuses (or that cannot be read), the
 * handler stops and reports it, so the mapping retries from there, in order, and finally parks it.
 * A retried record yields the same event ids (functions/events/records.ts): delivery is at least
 * once, and consumers deduplicate by `eventId`. A deletion's record holds only the item as it
 * was, so the batch's removal records, written beside the deletions, are read first: they name
 * who deleted (the table's only read here).
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { Removal } from './domain/events';
import { EventBus } from './events/bus';
import { eventsConfig as config, eventBridge } from './events/client';
import { type DomainEvent, eventsOfRecord, readRemovals } from './events/records';
import { logger } from './platform/observability';
import { dynamo, tableName } from './store/client';
import { dynamoRemovals } from './store/stores';

const bus = new EventBus(eventBridge, config.EVENT_BUS_NAME, config.EVENT_SOURCE);
const removals = dynamoRemovals(dynamo, tableName);

export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse, Error, Context>({ timeoutEarlyInMillis: 0 })
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => publish(event));

async function publish(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  let removed: Map<DynamoDBRecord, Removal>;
  try {
    removed = await readRemovals(event.Records, removals);
  } catch (error) {
    logger.warn('Reading the removal records failed; the batch is retried', { error });
    const first = event.Records[0]?.dynamodb?.SequenceNumber;
    return { batchItemFailures: first === undefined ? [] : [{ itemIdentifier: first }] };
  }
  const owners: string[] = [];
  const events: DomainEvent[] = [];
  let unreadable: string | undefined;
  for (const record of event.Records) {
    const sequence = record.dynamodb?.SequenceNumber ?? '';
    try {
      for (const domainEvent of eventsOfRecord(record, removed.get(record))) {
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
