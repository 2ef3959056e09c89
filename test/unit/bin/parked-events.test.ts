/**
 * The replay of parked events (bin/parked-events.ts, `npm run replay-events`) with SQS, the
 * table's stream and EventBridge mocked: a parked stream batch is read again from the stream and
 * published with the ids the publisher gave its events, actors of deletions included; a parked
 * webhook event is published again unchanged; a message is deleted only once all its events are
 * on the bus, and one that cannot be replayed stays in the queue, with its reason.
 */
import {
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamsRecord,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ReplayOptions, replayParked } from '../../../bin/parked-events';
import type { Removal } from '../../../functions/domain/events';
import { EventBus } from '../../../functions/events/bus';
import { eventIdOf } from '../../../functions/events/records';
import type { Key } from '../../../functions/store/dynamo/table';
import { keys } from '../../../functions/store/keys';
import { removalId } from '../../../functions/store/removal-store';
import { STORED_AT, storedBob, storedWorkspace } from '../../support/stored-items';

const sqs = mockClient(SQSClient);
const streams = mockClient(DynamoDBStreamsClient);
const eventBridge = mockClient(EventBridgeClient);
afterEach(() => {
  sqs.reset();
  streams.reset();
  eventBridge.reset();
});

const STREAM_ARN = 'arn:aws:dynamodb:eu-west-1:123456789012:table/invitations/stream/2026-03-01T00:00:00.000';
const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/event-failures';
const workspaceId = '00000000-0000-4000-8000-0000000000c1';
const joinedAt = STORED_AT;

const workspaceImage = storedWorkspace(workspaceId, 'Replayed');
const memberImage = storedBob(workspaceId, joinedAt);

const streamRecord = (
  sequence: string,
  eventName: 'INSERT' | 'REMOVE',
  image: Record<string, unknown>,
): StreamsRecord => ({
  eventID: `event-${sequence}`,
  eventName,
  eventSource: 'aws:dynamodb',
  dynamodb: {
    ApproximateCreationDateTime: new Date('2026-03-02T10:00:00.000Z'),
    Keys: marshall({ PK: image.PK, SK: image.SK }),
    ...(eventName === 'REMOVE' ? { OldImage: marshall(image) } : { NewImage: marshall(image) }),
    SequenceNumber: sequence,
    StreamViewType: 'NEW_AND_OLD_IMAGES',
  },
});

/** What Lambda's on-failure destination parks for a stream batch. */
const parkedBatch = (start: string, end: string) =>
  JSON.stringify({
    requestContext: { condition: 'RetryAttemptsExhausted', approximateInvokeCount: 11 },
    version: '1.0',
    timestamp: '2026-03-02T16:00:00.000Z',
    DDBStreamBatchInfo: {
      shardId: 'shardId-0001',
      startSequenceNumber: start,
      endSequenceNumber: end,
      batchSize: 3,
      streamArn: STREAM_ARN,
    },
  });

/** What the webhook rule's dead-letter queue holds: the EventBridge event itself. */
const parkedWebhookEvent = {
  version: '0',
  id: 'c0ffee00-0000-4000-8000-000000000001',
  'detail-type': 'invitation.accepted',
  source: 'invitations',
  account: '123456789012',
  time: '2026-03-02T10:00:00Z',
  region: 'eu-west-1',
  resources: [],
  detail: {
    eventId: '5b1f0e2c-6a57-8c1e-9d4e-0c3b2a19f7d4',
    time: '2026-03-02T10:00:00.000Z',
    sequence: '4900',
    workspaceId,
    actor: { userId: 'user|bob' },
    invitation: { id: '00000000-0000-4000-8000-0000000000c2', status: 'ACCEPTED' },
  },
};

