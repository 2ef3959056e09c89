/**
 * Declaration against behaviour, on DynamoDB Local: every route and consumer is driven through
 * its paths while each DynamoDB request it sends is recorded and translated into the IAM grants
 * it needs. No request may need more than the function declares (the deployed role would refuse
 * it), and every declared grant must be used by some path (the deployed role would otherwise be
 * wider than the code).
 */

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageRejected, SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { EventBridgeEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { tableGrantsOf } from '../../functions/access';
import { consumers } from '../../functions/consumers';
import type { SesFeedbackDetail } from '../../functions/email/feedback';
import { type Route, routes } from '../../functions/routes';
import { invitationPartition, workspacePartition } from '../../functions/store/keys';
import { TABLE } from '../../functions/store/table-definition';
import { invitationEmailFilterPatterns, matchesFilterPatterns } from '../../functions/stream/filters';
import { grantsNeededBy } from '../../local/declared-access';
import { api, lambdaContext, user } from '../support/api';
import { accessRecord, runAs } from '../support/declared-access';
import { backdateLastSend, recordOf } from '../support/email-records';
import { addMember, createWorkspace, invite } from '../support/fixtures';
import { testLinkTokens } from '../support/link-key';
import { publish, startTestBus } from '../support/published-events';
import { deliverToNameSync } from '../support/service-events';
import { StreamReader } from '../support/stream';
import { asBeforeCountsMoved } from '../support/table';

vi.hoisted(() => {
  process.env.ACCEPT_URL = 'http://localhost:3000/accept';
  process.env.SES_FROM_ADDRESS = 'invitations@example.com';
  delete process.env.SES_CONFIGURATION_SET;
  delete process.env.SES_ENDPOINT;
});

const ses = mockClient(SESv2Client);
const stream = new StreamReader();
afterAll(() => stream.destroy());

const expectStatus = (response: { status: number; raw: string }, status: number) =>
  expect(response.status, response.raw).toBe(status);

describe('what each function does with the table, against what it declares', () => {
  beforeAll(async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'message-1' });
    const owner = user('owner');
    const workspaceId = await createWorkspace(owner, { name: 'Before' });
    const admin = await addMember(owner, workspaceId, 'ADMIN', 'admin');
    const member = await addMember(admin, workspaceId, 'MEMBER', 'member');

    expectStatus(await api.get('/api/workspaces', { as: owner }), 200);
    expectStatus(await api.get(`/api/workspaces/${workspaceId}`, { as: admin }), 200);
    expectStatus(await api.patch(`/api/workspaces/${workspaceId}`, { as: owner, body: { name: 'After' } }), 200);
    expectStatus(await api.get(`/api/workspaces/${workspaceId}/members`, { as: member }), 200);

    const invitee = user('invitee');
    // A workspace stored before its counts moved onto its item is recounted first.
    await asBeforeCountsMoved(workspaceId);
    const sent = await invite(admin, workspaceId, invitee.email as string);
    expectStatus(await api.get('/api/invitations', { as: admin }), 200);
    expectStatus(await api.get(`/api/invitations?email=${invitee.email}`, { as: invitee }), 200);
    expectStatus(await api.get(`/api/workspaces/${workspaceId}/invitations?status=PENDING`, { as: member }), 200);
    expectStatus(await api.get(`/api/invitations/${sent}`, { as: owner }), 200);
    await backdateLastSend(sent);
    expectStatus(await api.post(`/api/invitations/${sent}/resend`, { as: owner }), 202);
    // A refused invitation writes nothing: its email allowance is counted inside its transaction.
    expectStatus(
      await api.post(`/api/workspaces/${workspaceId}/invitations`, {
        as: admin,
        body: { email: invitee.email },
      }),
      409,
    );

    const token = testLinkTokens.mint(sent, 1);
    expectStatus(await api.get(`/api/invitation-tokens/${token}`), 200);
    await asBeforeCountsMoved(workspaceId);
    expectStatus(await api.post(`/api/invitation-tokens/${token}/accept`, { as: invitee }), 200);
    expectStatus(await api.put(`/api/invitations/${sent}/revoked`, { as: owner }), 200);
    expectStatus(await api.delete(`/api/invitations/${sent}`, { as: owner }), 204);

    const decliner = user('decliner');
    const declined = await invite(owner, workspaceId, decliner.email as string);
    // Someone else than the invitee: their role decides between 403 and 404.
    expectStatus(await api.patch(`/api/invitations/${declined}`, { as: member }), 404);
    expectStatus(await api.put(`/api/invitations/${declined}/declined`, { as: member }), 404);
    expectStatus(await api.put(`/api/invitations/${declined}/declined`, { as: decliner }), 200);
    const leaver = user('second-owner');
    const joining = await invite(owner, workspaceId, leaver.email as string, 'OWNER');
    await asBeforeCountsMoved(workspaceId);
    expectStatus(await api.patch(`/api/invitations/${joining}`, { as: leaver }), 200);
    // Left pending by the leaver: the name sync withdraws it (reading it in a batch).
    await invite(leaver, workspaceId, user('left-behind').email as string);
    expectStatus(
      await api.delete(`/api/workspaces/${workspaceId}/members/${encodeURIComponent(leaver.sub)}`, {
        as: owner,
      }),
      204,
    );
    expectStatus(await api.get('/api/openapi.json'), 200);

    await emailSender(await invite(owner, workspaceId, user('emailed').email as string));
    await nameSync(workspaceId);
    await feedback(sent);
    // A send SES refuses for good, then the operator's re-drive and a scheduled sweep.
    ses.reset();
    ses
      .on(SendEmailCommand)
      .rejectsOnce(new MessageRejected({ message: 'Illegal address', $metadata: {} }))
      .resolves({ MessageId: 'message-2' });
    await emailSender(await invite(owner, workspaceId, user('refused').email as string));
    await emailSweep();
    const expiring = await invite(owner, workspaceId, user('expiring').email as string);
    await expirySweep(expiring);
    await publishEvents(expiring, sent);
  }, 60_000);

  it('sends no request beyond any function’s declaration', () => {
    expect(accessRecord.denied).toEqual([]);
  });

  for (const fn of [...(routes as readonly Route[]), ...consumers]) {
    it(`${fn.handler}: uses exactly the grants it declares`, () => {
      const used = [...(accessRecord.used.get(fn.handler) ?? [])].sort();
      const declared = [...tableGrantsOf(fn.table), ...(fn.events ?? []).map((action) => `events:${action}`)];
      expect(used).toEqual(declared.sort());
    });
  }
});

