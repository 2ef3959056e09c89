/** Which handler each local stream poller feeds, with which filter, and where it keeps its files. */
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { EVENT_PUBLISHER, tableStreamConsumers } from '../../functions/consumers';
import { streamConsumerPaths } from '../../local/data-dir';
import { loadStreamWiring } from '../../local/stream-wiring';

// The email sender reads its configuration at import; the wiring imports it.
Object.assign(process.env, {
  ACCEPT_URL: 'http://localhost:3000/accept',
  SES_FROM_ADDRESS: 'invitations@example.com',
  SES_ENDPOINT: 'http://127.0.0.1:1',
  TOKEN_KEY_FILE: '/nonexistent/token-key',
});

type Image = NonNullable<NonNullable<DynamoDBRecord['dynamodb']>['NewImage']>;

const record = (eventName: DynamoDBRecord['eventName'], image: Image): DynamoDBRecord => ({
  eventID: '1',
  eventName,
  eventSource: 'aws:dynamodb',
  dynamodb: { NewImage: image, OldImage: image, SequenceNumber: '100', StreamViewType: 'NEW_AND_OLD_IMAGES' },
});
const queuedInvitation = record('INSERT', {
  entity: { S: 'Invitation' },
  status: { S: 'PENDING' },
  delivery: { M: { status: { S: 'QUEUED' } } },
});
const modifiedWorkspace = record('MODIFY', { entity: { S: 'Workspace' }, id: { S: 'w' }, name: { S: 'New' } });

describe('the stream wiring', () => {
  it('wires every stream handler to its own filter', async () => {
    const { wired, absent } = await loadStreamWiring();
    const expected = tableStreamConsumers.map(({ handler }) => handler);
    expect(wired.map(({ name }) => name)).toEqual(expected);
    expect(absent.map(({ handler }) => handler)).toEqual([]);

    // [a new invitation to email, a modified workspace]
    const lets: Record<string, boolean[]> = {
      'send-invitation-emails': [true, false],
      'publish-events': [true, true],
    };
    const accepted = wired.map((wiring) => [
      wiring.name,
      [wiring.accepts(queuedInvitation), wiring.accepts(modifiedWorkspace)],
    ]);
    expect(Object.fromEntries(accepted)).toEqual(lets);
    for (const wiring of wired) expect(wiring.handler, `handler of ${wiring.name}`).toBeTypeOf('function');
    // Batched and retried as its entry says, as its event-source mapping is.
    for (const wiring of wired) {
      const { batching } = tableStreamConsumers.find(({ handler }) => handler === wiring.name) ?? {};
      expect([wiring.batchSize, wiring.maxRetries, wiring.maxRecordAgeSeconds], `batching of ${wiring.name}`).toEqual([
        batching?.batchSize,
        batching?.retryAttempts,
        batching?.maxRecordAgeSeconds,
      ]);
    }
  });

  it('leaves out a consumer whose handler is not in this checkout, with what that turns off', async () => {
    const missing = { ...EVENT_PUBLISHER, handler: 'no-such-handler', whenAbsent: 'Nothing happens.' };
    const { wired, absent } = await loadStreamWiring([missing]);
    expect(wired).toEqual([]);
    expect(absent).toEqual([missing]);
  });
});

describe('the files of each stream consumer', () => {
  it('keep their names for the email sender, and are named after the handler for the others', () => {
    expect(streamConsumerPaths('/data', 'send-invitation-emails')).toEqual({
      position: '/data/stream-position.json',
      deadLetters: '/data/dead-letters.jsonl',
    });
    expect(streamConsumerPaths('/data', 'sync-workspace-names')).toEqual({
      position: '/data/sync-workspace-names.stream-position.json',
      deadLetters: '/data/sync-workspace-names.dead-letters.jsonl',
    });
  });
});