const removal: Removal = { at: '2026-03-02T09:59:59.000Z', by: 'user|alice' };
const removalKey = keys.memberRemoval(workspaceId, 'user|bob', joinedAt);
const removals = {
  asked: [] as Key[][],
  async find(wanted: readonly Key[]) {
    this.asked.push([...wanted]);
    return new Map(
      wanted.filter((key) => removalId(key) === removalId(removalKey)).map((key) => [removalId(key), removal]),
    );
  },
};
beforeEach(() => {
  removals.asked = [];
  // EventBridge accepts every entry, unless a test says otherwise.
  eventBridge.on(PutEventsCommand).callsFake((input: { Entries?: unknown[] }) => ({
    FailedEntryCount: 0,
    Entries: (input.Entries ?? []).map((_, n) => ({ EventId: `eb-${n}` })),
  }));
});

const clients = () => ({
  sqs: new SQSClient({ region: 'eu-west-1' }),
  streams: new DynamoDBStreamsClient({ region: 'eu-west-1' }),
  bus: new EventBus(new EventBridgeClient({ region: 'eu-west-1' }), 'product-events', 'invitations'),
  removals,
});
const options: ReplayOptions = { queueUrl: QUEUE, source: 'invitations' };

function queueHolds(...bodies: string[]) {
  sqs
    .on(ReceiveMessageCommand)
    .resolvesOnce({
      Messages: bodies.map((Body, n) => ({ MessageId: `message-${n}`, ReceiptHandle: `receipt-${n}`, Body })),
    })
    .resolves({ Messages: [] });
  sqs.on(DeleteMessageCommand).resolves({});
}

const published = () =>
  eventBridge.commandCalls(PutEventsCommand).flatMap((call) =>
    (call.args[0].input.Entries ?? []).map((entry) => ({
      bus: entry.EventBusName,
      source: entry.Source,
      type: entry.DetailType,
      detail: JSON.parse(entry.Detail as string) as Record<string, unknown>,
    })),
  );
const deleted = () => sqs.commandCalls(DeleteMessageCommand).map((call) => call.args[0].input.ReceiptHandle);

describe('replaying a parked stream batch', () => {
  const records = [
    streamRecord('100', 'INSERT', workspaceImage),
    streamRecord('101', 'REMOVE', memberImage),
    // Bookkeeping the publisher's filter keeps out, inside the range; then a record past its end.
    streamRecord('102', 'INSERT', { ...keys.workspaceCounts(workspaceId), entity: 'WorkspaceCounts' }),
    streamRecord('103', 'INSERT', { ...workspaceImage, ...keys.workspace('other') }),
  ];

  beforeEach(() => {
    streams.on(GetShardIteratorCommand).resolves({ ShardIterator: 'iterator-1' });
    streams
      .on(GetRecordsCommand, { ShardIterator: 'iterator-1' })
      .resolves({ Records: records.slice(0, 2), NextShardIterator: 'iterator-2' });
    streams
      .on(GetRecordsCommand, { ShardIterator: 'iterator-2' })
      .resolves({ Records: records.slice(2), NextShardIterator: 'iterator-3' });
  });

  it('publishes its events in stream order with the ids the publisher gave them, the deletion’s actor included, then deletes the message', async () => {
    queueHolds(parkedBatch('100', '102'));
    const report = await replayParked(clients(), options);

    expect(streams).toHaveReceivedCommandWith(GetShardIteratorCommand, {
      StreamArn: STREAM_ARN,
      ShardId: 'shardId-0001',
      ShardIteratorType: 'AT_SEQUENCE_NUMBER',
      SequenceNumber: '100',
    });
    const ids = [
      eventIdOf({ eventID: 'event-100' }, 'workspace.created'),
      eventIdOf({ eventID: 'event-101' }, 'member.removed'),
    ];
    expect(published().map(({ type, detail, bus, source }) => [bus, source, type, detail.eventId])).toEqual([
      ['product-events', 'invitations', 'workspace.created', ids[0]],
      ['product-events', 'invitations', 'member.removed', ids[1]],
    ]);
    expect(published()[1]?.detail).toMatchObject({ actor: { userId: 'user|alice' }, time: removal.at });
    expect(removals.asked).toEqual([[removalKey]]);
    expect(deleted()).toEqual(['receipt-0']);
    expect(report).toEqual({ messages: 1, replayed: 1, events: 2, eventIds: ids, left: [] });
  });

  it('publishes the same ids when replayed twice', async () => {
    queueHolds(parkedBatch('100', '102'));
    const first = await replayParked(clients(), options);
    sqs.reset();
    queueHolds(parkedBatch('100', '102'));
    const second = await replayParked(clients(), options);
    expect(second.eventIds).toEqual(first.eventIds);
  });

  it('in a dry run, rebuilds the events but publishes nothing and deletes nothing', async () => {
    queueHolds(parkedBatch('100', '102'));
    const report = await replayParked(clients(), { ...options, dryRun: true });
    expect(report).toMatchObject({ messages: 1, replayed: 1, events: 2, left: [] });
    expect(eventBridge).not.toHaveReceivedCommand(PutEventsCommand);
    expect(deleted()).toEqual([]);
  });

  it('leaves the message when EventBridge refuses an event, and says so', async () => {
    queueHolds(parkedBatch('100', '102'));
    eventBridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ EventId: 'eb-1' }, { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }],
    });
    const report = await replayParked(clients(), options);
    expect(report.left).toEqual([{ messageId: 'message-0', reason: 'EventBridge refused an event: InternalFailure' }]);
    expect(report.replayed).toBe(0);
    expect(deleted()).toEqual([]);
  });
});