describe('how requests translate into grants', () => {
  it('authorizes a transaction item by item, a batch per table and a query per index', () => {
    expect(
      grantsNeededBy('TransactWriteItemsCommand', {
        TransactItems: [
          { Put: { TableName: 't' } },
          { Update: { TableName: 't' } },
          { Delete: { TableName: 't' } },
          { ConditionCheck: { TableName: 'other' } },
        ],
      }),
    ).toEqual([
      { table: 't', grant: 'PutItem' },
      { table: 't', grant: 'UpdateItem' },
      { table: 't', grant: 'DeleteItem' },
      { table: 'other', grant: 'ConditionCheckItem' },
    ]);
    expect(grantsNeededBy('BatchGetItemCommand', { RequestItems: { t: {}, u: {} } })).toEqual([
      { table: 't', grant: 'BatchGetItem' },
      { table: 'u', grant: 'BatchGetItem' },
    ]);
    expect(grantsNeededBy('QueryCommand', { TableName: 't', IndexName: TABLE.indexes.byWorkspace.name })).toEqual([
      { table: 't', grant: 'Query@byWorkspace' },
    ]);
    expect(grantsNeededBy('QueryCommand', { TableName: 't' })).toEqual([{ table: 't', grant: 'Query' }]);
    expect(grantsNeededBy('ScanCommand', { TableName: 't' })).toEqual([{ table: 't', grant: 'Scan' }]);
    expect(grantsNeededBy('PutEventsCommand', { Entries: [{ EventBusName: 'b' }, { EventBusName: 'b' }, {}] })).toEqual(
      [
        { bus: 'b', grant: 'PutEvents' },
        { bus: 'default', grant: 'PutEvents' },
      ],
    );
  });

  it('refuses, as IAM would, a request beyond the declaration', async () => {
    const { dynamo, tableName } = await import('../../functions/store/client');
    const { ScanCommand } = await import('@aws-sdk/lib-dynamodb');
    const denied = accessRecord.denied.length;
    await expect(
      runAs('get-invitation', () => dynamo.send(new ScanCommand({ TableName: tableName, Limit: 1 }))),
    ).rejects.toMatchObject({ name: 'AccessDeniedException', message: expect.stringContaining('dynamodb:Scan') });
    expect(accessRecord.denied.slice(denied)).toEqual([
      { handler: 'get-invitation', needed: [{ table: tableName, grant: 'Scan' }] },
    ]);
    accessRecord.denied.splice(denied);
  });
});

