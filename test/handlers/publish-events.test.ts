/**
 * The publisher's failure semantics with a mocked EventBridge: events go out in stream order; at
 * the first record whose event EventBridge refuses, or when PutEvents fails, that record is
 * reported so the mapping retries from it; a retried record publishes the same event ids.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { BatchGetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { keys } from '../../functions/store/keys';
import { lambdaContext } from '../support/api';
import { STORED_AT, storedBob, storedWorkspace } from '../support/stored-items';

const eventBridge = mockClient(EventBridgeClient);
const dynamo = mockClient(DynamoDBDocumentClient);
afterEach(() => {
  eventBridge.reset();
  dynamo.reset();
});

const workspaceRecord = (n: number): DynamoDBRecord => {
  const image = storedWorkspace(`00000000-0000-4000-8000-00000000000${n}`, `Workspace ${n}`);
  return {
    eventID: `record-${n}`,
    eventName: 'INSERT',
    dynamodb: {
      NewImage: marshall(image) as never,
      SequenceNumber: `${100 + n}`,
      ApproximateCreationDateTime: 1_772_359_200,
    },
  };
};

const publish = async (records: DynamoDBRecord[]) => {
  const { handler } = await import('../../functions/publish-events');
  return handler({ Records: records }, lambdaContext('publish-events'));
};
const sentDetails = () =>
  eventBridge
    .commandCalls(PutEventsCommand)
    .flatMap((call) => call.args[0].input.Entries ?? [])
    .map((entry) => JSON.parse(entry.Detail as string) as { eventId: string; sequence: string });

describe('the event publisher', () => {
  it('publishes every record in order, in one PutEvents per batch, and reports nothing', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'a' }, { EventId: 'b' }] });
    expect(await publish([workspaceRecord(1), workspaceRecord(2)])).toEqual({ batchItemFailures: [] });
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(1);
    const [entry] = eventBridge.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries ?? [];
    expect(entry).toMatchObject({
      EventBusName: 'invitations-test',
      Source: 'invitations',
      DetailType: 'workspace.created',
    });
    expect(sentDetails().map((detail) => detail.sequence)).toEqual(['101', '102']);
  });

  it('reports the first record whose event EventBridge refused, so the mapping retries from it', async () => {
    eventBridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ EventId: 'a' }, { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }, { EventId: 'c' }],
    });
    const result = await publish([workspaceRecord(1), workspaceRecord(2), workspaceRecord(3)]);
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: '102' }] });
  });

  it('reports the first record when PutEvents fails, and a retry publishes the same event ids', async () => {
    eventBridge
      .on(PutEventsCommand)
      .rejectsOnce(new Error('socket hang up'))
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'a' }] });
    const records = [workspaceRecord(1)];
    expect(await publish(records)).toEqual({ batchItemFailures: [{ itemIdentifier: '101' }] });
    expect(await publish(records)).toEqual({ batchItemFailures: [] });
    const [first, retried] = sentDetails();
    expect(retried?.eventId).toBe(first?.eventId);
    expect(first?.eventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  describe('a deletion', () => {
    const workspaceId = '00000000-0000-4000-8000-000000000001';
    const joinedAt = STORED_AT;
    const removedMember: DynamoDBRecord = {
      eventID: 'record-removed',
      eventName: 'REMOVE',
      dynamodb: {
        OldImage: marshall(storedBob(workspaceId, joinedAt)) as never,
        SequenceNumber: '201',
        ApproximateCreationDateTime: 1_772_359_200,
      },
    };
    const removalKey = keys.memberRemoval(workspaceId, 'user|bob', joinedAt);

    it('names the actor its removal record names, read once, consistently, for the batch', async () => {
      dynamo.on(BatchGetCommand).resolves({
        Responses: {
          'invitations-test': [
            { ...removalKey, entity: 'Removal', removedBy: 'user|alice', removedAt: '2026-03-02T10:00:00.000Z' },
          ],
        },
      });
      eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'a' }, { EventId: 'b' }] });
      expect(await publish([workspaceRecord(1), removedMember])).toEqual({ batchItemFailures: [] });
      expect(dynamo).toHaveReceivedCommandTimes(BatchGetCommand, 1);
      expect(dynamo).toHaveReceivedCommandWith(BatchGetCommand, {
        RequestItems: { 'invitations-test': { Keys: [removalKey], ConsistentRead: true } },
      });
      const removed = eventBridge.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[1];
      expect(removed?.DetailType).toBe('member.removed');
      expect(JSON.parse(removed?.Detail as string)).toMatchObject({
        actor: { userId: 'user|alice' },
        time: '2026-03-02T10:00:00.000Z',
      });
    });

    it('is retried from the batch’s first record, publishing nothing, when its removal record cannot be read', async () => {
      dynamo.on(BatchGetCommand).rejects(new Error('ProvisionedThroughputExceededException'));
      expect(await publish([workspaceRecord(1), removedMember])).toEqual({
        batchItemFailures: [{ itemIdentifier: '101' }],
      });
      expect(eventBridge).not.toHaveReceivedCommand(PutEventsCommand);
    });

    it('reads nothing for a batch without deletions', async () => {
      eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'a' }] });
      expect(await publish([workspaceRecord(1)])).toEqual({ batchItemFailures: [] });
      expect(dynamo).not.toHaveReceivedCommand(BatchGetCommand);
    });
  });
});
