/**
 * Email delivery end to end on DynamoDB Local: the real stream records of an invitation go
 * through the same filter patterns as the event-source mapping into the stream handler (SES
 * mocked); the link in the email then previews and accepts the invitation.
 */
import { SESv2Client, SendEmailCommand, type SendEmailCommandInput } from '@aws-sdk/client-sesv2';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Invitation } from '../../functions/domain/invitation';
import { handler } from '../../functions/send-invitation-emails';
import { invitationPartition, keys, workspacePartition } from '../../functions/store/keys';
import { invitationEmailFilterPatterns, matchesFilterPatterns } from '../../functions/stream/filters';
import { api, type Identity, lambdaContext, user } from '../support/api';
import { recordDynamoCommands } from '../support/dynamo-requests';
import { backdateLastSend } from '../support/email-records';
import { createWorkspace, invite } from '../support/fixtures';
import { StreamReader } from '../support/stream';
import { documents, expireInvitation } from '../support/table';

const ACCEPT_URL = vi.hoisted(() => {
  const { mkdtempSync, writeFileSync } = require('node:fs') as typeof import('node:fs');
  const { tmpdir } = require('node:os') as typeof import('node:os');
  const { join } = require('node:path') as typeof import('node:path');
  const keyFile = join(mkdtempSync(join(tmpdir(), 'link-key-')), 'token.key');
  writeFileSync(keyFile, 'integration-link-token-key-0123456789abcdef\n', { mode: 0o600 });
  process.env.TOKEN_KEY_FILE = keyFile;
  delete process.env.TOKEN_KEY_SECRET_ARN;
  process.env.ACCEPT_URL = 'http://localhost:3000/accept';
  process.env.SES_FROM_ADDRESS = 'invitations@example.com';
  delete process.env.SES_CONFIGURATION_SET;
  delete process.env.SES_ENDPOINT;
  return process.env.ACCEPT_URL;
});

const ses = mockClient(SESv2Client);
const log = recordDynamoCommands();
const stream = new StreamReader();
afterAll(() => stream.destroy());

beforeEach(() => {
  ses.reset();
  ses.on(SendEmailCommand).resolves({ MessageId: 'local-message' });
});

const UNKNOWN_LINK = {
  type: 'urn:problem:invitations:not-found',
  title: 'Not Found',
  status: 404,
  detail: 'This invitation link is not valid. Check that you opened the whole link from the email.',
};

const passes = (record: DynamoDBRecord) => matchesFilterPatterns(record, invitationEmailFilterPatterns);

/** What the event-source mapping would hand the handler: the records that pass the filter. */
async function deliverFromStream(records: DynamoDBRecord[]) {
  const passing = records.filter(passes);
  const result = await handler({ Records: passing }, lambdaContext('send-invitation-emails'));
  return { passing, result };
}

function sentEmails(): SendEmailCommandInput[] {
  return ses.commandCalls(SendEmailCommand).map((call) => call.args[0].input);
}

function tokenIn(email: SendEmailCommandInput): string {
  const text = email.Content?.Simple?.Body?.Text?.Data ?? '';
  const link = text.split('\n').find((line) => line.startsWith(`${ACCEPT_URL}?token=`));
  if (!link) throw new Error('the email has no accept link');
  return new URL(link).searchParams.get('token') as string;
}

async function invitationSetup(label: string) {
  const owner = user(`${label}-owner`, { name: 'Grace Hopper' });
  const invitee = user(`${label}-invitee`);
  const workspaceId = await createWorkspace(owner, { name: `R&D "Lab" ${label}` });
  const id = await invite(owner, workspaceId, invitee.email as string, 'MEMBER');
  return { owner, invitee, workspaceId, id };
}

async function storedInvitation(id: string) {
  const { Item } = await documents.send(
    new GetCommand({
      TableName: process.env.TABLE_NAME,
      Key: keys.invitation(id),
      ConsistentRead: true,
    }),
  );
  return Item as Invitation & Record<string, unknown>;
}

