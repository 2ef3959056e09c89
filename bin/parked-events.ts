/**
 * Replays the events parked in a failure queue, with the ids they were first given, so that
 * consumers that deduplicate by `detail.eventId` see each change once however often it is
 * delivered. Two kinds of message are parked:
 *
 * - the event publisher's (EventFailures): Lambda's record of a stream batch it gave up on, its
 *   shard and range of sequence numbers. The records are read again from the table's stream
 *   (which keeps them 24 hours) and turned into events exactly as the publisher does
 *   (functions/events/records.ts: ids from each record's own id, actors of deletions from their
 *   removal records), then published on the bus in stream order;
 * - the webhook's (WebhookFailures): the EventBridge event itself, whose detail is published on
 *   the bus again unchanged. Every rule on the bus receives it again, the webhook's included;
 *   each deduplicates by its eventId.
 *
 * A message is deleted from its queue only once all its events were published; one that cannot
 * be replayed (records past the stream's 24 hours, a message of another kind) stays, and the
 * report says why. Publishing is at least once, like the publisher's.
 */
import {
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamsRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { DeleteMessageCommand, type Message, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBRecord } from 'aws-lambda';
import { EVENT_PUBLISHER } from '../functions/consumers';
import { EVENT_TYPES, type EventType } from '../functions/domain/events';
import type { EventBus } from '../functions/events/bus';
import {
  type DomainEvent,
  type EventDetail,
  eventsOfRecord,
  type RemovalReader,
  readRemovals,
} from '../functions/events/records';
import { matchesFilterPatterns } from '../functions/stream/filters';
import { toLambdaStreamRecord } from '../functions/stream/records';

export interface ReplayClients {
  sqs: SQSClient;
  streams: DynamoDBStreamsClient;
  bus: EventBus;
  removals: RemovalReader;
}

export interface ReplayOptions {
  queueUrl: string;
  /** The source the service publishes with: a parked event of another source is left in the queue. */
  source: string;
  /** Read and rebuild the events, publish nothing and delete no message. */
  dryRun?: boolean;
  /** Stop after this many messages. */
  maxMessages?: number;
  /** How long a received message stays invisible to others while it is replayed. */
  visibilitySeconds?: number;
}

export interface ReplayReport {
  /** Messages received. */
  messages: number;
  /** Messages whose events were all published (or, in a dry run, could be), and deleted. */
  replayed: number;
  /** Events published (or, in a dry run, that would be). */
  events: number;
  /** The ids of the events published, in order. */
  eventIds: string[];
  /** Messages left in the queue, and why. */
  left: { messageId: string; reason: string }[];
}

/** Lambda's record of a stream batch it gave up on (the on-failure destination's message). */
interface StreamBatchInfo {
  shardId: string;
  startSequenceNumber: string;
  endSequenceNumber: string;
  streamArn: string;
}

type Replayable = { kind: 'stream'; batch: StreamBatchInfo } | { kind: 'event'; event: DomainEvent; source: unknown };

export async function replayParked(clients: ReplayClients, options: ReplayOptions): Promise<ReplayReport> {
  const report: ReplayReport = { messages: 0, replayed: 0, events: 0, eventIds: [], left: [] };
  const seen = new Set<string>();
  const limit = options.maxMessages ?? Number.POSITIVE_INFINITY;
  while (report.messages < limit) {
    const { Messages = [] } = await clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: Math.min(10, limit - report.messages),
        VisibilityTimeout: options.visibilitySeconds ?? 300,
        WaitTimeSeconds: 1,
      }),
    );
    // A message seen before came back (its visibility ran out, or it was left): the queue is done.
    const fresh = Messages.filter((message) => message.MessageId && !seen.has(message.MessageId)).slice(
      0,
      limit - report.messages,
    );
    if (!fresh.length) break;
    for (const message of fresh) {
      seen.add(message.MessageId as string);
      report.messages += 1;
      await replayMessage(clients, options, message, report);
    }
  }
  return report;
}