async function emailSender(invitationId: string) {
  const record = await recordOf(invitationId);
  expect(matchesFilterPatterns(record, invitationEmailFilterPatterns)).toBe(true);
  const { handler } = await import('../../functions/send-invitation-emails');
  const result = await runAs('send-invitation-emails', () =>
    handler({ Records: [record] }, lambdaContext('send-invitation-emails')),
  );
  expect(result).toEqual({ batchItemFailures: [] });
}

/** A week and a day later, the expiry sweep finds the invitation past its expiry and records it. */
async function expirySweep(invitationId: string) {
  const { handler } = await import('../../functions/sweep-expired-invitations');
  vi.useFakeTimers({ toFake: ['Date'] });
  try {
    vi.setSystemTime(Date.now() + 8 * 86_400_000);
    const report = await runAs('sweep-expired-invitations', () =>
      handler({}, lambdaContext('sweep-expired-invitations')),
    );
    expect(report.expired).toBeGreaterThanOrEqual(1);
  } finally {
    vi.useRealTimers();
  }
  expect((await recordOf(invitationId)).dynamodb?.NewImage?.expiryRecordedAt).toBeDefined();
}

/**
 * The records of one invitation's creation and expiry, and of another's deletion (whose removal
 * record the publisher reads), through the publisher, to a bus of this test's own.
 */
async function publishEvents(invitationId: string, deletedId: string) {
  const bus = await startTestBus(join(mkdtempSync(join(tmpdir(), 'access-events-')), 'events.jsonl'));
  try {
    const records = await stream.readFor(invitationPartition(invitationId), (found) =>
      found.some((record) => record.dynamodb?.NewImage?.expiryRecordedAt !== undefined),
    );
    const deletion = await stream.read(
      (record) => record.eventName === 'REMOVE' && record.dynamodb?.Keys?.PK?.S === invitationPartition(deletedId),
    );
    expect(await publish([...records, ...deletion])).toEqual([]);
    expect(bus.events.map((event) => event['detail-type'])).toEqual([
      'invitation.created',
      'invitation.expired',
      'invitation.deleted',
    ]);
  } finally {
    await bus.stop();
  }
}

async function emailSweep() {
  const { handler } = await import('../../functions/sweep-invitation-emails');
  const redriven = await runAs('sweep-invitation-emails', () =>
    handler({ redrive: ['FAILED'] }, lambdaContext('sweep-invitation-emails')),
  );
  expect(redriven.requeued).toBeGreaterThanOrEqual(1);
  await runAs('sweep-invitation-emails', () => handler({}, lambdaContext('sweep-invitation-emails')));
}

async function nameSync(workspaceId: string) {
  const records = await stream.readFor(workspacePartition(workspaceId), (found) =>
    found.some((r) => r.dynamodb?.NewImage?.name?.S === 'After'),
  );
  expect(await deliverToNameSync(records)).toBeGreaterThanOrEqual(1);
}

async function feedback(invitationId: string) {
  const { handler } = await import('../../functions/record-email-feedback');
  const event = {
    version: '0',
    id: crypto.randomUUID(),
    'detail-type': 'Email Bounced',
    source: 'aws.ses',
    account: '123456789012',
    time: new Date().toISOString(),
    region: 'eu-west-1',
    resources: [],
    detail: {
      eventType: 'Bounce',
      mail: {
        messageId: 'message-1',
        tags: { 'ses:configuration-set': ['invitations'], invitation: [invitationId], send: ['1'] },
      },
      bounce: { bounceType: 'Permanent', bounceSubType: 'General' },
    },
  } as EventBridgeEvent<string, SesFeedbackDetail>;
  await runAs('record-email-feedback', () => handler(event, lambdaContext('record-email-feedback')));
}
