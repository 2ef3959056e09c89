/**
 * The declared access of publishers, as the local runner installs it: the real event publisher
 * puts its events on the local bus only while its declaration holds events:PutEvents, as IAM
 * lets it deployed; without the grant, or towards another bus, its PutEvents is refused with
 * an AccessDeniedException, the batch is reported for a retry, and nothing is published.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FunctionNeeds } from '../../functions/access';
import { EVENT_PUBLISHER } from '../../functions/consumers';
import { DeclaredAccess, declaredNeeds } from '../../local/declared-access';
import { LocalEventBus } from '../../local/event-bus';
import { lambdaContext } from '../support/api';
import { storedWorkspace } from '../support/stored-items';

const BUS = process.env.EVENT_BUS_NAME as string;
let bus: LocalEventBus;
beforeAll(async () => {
  bus = new LocalEventBus({
    eventsFile: join(mkdtempSync(join(tmpdir(), 'access-bus-')), 'events.jsonl'),
    destinations: [],
  });
  process.env.EVENTS_ENDPOINT = await bus.start();
});
afterAll(() => bus.stop());

const workspaceId = '00000000-0000-4000-8000-0000000000a1';
const created: DynamoDBRecord = {
  eventID: 'record-access-1',
  eventName: 'INSERT',
  dynamodb: {
    NewImage: marshall(storedWorkspace(workspaceId, 'Access')) as never,
    SequenceNumber: '700',
    ApproximateCreationDateTime: 1_772_359_200,
  },
};

/** The real publisher with its client held to `needs`, as the runner holds it; what it reported and what the bus got. */
async function publishHeldTo(needs: Map<string, FunctionNeeds>, busName = BUS) {
  const denied: string[] = [];
  const access = new DeclaredAccess({
    tableName: process.env.TABLE_NAME as string,
    busName,
    needs,
    onRequest: (handler, _needed, allowed) => {
      if (!allowed) denied.push(handler);
    },
  });
  const { eventBridge } = await import('../../functions/events/client');
  const { handler } = await import('../../functions/publish-events');
  const uninstall = access.install(eventBridge);
  const before = bus.events.length;
  try {
    const result = await access.run(EVENT_PUBLISHER.handler, () =>
      handler({ Records: [created] }, lambdaContext(EVENT_PUBLISHER.handler)),
    );
    return { result, denied, published: bus.events.slice(before) };
  } finally {
    uninstall();
  }
}

describe('a publisher held to its declaration', () => {
  it('publishes on the service bus with events:PutEvents declared', async () => {
    const { result, denied, published } = await publishHeldTo(declaredNeeds());
    expect(result).toEqual({ batchItemFailures: [] });
    expect(denied).toEqual([]);
    expect(published.map((event) => event['detail-type'])).toEqual(['workspace.created']);
  });

  it('is refused without the grant, reports the record for a retry and publishes nothing', async () => {
    const { events: _dropped, ...withoutGrant } = EVENT_PUBLISHER;
    const needs = new Map(declaredNeeds()).set(EVENT_PUBLISHER.handler, withoutGrant);
    const { result, denied, published } = await publishHeldTo(needs);
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: '700' }] });
    expect(denied).toEqual([EVENT_PUBLISHER.handler]);
    expect(published).toEqual([]);
  });

  it('is refused on a bus other than the service’s, as the grant names one bus', async () => {
    const { result, denied, published } = await publishHeldTo(declaredNeeds(), 'another-bus');
    expect(result.batchItemFailures).toHaveLength(1);
    expect(denied).toEqual([EVENT_PUBLISHER.handler]);
    expect(published).toEqual([]);
  });

  it('names the action and the bus in the refusal', async () => {
    const access = new DeclaredAccess({ tableName: process.env.TABLE_NAME as string, busName: BUS });
    const { eventBridge } = await import('../../functions/events/client');
    const uninstall = access.install(eventBridge);
    try {
      await expect(
        access.run('get-invitation', () =>
          eventBridge.send(
            new PutEventsCommand({
              Entries: [{ EventBusName: BUS, Source: 'invitations', DetailType: 'x', Detail: '{}' }],
            }),
          ),
        ),
      ).rejects.toMatchObject({
        name: 'AccessDeniedException',
        message: `get-invitation is not authorized to perform: events:PutEvents on event bus ${BUS} (not in its declaration)`,
      });
    } finally {
      uninstall();
    }
  });
});