describe('invitation emails from the real table stream', () => {
  it('emails a new invitation once, and its link previews and accepts it', async () => {
    const { owner, invitee, workspaceId, id } = await invitationSetup('link');

    const inserted = await stream.readFor(invitationPartition(id), (records) => records.length >= 1);
    expect(inserted.map((record) => record.eventName)).toEqual(['INSERT']);
    expect(inserted[0]?.eventSourceARN).toMatch(/^arn:aws:dynamodb:/);
    const { passing, result } = await deliverFromStream(inserted);
    expect(passing).toHaveLength(1);
    expect(result).toEqual({ batchItemFailures: [] });

    // The workspace, its member and the address claim written with the invitation never pass.
    const others = await stream.read(
      (record) => record.dynamodb?.Keys?.PK?.S === workspacePartition(workspaceId),
      (records) => records.length >= 3,
    );
    expect(others.length).toBeGreaterThanOrEqual(3);
    expect(others.filter(passes)).toEqual([]);

    // The handler's own writes (claim, then SENT) reach the stream but not the handler.
    const own = await stream.readFor(invitationPartition(id), (records) => records.length >= 2);
    expect(own.map((record) => record.eventName)).toEqual(['MODIFY', 'MODIFY']);
    expect(own.map((record) => record.dynamodb?.NewImage?.delivery?.M?.status?.S)).toEqual(['SENDING', 'SENT']);
    expect(own.filter(passes)).toEqual([]);

    const emails = sentEmails();
    expect(emails).toHaveLength(1);
    const email = emails[0] as SendEmailCommandInput;
    expect(email.Destination).toEqual({ ToAddresses: [invitee.email] });
    expect(email.Content?.Simple?.Subject?.Data).toBe('Grace Hopper invited you to join R&D "Lab" link');
    expect(email.Content?.Simple?.Body?.Html?.Data).toContain('<strong>R&amp;D &quot;Lab&quot; link</strong>');
    const token = tokenIn(email);

    const before = await storedInvitation(id);
    const preview = await api.get(`/api/invitation-tokens/${token}`);
    expect(preview.status).toBe(200);
    expect(preview.headers['cache-control']).toBe('no-store');
    const [local, domain] = (invitee.email as string).split('@') as [string, string];
    expect(preview.body).toEqual({
      workspace: { name: 'R&D "Lab" link' },
      inviter: { name: 'Grace Hopper' },
      email: `${local[0]}${'*'.repeat(local.length - 1)}@${domain}`,
      role: 'MEMBER',
      status: 'PENDING',
      expiresAt: before.expiresAt,
      _links: {
        self: { href: `https://api.test/api/invitation-tokens/${token}` },
        'accept invitation': { href: `https://api.test/api/invitation-tokens/${token}/accept`, type: 'POST' },
      },
    });
    expect(JSON.stringify(preview.body)).not.toContain(invitee.email);
    // Following the link changes nothing.
    expect(await storedInvitation(id)).toEqual(before);

    const stranger = user('stranger');
    expect((await api.post(`/api/invitation-tokens/${token}/accept`)).status).toBe(401);
    const wrongPerson = await api.post(`/api/invitation-tokens/${token}/accept`, { as: stranger });
    expect(wrongPerson.status).toBe(403);
    expect(wrongPerson.body.detail).toBe(
      'This invitation was sent to another email address. Sign in with that address, verified, to accept it.',
    );
    const unverified: Identity = { ...user('unverified'), email: invitee.email, emailVerified: false };
    expect((await api.post(`/api/invitation-tokens/${token}/accept`, { as: unverified })).status).toBe(403);

    const accepted = await api.post(`/api/invitation-tokens/${token}/accept`, { as: invitee });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({
      id,
      status: 'ACCEPTED',
      email: invitee.email,
      workspace: { id: workspaceId },
      sendCount: 1,
      delivery: { status: 'SENT' },
    });
    const members = await api.get(`/api/workspaces/${workspaceId}/members`, { as: owner });
    expect(members.body._embedded.members.map((m: { userId: string }) => m.userId).sort()).toEqual(
      [owner.sub, invitee.sub].sort(),
    );

    // The accept write is in the stream too, and keeps out of the handler.
    const acceptedRecords = await stream.readFor(invitationPartition(id), (records) => records.length >= 1);
    expect(acceptedRecords.filter(passes)).toEqual([]);

    const used = await api.get(`/api/invitation-tokens/${token}`);
    expect(used.status).toBe(409);
    expect(used.body).toEqual({
      type: 'urn:problem:invitations:conflict',
      title: 'Conflict',
      status: 409,
      detail: 'This invitation has already been accepted.',
    });
    expect((await api.post(`/api/invitation-tokens/${token}/accept`, { as: invitee })).status).toBe(409);
  });

  it('answers a tampered or made-up token like an unknown one, and never with a 500', async () => {
    const { id } = await invitationSetup('tamper');
    await deliverFromStream(await stream.readFor(invitationPartition(id), (records) => records.length >= 1));
    const token = tokenIn(sentEmails()[0] as SendEmailCommandInput);
    const bytes = Buffer.from(token, 'base64url');
    bytes[30] = (bytes[30] as number) ^ 0xff;
    for (const bad of [bytes.toString('base64url'), token.slice(0, 40), 'x', id, `${'A'.repeat(70)}`]) {
      const preview = await api.get(`/api/invitation-tokens/${encodeURIComponent(bad)}`);
      expect(preview.status, bad).toBe(404);
      expect(preview.body, bad).toEqual(UNKNOWN_LINK);
      const accept = await api.post(`/api/invitation-tokens/${encodeURIComponent(bad)}/accept`, { as: user('x') });
      expect(accept.body, bad).toEqual(UNKNOWN_LINK);
    }
    const tooLong = await api.get(`/api/invitation-tokens/${'A'.repeat(300)}`);
    expect(tooLong.status).toBe(400);
  });

  it('kills the link when the invitation is withdrawn, expires or is deleted', async () => {
    const withdrawn = await invitationSetup('withdrawn');
    const expired = await invitationSetup('expired');
    const deleted = await invitationSetup('deleted');
    for (const { id } of [withdrawn, expired, deleted]) {
      const records = await stream.readFor(invitationPartition(id), (found) => found.length >= 1);
      expect((await deliverFromStream(records)).result, id).toEqual({ batchItemFailures: [] });
    }
    const tokenOf = (id: string) =>
      tokenIn(sentEmails().find((email) => email.EmailTags?.[0]?.Value === id) as SendEmailCommandInput);

    expect((await api.put(`/api/invitations/${withdrawn.id}/revoked`, { as: withdrawn.owner })).status).toBe(200);
    const afterWithdraw = await api.get(`/api/invitation-tokens/${tokenOf(withdrawn.id)}`);
    expect(afterWithdraw.status).toBe(410);
    expect(afterWithdraw.body.detail).toBe('This invitation was withdrawn.');

    await expireInvitation(expired.id, expired.workspaceId, expired.invitee.email as string);
    const afterExpiry = await api.post(`/api/invitation-tokens/${tokenOf(expired.id)}/accept`, { as: expired.invitee });
    expect(afterExpiry.status).toBe(410);
    expect(afterExpiry.body.detail).toBe('This invitation has expired. Ask for a new one.');

    expect((await api.delete(`/api/invitations/${deleted.id}`, { as: deleted.owner })).status).toBe(204);
    const afterDelete = await api.get(`/api/invitation-tokens/${tokenOf(deleted.id)}`);
    expect(afterDelete.body).toEqual(UNKNOWN_LINK);
  });
});

