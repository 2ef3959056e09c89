/**
 * The local mailbox simulator against a real SES emulator and DynamoDB Local: which emails it
 * takes up, the EventBridge events it builds, how it recovers the tags, retries and stopping.
 */
import { randomUUID } from 'node:crypto';
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { keys } from '../../functions/store/keys';
import { ensureTable, freePort, LOCAL_CREDENTIALS, localDynamoClient } from '../../local/dynamodb-local';
import { type RunningSes, startSesEmulator } from '../../local/ses-emulator';
import {
  type FeedbackEvent,
  type FeedbackHandler,
  loadFeedbackHandler,
  MailboxSimulator,
  type MailboxSimulatorOptions,
  simulatedOutcomes,
  tableMessageLookup,
} from '../../local/ses-feedback';
import { attributeKey } from '../support/attribute-key';
import { dynamoEndpoint } from '../support/dynamodb-local';
import { waitFor } from '../support/wait-for';

const dynamo = localDynamoClient(dynamoEndpoint());
const tableName = `ses-feedback-${Math.random().toString(36).slice(2, 10)}`;
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
let ses: RunningSes;
let mailer: SESv2Client;

beforeAll(async () => {
  const [emulator] = await Promise.all([startSesEmulator({ port: await freePort() }), ensureTable(dynamo, tableName)]);
  ses = emulator;
  mailer = new SESv2Client({ endpoint: ses.endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
});

afterAll(async () => {
  mailer?.destroy();
  await ses?.stop();
  dynamo.destroy();
});

beforeEach(async () => {
  await fetch(`${ses.endpoint}/clear-store`, { method: 'POST' });
});

/** Sends an email through the emulator, as the email sender does; returns its message id. */
async function send(to: string[], from = 'Invitations <invitations@example.com>'): Promise<string> {
  const { MessageId } = await mailer.send(
    new SendEmailCommand({
      FromEmailAddress: from,
      Destination: { ToAddresses: to },
      Content: { Simple: { Subject: { Data: 'You are invited' }, Body: { Text: { Data: 'Hello' } } } },
      ConfigurationSetName: 'invitations-local',
      EmailTags: [{ Name: 'invitation', Value: 'ignored-by-the-emulator' }],
    }),
  );
  return MessageId as string;
}

/** Records a send of an invitation as the email sender does once SES accepted it. */
async function recordSent(messageId: string, sendNumber = 1, table = tableName): Promise<string> {
  const invitationId = randomUUID();
  await dynamo.send(
    new PutItemCommand({
      TableName: table,
      Item: {
        ...attributeKey(keys.invitation(invitationId)),
        entity: { S: 'Invitation' },
        id: { S: invitationId },
        status: { S: 'PENDING' },
        delivery: {
          M: {
            status: { S: 'SENT' },
            sendNumber: { N: String(sendNumber) },
            messageId: { S: messageId },
            requestedAt: { S: new Date().toISOString() },
            updatedAt: { S: new Date().toISOString() },
          },
        },
      },
    }),
  );
  return invitationId;
}

function recorder() {
  const calls: Array<{ event: FeedbackEvent; context: Context }> = [];
  const handler: FeedbackHandler = async (event, context) => {
    calls.push({ event, context });
  };
  return { calls, handler };
}

function simulator(handler: FeedbackHandler, overrides: Partial<MailboxSimulatorOptions> = {}) {
  const logs: string[] = [];
  const subject = new MailboxSimulator({
    sesEndpoint: ses.endpoint,
    handler,
    findSentMessage: tableMessageLookup(dynamo, tableName),
    functionName: 'invitations-local-record-email-feedback',
    retryBaseDelayMs: 10,
    pollIntervalMs: 20,
    sendLookupTimeoutMs: 2_000,
    log: (message) => logs.push(message),
    ...overrides,
  });
  return { subject, logs };
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('which emails the mailbox simulator answers', () => {
  it('bounces mail to bounce@ and complains about mail to complaint@, labels included, and ignores the rest', () => {
    const to = (...addresses: string[]) => ({ destination: { to: addresses } });
    expect(simulatedOutcomes(to('someone@example.com'))).toEqual([]);
    expect(simulatedOutcomes(to('bounce@example.com', 'success@simulator.amazonses.com'))).toEqual([]);
    expect(simulatedOutcomes(to('bounce@simulator.amazonses.com'))).toEqual([
      { kind: 'bounce', recipients: ['bounce@simulator.amazonses.com'] },
    ]);
    expect(simulatedOutcomes(to('Someone <Complaint+e2e-1@Simulator.AmazonSES.com>'))).toEqual([
      { kind: 'complaint', recipients: ['Complaint+e2e-1@Simulator.AmazonSES.com'] },
    ]);
    expect(
      simulatedOutcomes({
        destination: {
          to: ['a@example.com'],
          cc: ['bounce+1@simulator.amazonses.com'],
          bcc: ['complaint@simulator.amazonses.com'],
        },
      }),
    ).toEqual([
      { kind: 'bounce', recipients: ['bounce+1@simulator.amazonses.com'] },
      { kind: 'complaint', recipients: ['complaint@simulator.amazonses.com'] },
    ]);
  });
});

describe('the mailbox simulator', () => {
  it('hands the handler the EventBridge event SES publishes for a bounce, with the tags of the send', async () => {
    const messageId = await send(['bounce@simulator.amazonses.com']);
    const invitationId = await recordSent(messageId, 3);
    const { calls, handler } = recorder();
    const { subject } = simulator(handler);

    await subject.pollOnce();
    await subject.settled();

    expect(calls).toHaveLength(1);
    const { event, context } = calls[0] as (typeof calls)[number];
    expect(event).toEqual({
      version: '0',
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      'detail-type': 'Email Bounced',
      source: 'aws.ses',
      account: '000000000000',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      region: 'us-east-1',
      resources: [],
      detail: {
        eventType: 'Bounce',
        bounce: {
          bounceType: 'Permanent',
          bounceSubType: 'General',
          bouncedRecipients: [
            {
              emailAddress: 'bounce@simulator.amazonses.com',
              action: 'failed',
              status: '5.1.1',
              diagnosticCode: 'smtp; 550 5.1.1 user unknown',
            },
          ],
          timestamp: expect.stringMatching(ISO_TIME),
          feedbackId: expect.any(String),
          reportingMTA: 'dns; amazonses.com',
        },
        mail: {
          timestamp: expect.stringMatching(ISO_TIME),
          source: 'invitations@example.com',
          sendingAccountId: '000000000000',
          messageId,
          destination: ['bounce@simulator.amazonses.com'],
          tags: {
            'ses:configuration-set': ['invitations-local'],
            invitation: [invitationId],
            send: ['3'],
          },
        },
      },
    });
    expect(Date.parse(event.time)).toBeLessThanOrEqual(Date.now());
    expect(context.functionName).toBe('invitations-local-record-email-feedback');
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(0);
  });

  it('hands over a complaint, and takes up each email once however often the store is read', async () => {
    const messageId = await send(['complaint+once@simulator.amazonses.com']);
    const invitationId = await recordSent(messageId);
    await send(['someone@example.com']);
    const { calls, handler } = recorder();
    const { subject } = simulator(handler);

    for (let i = 0; i < 3; i++) await subject.pollOnce();
    await subject.settled();

    expect(calls.map(({ event }) => event['detail-type'])).toEqual(['Email Complaint Received']);
    expect(calls[0]?.event.detail).toMatchObject({
      eventType: 'Complaint',
      complaint: {
        complainedRecipients: [{ emailAddress: 'complaint+once@simulator.amazonses.com' }],
        complaintFeedbackType: 'abuse',
      },
      mail: { messageId, tags: { invitation: [invitationId], send: ['1'] } },
    });

    // A later email is still seen: reading resumes from the last read's second, not after it.
    const later = await send(['bounce@simulator.amazonses.com']);
    await recordSent(later);
    await subject.pollOnce();
    await subject.settled();
    expect(calls.map(({ event }) => event.detail.mail?.messageId)).toEqual([messageId, later]);
  });

  it('waits for the send to be recorded, since the sender records the message id after SES accepted it', async () => {
    const messageId = await send(['bounce@simulator.amazonses.com']);
    const { calls, handler } = recorder();
    const lookUp = tableMessageLookup(dynamo, tableName);
    let notFound = 0;
    const { subject } = simulator(handler, {
      findSentMessage: async (id) => {
        const sent = await lookUp(id);
        if (!sent) notFound += 1;
        return sent;
      },
    });

    await subject.pollOnce();
    await waitFor(() => notFound >= 2, { what: 'the simulator to look the send up twice and not find it' });
    expect(calls).toEqual([]);
    const invitationId = await recordSent(messageId);
    await subject.settled();

    expect(calls.map(({ event }) => event.detail.mail?.tags?.invitation)).toEqual([[invitationId]]);
  });

  it('drops an email that no invitation records as sent, and says so without the address', async () => {
    const messageId = await send(['bounce@simulator.amazonses.com']);
    await recordSent(messageId, 1, await otherTable());
    const { calls, handler } = recorder();
    const { subject, logs } = simulator(handler, { sendLookupTimeoutMs: 100 });

    await subject.pollOnce();
    await subject.settled();

    expect(calls).toEqual([]);
    expect(logs).toEqual([expect.stringContaining(`no invitation records message ${messageId} as sent`)]);
    expect(logs.join('\n')).not.toContain('simulator.amazonses.com');
  });

  it('retries a failing invocation with the same event, a bounded number of times, then drops it', async () => {
    await recordSent(await send(['bounce@simulator.amazonses.com']));
    const events: FeedbackEvent[] = [];
    const times: number[] = [];
    const { subject, logs } = simulator(
      async (event) => {
        events.push(event);
        times.push(Date.now());
        throw new Error('SendNotYetRecorded');
      },
      { maxRetries: 3, retryBaseDelayMs: 40 },
    );

    await subject.pollOnce();
    await subject.settled();

    expect(events).toHaveLength(4);
    expect(new Set(events.map((event) => event.id)).size).toBe(1);
    const gaps = times.slice(1).map((time, i) => time - (times[i] as number));
    expect(gaps[0]).toBeGreaterThanOrEqual(35);
    expect(gaps[2]).toBeGreaterThanOrEqual(150);
    expect(logs.filter((line) => line.includes('retrying'))).toHaveLength(3);
    expect(logs.at(-1)).toMatch(/Email Bounced for message \S+ failed 4 times; dropped/);
  });

  it('stops delivering once a retry succeeds', async () => {
    await recordSent(await send(['complaint@simulator.amazonses.com']));
    let attempts = 0;
    const { subject, logs } = simulator(async () => {
      attempts += 1;
      if (attempts === 1) throw new Error('DynamoDB was unavailable');
    });

    await subject.pollOnce();
    await subject.settled();

    expect(attempts).toBe(2);
    expect(logs).toEqual([expect.stringContaining('failed; retrying')]);
  });

  it('runs until stopped, and a stop cuts a retry wait short', async () => {
    let attempts = 0;
    const { subject, logs } = simulator(
      async () => {
        attempts += 1;
        throw new Error('failing');
      },
      { retryBaseDelayMs: 60_000 },
    );
    subject.start();
    await recordSent(await send(['bounce@simulator.amazonses.com']));
    await until(() => attempts === 1);

    const started = Date.now();
    await subject.stop();

    expect(Date.now() - started).toBeLessThan(1_000);
    expect(attempts).toBe(1);
    expect(logs.at(-1)).toMatch(/not retried: stopping/);
  });
});

describe('with the feedback handler', () => {
  it('records the bounce and the complaint on the invitations', async () => {
    // The handler writes to the table of the test environment (TABLE_NAME), so the sends are recorded there.
    const testTable = process.env.TABLE_NAME as string;
    const bounced = await recordSent(await send(['bounce@simulator.amazonses.com']), 1, testTable);
    const complained = await recordSent(await send(['complaint@simulator.amazonses.com']), 1, testTable);
    const handler = await loadFeedbackHandler();
    expect(handler).toBeTypeOf('function');
    const { subject } = simulator(handler as FeedbackHandler, {
      findSentMessage: tableMessageLookup(dynamo, testTable),
    });

    await subject.pollOnce();
    await subject.settled();

    const delivery = async (invitationId: string) => {
      const { Item } = await dynamo.send(
        new GetItemCommand({
          TableName: testTable,
          Key: attributeKey(keys.invitation(invitationId)),
        }),
      );
      return { status: Item?.delivery?.M?.status?.S, failure: Item?.delivery?.M?.failure?.S };
    };
    expect(await delivery(bounced)).toEqual({ status: 'BOUNCED', failure: 'Bounce.General' });
    expect(await delivery(complained)).toEqual({ status: 'COMPLAINED', failure: 'Complaint.abuse' });
    expect(subject.invocations).toBe(2);
  });
});

describe('loading the feedback handler', () => {
  it('finds nothing to load when the checkout has no such handler', async () => {
    expect(await loadFeedbackHandler('no-such-handler')).toBeUndefined();
  });
});

async function otherTable(): Promise<string> {
  const name = `${tableName}-other`;
  await ensureTable(dynamo, name);
  return name;
}