describe('what cannot be replayed stays in the queue', () => {
  it('a batch the stream no longer holds (past its 24 hours)', async () => {
    queueHolds(parkedBatch('100', '102'));
    streams.on(GetShardIteratorCommand).rejects(new TrimmedDataAccessException({ message: 'trimmed', $metadata: {} }));
    const report = await replayParked(clients(), options);
    expect(report.left).toEqual([
      {
        messageId: 'message-0',
        reason: 'the stream no longer holds these records (it keeps them 24 hours): TrimmedDataAccessException',
      },
    ]);
    expect(eventBridge).not.toHaveReceivedCommand(PutEventsCommand);
    expect(deleted()).toEqual([]);
  });

  it('a message of another kind, or an event of another source', async () => {
    queueHolds(
      'not json',
      JSON.stringify({ hello: 'world' }),
      JSON.stringify({ ...parkedWebhookEvent, source: 'acme' }),
    );
    const report = await replayParked(clients(), options);
    expect(report.left.map((left) => left.reason)).toEqual([
      'neither a parked stream batch nor a parked event',
      'neither a parked stream batch nor a parked event',
      'an event of source acme, not invitations',
    ]);
    expect(eventBridge).not.toHaveReceivedCommand(PutEventsCommand);
    expect(deleted()).toEqual([]);
  });
});

describe('replaying a parked webhook event', () => {
  it('publishes its detail again unchanged, under its type, then deletes the message', async () => {
    queueHolds(JSON.stringify(parkedWebhookEvent));
    const report = await replayParked(clients(), options);
    expect(published()).toEqual([
      { bus: 'product-events', source: 'invitations', type: 'invitation.accepted', detail: parkedWebhookEvent.detail },
    ]);
    expect(deleted()).toEqual(['receipt-0']);
    expect(report).toEqual({
      messages: 1,
      replayed: 1,
      events: 1,
      eventIds: [parkedWebhookEvent.detail.eventId],
      left: [],
    });
  });

  it('stops at a message it has seen before, and at the limit it is given', async () => {
    const body = JSON.stringify(parkedWebhookEvent);
    sqs.on(ReceiveMessageCommand).resolves({ Messages: [{ MessageId: 'again', ReceiptHandle: 'r', Body: body }] });
    sqs.on(DeleteMessageCommand).resolves({});
    expect((await replayParked(clients(), options)).messages).toBe(1);
    sqs.reset();
    queueHolds(body, body, body);
    expect((await replayParked(clients(), { ...options, maxMessages: 2 })).messages).toBe(2);
  });
});