describe('resending an invitation', () => {
  it('waits out the cool-down, then extends the expiry and emails the same working link again', async () => {
    const { owner, invitee, workspaceId, id } = await invitationSetup('resend');
    await deliverFromStream(await stream.readFor(invitationPartition(id), (records) => records.length >= 1));
    const first = await storedInvitation(id);

    const tooSoon = await api.post(`/api/invitations/${id}/resend`, { as: owner });
    expect(tooSoon.status).toBe(429);
    const retryAfter = Number(tooSoon.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(55);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(tooSoon.body).toEqual({
      type: 'urn:problem:invitations:too-many-requests',
      title: 'Too Many Requests',
      status: 429,
      detail: `An invitation email may be sent at most once every 60 seconds; retry in ${retryAfter} s.`,
    });
    const viewedTooSoon = await api.get(`/api/invitations/${id}`, { as: owner });
    expect(viewedTooSoon.body._links['resend invitation']).toBeUndefined();

    await backdateLastSend(id);
    const viewed = await api.get(`/api/invitations/${id}`, { as: owner });
    expect(viewed.body._links['resend invitation']).toEqual({
      href: `https://api.test/api/invitations/${id}/resend`,
      type: 'POST',
    });
    expect((await api.get(`/api/invitations/${id}`, { as: invitee })).body._links['resend invitation']).toBeUndefined();
    expect((await api.post(`/api/invitations/${id}/resend`, { as: invitee })).status).toBe(403);
    expect((await api.post(`/api/invitations/${id}/resend`, { as: user('outsider') })).status).toBe(404);

    const resent = await api.post(`/api/invitations/${id}/resend`, { as: owner });
    expect(resent.status).toBe(202);
    expect(resent.body).toMatchObject({ id, status: 'PENDING', sendCount: 1, delivery: { status: 'QUEUED' } });
    expect(Date.parse(resent.body.expiresAt)).toBeGreaterThan(Date.parse(first.expiresAt));
    expect(Date.parse(resent.body.expiresAt) - Date.parse(resent.body.lastModified)).toBe(7 * 86_400_000);
    expect(resent.body._links['resend invitation']).toBeUndefined();
    const claim = await documents.send(
      new GetCommand({
        TableName: process.env.TABLE_NAME,
        Key: keys.emailClaim(workspaceId, invitee.email as string),
        ConsistentRead: true,
      }),
    );
    expect(claim.Item?.expiresAt).toBe(resent.body.expiresAt);

    const records = await stream.readFor(invitationPartition(id), (found) => found.some(passes));
    const { passing, result } = await deliverFromStream(records);
    expect(passing.map((record) => record.eventName)).toEqual(['MODIFY']);
    expect(result).toEqual({ batchItemFailures: [] });
    const emails = sentEmails();
    expect(emails).toHaveLength(2);
    expect(tokenIn(emails[1] as SendEmailCommandInput)).toBe(tokenIn(emails[0] as SendEmailCommandInput));
    const afterResend = await storedInvitation(id);
    expect(afterResend.sendCount).toBe(2);
    expect(afterResend.delivery).toMatchObject({ status: 'SENT', sendNumber: 2 });

    const preview = await api.get(`/api/invitation-tokens/${tokenIn(emails[0] as SendEmailCommandInput)}`);
    expect(preview.body.expiresAt).toBe(resent.body.expiresAt);

    expect((await api.put(`/api/invitations/${id}/revoked`, { as: owner })).status).toBe(200);
    await backdateLastSend(id);
    const resendWithdrawn = await api.post(`/api/invitations/${id}/resend`, { as: owner });
    expect(resendWithdrawn.status).toBe(409);
    expect(resendWithdrawn.body.detail).toBe('An invitation that is REVOKED cannot be sent again.');
  });
});

describe('round trips of the email routes', () => {
  it('resend: 3 requests; preview: 1; accept by link: 2', async () => {
    const { owner, invitee, id } = await invitationSetup('round-trips');
    await deliverFromStream(await stream.readFor(invitationPartition(id), (records) => records.length >= 1));
    const token = tokenIn(sentEmails()[0] as SendEmailCommandInput);
    await backdateLastSend(id);
    const measure = async (call: () => Promise<{ status: number }>, status: number) => {
      log.clear();
      expect((await call()).status).toBe(status);
      return { requests: [...log.names], roundTrips: log.roundTrips() };
    };
    // The sender's daily email allowance is counted while the invitation is read.
    expect(await measure(() => api.post(`/api/invitations/${id}/resend`, { as: owner }), 202)).toEqual({
      requests: ['UpdateItemCommand', 'GetItemCommand', 'BatchGetItemCommand', 'TransactWriteItemsCommand'],
      roundTrips: 3,
    });
    expect(await measure(() => api.get(`/api/invitation-tokens/${token}`), 200)).toEqual({
      requests: ['GetItemCommand'],
      roundTrips: 1,
    });
    expect(await measure(() => api.post(`/api/invitation-tokens/${token}/accept`, { as: invitee }), 200)).toEqual({
      requests: ['GetItemCommand', 'TransactWriteItemsCommand'],
      roundTrips: 2,
    });
    // A forged token is refused before the table is read.
    expect(await measure(() => api.get(`/api/invitation-tokens/${'A'.repeat(70)}`), 404)).toEqual({
      requests: [],
      roundTrips: 0,
    });
  });
});
