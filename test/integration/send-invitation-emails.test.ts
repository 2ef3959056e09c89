/**
 * The stream handler with SES and Secrets Manager mocked and the table on DynamoDB Local, where
 * the conditional writes that make sending idempotent really run.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  MessageRejected,
  SESv2Client,
  SESv2ServiceException,
  SendEmailCommand,
  TooManyRequestsException,
} from '@aws-sdk/client-sesv2';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { LinkTokens } from '../../functions/domain/link-token';
import { handler } from '../../functions/send-invitation-emails';
import { api, type Identity, lambdaContext, user } from '../support/api';
import { recordDynamoCommands } from '../support/dynamo-requests';
import { backdateLastSend, holdSend, invitationItem, recordOf } from '../support/email-records';
import { createWorkspace, invite } from '../support/fixtures';

const EMAIL_STATE_PARTITION = TABLE.indexes.byEmailState.partitionKey;

import { emailStateKeys, keys } from '../../functions/store/keys';
import { TABLE } from '../../functions/store/table-definition';
import { attributeKey } from '../support/attribute-key';

const settings = vi.hoisted(() => {
  const values = {
    ACCEPT_URL: 'https://app.example.com/invitations/accept',
    SES_FROM_ADDRESS: 'Invitations <invitations@example.com>',
    SES_CONFIGURATION_SET: 'invitations',
    TOKEN_KEY_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:link-token-key-AbCdEf',
    KEY: 'test-link-token-key-0123456789abcdefghijklmnop',
  };
  process.env.ACCEPT_URL = values.ACCEPT_URL;
  process.env.SES_FROM_ADDRESS = values.SES_FROM_ADDRESS;
  process.env.SES_CONFIGURATION_SET = values.SES_CONFIGURATION_SET;
  process.env.TOKEN_KEY_SECRET_ARN = values.TOKEN_KEY_SECRET_ARN;
  delete process.env.TOKEN_KEY_FILE;
  delete process.env.SES_ENDPOINT;
  return values;
});

const ses = mockClient(SESv2Client);
const secrets = mockClient(SecretsManagerClient);
secrets.on(GetSecretValueCommand, { SecretId: settings.TOKEN_KEY_SECRET_ARN }).resolves({ SecretString: settings.KEY });
const tokens = new LinkTokens(Buffer.from(settings.KEY));

const dynamoCommands = recordDynamoCommands();

beforeEach(() => {
  ses.reset();
  ses.on(SendEmailCommand).resolves({ MessageId: 'message-1' });
  dynamoCommands.clear();
});

const run = (...records: DynamoDBRecord[]) => handler({ Records: records }, lambdaContext('send-invitation-emails'));
const sequenceOf = (record: DynamoDBRecord) => record.dynamodb?.SequenceNumber as string;

async function stored(invitationId: string) {
  return unmarshall(await invitationItem(invitationId));
}

async function newInvitation(label = 'invitee'): Promise<{ owner: Identity; invitee: Identity; id: string }> {
  const owner = user('owner', { name: 'Ada Lovelace' });
  const invitee = user(label);
  const workspaceId = await createWorkspace(owner, { name: 'Analytical Engines' });
  const id = await invite(owner, workspaceId, invitee.email as string, 'ADMIN');
  return { owner, invitee, id };
}

describe('the invitation email stream handler', () => {
  it('sends one email with both parts and the accept link, and records the delivery', async () => {
    const { owner, invitee, id } = await newInvitation();
    const before = await stored(id);
    const record = await recordOf(id);
    dynamoCommands.clear();

    expect(await run(record)).toEqual({ batchItemFailures: [] });

    // Per email: one conditional write to claim the send, one to record it; one SES call.
    expect(dynamoCommands.names).toEqual(['UpdateItemCommand', 'UpdateItemCommand']);
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    const link = `${settings.ACCEPT_URL}?token=${tokens.mint(id, 1)}`;
    const input = ses.commandCalls(SendEmailCommand)[0]?.args[0].input;
    expect(input).toEqual({
      FromEmailAddress: settings.SES_FROM_ADDRESS,
      Destination: { ToAddresses: [invitee.email] },
      Content: {
        Simple: {
          Subject: { Data: 'Ada Lovelace invited you to join Analytical Engines', Charset: 'UTF-8' },
          Body: {
            Text: { Data: expect.stringContaining(`Accept the invitation:\n${link}\n`), Charset: 'UTF-8' },
            Html: { Data: expect.stringContaining(`<a href="${link}">${link}</a>`), Charset: 'UTF-8' },
          },
        },
      },
      ConfigurationSetName: settings.SES_CONFIGURATION_SET,
      EmailTags: [
        { Name: 'invitation', Value: id },
        { Name: 'send', Value: '1' },
      ],
    });
    expect(input?.Content?.Simple?.Body?.Text?.Data).toContain(
      'Ada Lovelace invited you to join the workspace "Analytical Engines" as an admin.',
    );

    const after = await stored(id);
    expect(after.sendCount).toBe(1);
    expect(after.delivery).toEqual({
      status: 'SENT',
      sendNumber: 1,
      requestedAt: before.delivery.requestedAt,
      updatedAt: after.lastSentAt,
      messageId: 'message-1',
      attempts: 1,
    });
    expect(after.sendAttempts).toBe(1);
    // A sent email leaves the email-state index: the sweep has nothing more to do for it.
    expect(after[EMAIL_STATE_PARTITION]).toBeUndefined();
    const viewed = await api.get(`/api/invitations/${id}`, { as: owner });
    expect(viewed.body).toMatchObject({
      sendCount: 1,
      sendAttempts: 1,
      lastSentAt: after.lastSentAt,
      delivery: { status: 'SENT', updatedAt: after.lastSentAt },
    });
    expect(viewed.body.delivery).toEqual({ status: 'SENT', updatedAt: after.lastSentAt, attempts: 1 });
  });

  it('sends once when the same record arrives again', async () => {
    const { id } = await newInvitation();
    const record = await recordOf(id);
    expect(await run(record)).toEqual({ batchItemFailures: [] });
    expect(await run(record)).toEqual({ batchItemFailures: [] });
    expect(await run(record, record)).toEqual({ batchItemFailures: [] });
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    expect((await stored(id)).sendCount).toBe(1);
  });

  it('reports a throttled record for retry, still sends the others, and sends it on the retry', async () => {
    const first = await newInvitation('throttled');
    const second = await newInvitation('unaffected');
    ses
      .on(SendEmailCommand, { Destination: { ToAddresses: [first.invitee.email as string] } })
      .rejects(new TooManyRequestsException({ message: 'Maximum sending rate exceeded.', $metadata: {} }));
    const throttled = await recordOf(first.id);
    const unaffected = await recordOf(second.id);

    expect(await run(throttled, unaffected)).toEqual({
      batchItemFailures: [{ itemIdentifier: sequenceOf(throttled) }],
    });
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 2);
    expect((await stored(first.id)).delivery).toMatchObject({
      status: 'RETRYING',
      failure: 'TooManyRequestsException',
    });
    expect((await stored(first.id)).sendCount).toBe(0);
    expect((await stored(second.id)).delivery.status).toBe('SENT');

    // Lambda retries from the failed record on; the unaffected one comes again too and is not resent.
    ses.reset();
    ses.on(SendEmailCommand).resolves({ MessageId: 'message-2' });
    expect(await run(throttled, unaffected)).toEqual({ batchItemFailures: [] });
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    expect(ses).toHaveReceivedCommandWith(SendEmailCommand, {
      Destination: { ToAddresses: [first.invitee.email as string] },
    });
    const retried = await stored(first.id);
    expect(retried.sendCount).toBe(1);
    expect(retried.delivery).toMatchObject({ status: 'SENT', messageId: 'message-2' });
    expect(retried.delivery.failure).toBeUndefined();
  });

  it('retries when SES fails on its side', async () => {
    const { id } = await newInvitation();
    ses.on(SendEmailCommand).rejects(
      new SESv2ServiceException({
        name: 'InternalFailure',
        $fault: 'server',
        $metadata: { httpStatusCode: 500 },
        message: 'Internal failure',
      }),
    );
    const record = await recordOf(id);
    expect(await run(record)).toEqual({ batchItemFailures: [{ itemIdentifier: sequenceOf(record) }] });
    expect((await stored(id)).delivery).toMatchObject({ status: 'RETRYING', failure: 'InternalFailure' });
  });

  it('records a permanent rejection as failed, does not retry it, and never sends it later', async () => {
    const { owner, id } = await newInvitation();
    ses.on(SendEmailCommand).rejects(new MessageRejected({ message: 'Illegal address', $metadata: {} }));
    const record = await recordOf(id);

    expect(await run(record)).toEqual({ batchItemFailures: [] });
    const failed = await stored(id);
    expect(failed.sendCount).toBe(0);
    expect(failed.lastSentAt).toBeUndefined();
    expect(failed.delivery).toMatchObject({ status: 'FAILED', failure: 'MessageRejected', sendNumber: 1 });
    expect(failed[EMAIL_STATE_PARTITION]).toBe(emailStateKeys('FAILED', id, '')[EMAIL_STATE_PARTITION]);
    const viewed = await api.get(`/api/invitations/${id}`, { as: owner });
    expect(viewed.body.delivery).toEqual({
      status: 'FAILED',
      updatedAt: failed.delivery.updatedAt,
      failure: 'MessageRejected',
      attempts: 1,
    });

    ses.reset();
    expect(await run(record)).toEqual({ batchItemFailures: [] });
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 0);
  });

  it('skips a send that a resend replaced, and sends the resend', async () => {
    const { owner, invitee, id } = await newInvitation();
    const inserted = await recordOf(id);
    await backdateLastSend(id);
    const resent = await api.post(`/api/invitations/${id}/resend`, { as: owner });
    expect(resent.status).toBe(202);
    const modified = await recordOf(id, 'MODIFY');

    expect(await run(inserted, modified)).toEqual({ batchItemFailures: [] });
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    expect(ses).toHaveReceivedCommandWith(SendEmailCommand, {
      Destination: { ToAddresses: [invitee.email as string] },
    });
    const after = await stored(id);
    expect(after.sendCount).toBe(1);
    expect(after.delivery).toMatchObject({ status: 'SENT', sendNumber: 2 });
  });

  it('sends nothing for an invitation withdrawn before its email went out', async () => {
    const { owner, id } = await newInvitation();
    const record = await recordOf(id);
    expect((await api.put(`/api/invitations/${id}/revoked`, { as: owner })).status).toBe(200);
    expect(await run(record)).toEqual({ batchItemFailures: [] });
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 0);
    expect((await stored(id)).delivery.status).toBe('QUEUED');
  });

  it('leaves a send another attempt holds to that attempt, and takes it over once the lease ran out', async () => {
    const { id } = await newInvitation();
    const record = await recordOf(id);
    await holdSend(id, 60_000);
    expect(await run(record)).toEqual({ batchItemFailures: [{ itemIdentifier: sequenceOf(record) }] });
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 0);

    await holdSend(id, -1_000);
    expect(await run(record)).toEqual({ batchItemFailures: [] });
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    expect((await stored(id)).delivery.status).toBe('SENT');
  });

  it('ignores records that are not email requests', async () => {
    const record: DynamoDBRecord = {
      eventID: 'x',
      eventName: 'INSERT',
      eventSourceARN: 'arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/s',
      dynamodb: {
        NewImage: { ...attributeKey(keys.workspace('1')), entity: { S: 'Workspace' } },
        SequenceNumber: '1',
      },
    };
    expect(await run(record)).toEqual({ batchItemFailures: [] });
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 0);
    expect(dynamoCommands.names).toEqual([]);
  });

  it('read the link-token key from Secrets Manager once for all of the above', () => {
    expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
  });
});