async function replayMessage(clients: ReplayClients, options: ReplayOptions, message: Message, report: ReplayReport) {
  const messageId = message.MessageId as string;
  const parked = parse(message.Body);
  if (!parked) {
    report.left.push({ messageId, reason: 'neither a parked stream batch nor a parked event' });
    return;
  }
  let events: DomainEvent[];
  if (parked.kind === 'event') {
    if (parked.source !== options.source) {
      report.left.push({ messageId, reason: `an event of source ${String(parked.source)}, not ${options.source}` });
      return;
    }
    events = [parked.event];
  } else {
    const read = await readBatch(clients, parked.batch);
    if ('reason' in read) {
      report.left.push({ messageId, reason: read.reason });
      return;
    }
    const removals = await readRemovals(read.records, clients.removals);
    events = read.records.flatMap((record) => eventsOfRecord(record, removals.get(record)));
  }
  if (!options.dryRun && events.length) {
    const outcome = await clients.bus.publish(events);
    const published = events.slice(0, outcome.published);
    report.events += published.length;
    report.eventIds.push(...published.map((event) => event.detail.eventId));
    if (outcome.published < events.length) {
      report.left.push({ messageId, reason: `EventBridge refused an event: ${outcome.failure ?? 'unknown'}` });
      return;
    }
  } else {
    report.events += events.length;
    report.eventIds.push(...events.map((event) => event.detail.eventId));
  }
  if (!options.dryRun) {
    await clients.sqs.send(
      new DeleteMessageCommand({ QueueUrl: options.queueUrl, ReceiptHandle: message.ReceiptHandle }),
    );
  }
  report.replayed += 1;
}

function parse(body: string | undefined): Replayable | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body ?? '');
  } catch {
    return undefined;
  }
  if (!isObject(value)) return undefined;
  const batch = value.DDBStreamBatchInfo;
  if (
    isObject(batch) &&
    typeof batch.shardId === 'string' &&
    typeof batch.startSequenceNumber === 'string' &&
    typeof batch.endSequenceNumber === 'string' &&
    typeof batch.streamArn === 'string'
  ) {
    return { kind: 'stream', batch: batch as unknown as StreamBatchInfo };
  }
  const type = value['detail-type'];
  const detail = value.detail;
  if (
    typeof type === 'string' &&
    (EVENT_TYPES as readonly string[]).includes(type) &&
    isObject(detail) &&
    typeof detail.eventId === 'string' &&
    typeof detail.time === 'string'
  ) {
    return {
      kind: 'event',
      event: { type: type as EventType, detail: detail as unknown as EventDetail },
      source: value.source,
    };
  }
  return undefined;
}

/** Gives up on an open shard after this many empty pages: the range's end never came. */
const EMPTY_PAGES = 5;

/** The records of the batch's range, in stream order, that the publisher's filter lets through. */
async function readBatch(
  clients: ReplayClients,
  batch: StreamBatchInfo,
): Promise<{ records: DynamoDBRecord[] } | { reason: string }> {
  let iterator: string | undefined;
  try {
    ({ ShardIterator: iterator } = await clients.streams.send(
      new GetShardIteratorCommand({
        StreamArn: batch.streamArn,
        ShardId: batch.shardId,
        ShardIteratorType: 'AT_SEQUENCE_NUMBER',
        SequenceNumber: batch.startSequenceNumber,
      }),
    ));
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    if (name === 'TrimmedDataAccessException' || name === 'ResourceNotFoundException') {
      return { reason: `the stream no longer holds these records (it keeps them 24 hours): ${name}` };
    }
    throw error;
  }
  const end = BigInt(batch.endSequenceNumber);
  const found: StreamsRecord[] = [];
  let empty = 0;
  while (iterator) {
    const page = await clients.streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
    const records = page.Records ?? [];
    for (const record of records) {
      if (BigInt(record.dynamodb?.SequenceNumber ?? '0') > end) {
        return { records: asPublisherSees(found, batch.streamArn) };
      }
      found.push(record);
    }
    if (found.some((record) => BigInt(record.dynamodb?.SequenceNumber ?? '0') === end)) {
      return { records: asPublisherSees(found, batch.streamArn) };
    }
    empty = records.length ? 0 : empty + 1;
    if (empty >= EMPTY_PAGES) return { reason: 'the stream did not hand out the whole range; try again later' };
    iterator = page.NextShardIterator;
  }
  // The shard is closed: everything it held up to the range's end was read.
  return { records: asPublisherSees(found, batch.streamArn) };
}

function asPublisherSees(records: StreamsRecord[], streamArn: string): DynamoDBRecord[] {
  return records
    .map((record) => toLambdaStreamRecord(record, streamArn))
    .filter((record) => matchesFilterPatterns(record, EVENT_PUBLISHER.filterPatterns));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
