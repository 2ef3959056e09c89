/**
 * The email sender and the sweep on DynamoDB Local, SES mocked: failures settled by who can fix
 * them, items re-validated from the table, leases waited out, the sweep and the operator's
 * re-drive queuing from the table, and every attempt counted beside the sends.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { MessageRejected, SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Invitation } from '../../functions/domain/invitation';
import { handler } from '../../functions/send-invitation-emails';
import { deliveries } from '../../functions/services';
import { invitationCodec } from '../../functions/store/codecs/invitation';
import { type EmailState, emailStateKeys, keys } from '../../functions/store/keys';
import { TABLE as TABLE_DEFINITION } from '../../functions/store/table-definition';
import { handler as sweepHandler } from '../../functions/sweep-invitation-emails';
import { DEFAULT_SWEEP_SETTINGS, EmailSweep } from '../../functions/use-cases/email-sweep';
import { api, lambdaContext, user } from '../support/api';
import { holdSend, invitationItem, recordOf } from '../support/email-records';
import { createWorkspace, invite } from '../support/fixtures';
import { documents } from '../support/table';

const settings = vi.hoisted(() => {
  const values = {
    TOKEN_KEY_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:link-token-key-DeLiVe',
    KEY: 'delivery-link-token-key-0123456789abcdefghijklmnop',
  };
  process.env.ACCEPT_URL = 'https://app.example.com/accept';
  process.env.SES_FROM_ADDRESS = 'invitations@example.com';
  process.env.TOKEN_KEY_SECRET_ARN = values.TOKEN_KEY_SECRET_ARN;
  process.env.SES_SEND_TIMEOUT_MS = '1000';
  process.env.POWERTOOLS_METRICS_NAMESPACE = 'InvitationsTest';
  delete process.env.POWERTOOLS_METRICS_DISABLED;
  delete process.env.TOKEN_KEY_FILE;
  delete process.env.SES_ENDPOINT;
  delete process.env.SES_CONFIGURATION_SET;
  return values;
});

const ses = mockClient(SESv2Client);
mockClient(SecretsManagerClient)
  .on(GetSecretValueCommand, { SecretId: settings.TOKEN_KEY_SECRET_ARN })
  .resolves({ SecretString: settings.KEY });

const DAY_MS = 86_400_000;
const TABLE = () => process.env.TABLE_NAME as string;
const EMAIL_STATE_PARTITION = TABLE_DEFINITION.indexes.byEmailState.partitionKey;
/** The email-state index partition an invitation's send in `state` is filed under. */
const statePartition = (state: EmailState, invitationId: string) =>
  emailStateKeys(state, invitationId, '')[EMAIL_STATE_PARTITION];
const run = (...records: DynamoDBRecord[]) => handler({ Records: records }, lambdaContext('send-invitation-emails'));
const stored = async (id: string) => unmarshall(await invitationItem(id));
const recipients = () =>
  ses.commandCalls(SendEmailCommand).map((call) => call.args[0].input.Destination?.ToAddresses?.[0]);
const UNVERIFIED =
  'Email address is not verified. The following identities failed the check in region US-EAST-1: someone@example.com';

/** The embedded-metric lines the handlers print, parsed. */
function capturedMetrics() {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  return {
    restore: () => spy.mockRestore(),
    sum(name: string): number {
      let total = 0;
      for (const line of lines) {
        if (!line.includes('"_aws"')) continue;
        const value = (JSON.parse(line) as Record<string, unknown>)[name];
        for (const one of [value].flat()) if (typeof one === 'number') total += one;
      }
      return total;
    },
  };
}

async function invitation(label: string, options: { ttlDays?: number } = {}) {
  const owner = user(`${label}-owner`, { name: 'Grace Hopper' });
  const workspaceId = await createWorkspace(owner, { name: `Delivery ${label}` });
  if (options.ttlDays) {
    await api.patch(`/api/workspaces/${workspaceId}`, { as: owner, body: { invitationTtlDays: options.ttlDays } });
  }
  const email = `${label}-invitee@example.com`;
  const id = await invite(owner, workspaceId, email);
  return { owner, workspaceId, id, email };
}

/** An invitation item as older code, a migration or a hand edit might have left it, already QUEUED. */
async function brokenInvitation(label: string, change: (item: Record<string, unknown>) => void) {
  const { id } = await invitation(label);
  const item = await stored(id);
  change(item);
  await documents.send(new PutCommand({ TableName: TABLE(), Item: item }));
  return id;
}

beforeEach(() => {
  ses.reset();
  ses.on(SendEmailCommand).resolves({ MessageId: 'message-ok' });
});

describe('failures the message causes: FAILED at once, never blocking the others', () => {
  it('fails unrenderable and invalid items with their reason and sends the good ones in the same batch', async () => {
    const noWorkspaceName = await brokenInvitation('poison-a', (item) => {
      delete item.workspaceName;
    });
    const noRole = await brokenInvitation('poison-b', (item) => {
      item.role = 'SUPERUSER';
    });
    const lineBreak = await brokenInvitation('poison-c', (item) => {
      item.email = 'victim@example.com\r\nBcc: everyone@example.com';
    });
    const good = await Promise.all([1, 2, 3, 4, 5].map((n) => invitation(`good-${n}`)));
    const records = await Promise.all(
      [noWorkspaceName, noRole, lineBreak, ...good.map(({ id }) => id)].map((id) => recordOf(id)),
    );

    expect(await run(...records)).toEqual({ batchItemFailures: [] });

    expect(recipients().sort()).toEqual(good.map(({ email }) => email).sort());
    expect((await stored(noWorkspaceName)).delivery).toMatchObject({
      status: 'FAILED',
      failure: 'InvalidItem:workspaceName',
    });
    expect((await stored(noRole)).delivery).toMatchObject({ status: 'FAILED', failure: 'InvalidItem:role' });
    expect((await stored(lineBreak)).delivery).toMatchObject({ status: 'FAILED', failure: 'InvalidItem:email' });
    // A second delivery of the same records sends nothing more.
    ses.resetHistory();
    expect(await run(...records)).toEqual({ batchItemFailures: [] });
    expect(recipients()).toEqual([]);
  });

  it('fails a send whose send number or expiry is unusable instead of leaving it QUEUED', async () => {
    const textSendNumber = await brokenInvitation('bad-send', (item) => {
      (item.delivery as Record<string, unknown>).sendNumber = 'one';
    });
    const noExpiry = await brokenInvitation('no-expiry', (item) => {
      delete item.expiresAt;
    });
    expect(await run(await recordOf(textSendNumber), await recordOf(noExpiry))).toEqual({ batchItemFailures: [] });
    expect(recipients()).toEqual([]);
    expect((await stored(textSendNumber)).delivery).toMatchObject({
      status: 'FAILED',
      failure: 'InvalidItem:sendNumber',
    });
    expect((await stored(noExpiry)).delivery).toMatchObject({ status: 'FAILED', failure: 'InvalidItem:expiresAt' });
    expect((await stored(noExpiry))[EMAIL_STATE_PARTITION]).toBe(statePartition('FAILED', noExpiry));
  });

  it('fails an address SES refuses as a message problem, once', async () => {
    const { id } = await invitation('refused');
    ses.on(SendEmailCommand).rejects(new MessageRejected({ message: 'Illegal address', $metadata: {} }));
    expect(await run(await recordOf(id))).toEqual({ batchItemFailures: [] });
    expect((await stored(id)).delivery).toMatchObject({ status: 'FAILED', failure: 'MessageRejected', attempts: 1 });
  });
});

describe('failures the operator must fix: HELD, counted, and sent once re-driven', () => {
  afterEach(() => vi.restoreAllMocks());

  it('holds sandbox and unverified-identity refusals with a reason and a metric, then a re-drive sends each once', async () => {
    const first = await invitation('sandbox-1');
    const second = await invitation('sandbox-2');
    ses.on(SendEmailCommand).rejects(new MessageRejected({ message: UNVERIFIED, $metadata: {} }));
    const metrics = capturedMetrics();
    try {
      expect(await run(await recordOf(first.id), await recordOf(second.id))).toEqual({ batchItemFailures: [] });
    } finally {
      metrics.restore();
    }
    expect(metrics.sum('EmailsHeld')).toBe(2);
    expect(metrics.sum('EmailAttempts')).toBe(2);
    for (const { id } of [first, second]) {
      const held = await stored(id);
      expect(held.delivery, id).toMatchObject({ status: 'HELD', failure: 'IdentityNotVerified' });
      expect(held[EMAIL_STATE_PARTITION], id).toBe(statePartition('HELD', id));
    }
    const viewed = await api.get(`/api/invitations/${first.id}`, { as: first.owner });
    expect(viewed.body.delivery).toMatchObject({ status: 'HELD', failure: 'IdentityNotVerified' });

    // The operator verifies the recipients (or leaves the sandbox) and re-drives.
    ses.reset();
    ses.on(SendEmailCommand).resolves({ MessageId: 'after-fix' });
    const redriven = await sweepHandler({ redrive: ['HELD'] }, lambdaContext('sweep'));
    expect(redriven.requeued).toBeGreaterThanOrEqual(2);
    for (const { id } of [first, second]) expect((await stored(id)).delivery.status, id).toBe('QUEUED');
    // The re-drive's writes are what the stream hands the sender; delivered twice, still one email each.
    const records = [await recordOf(first.id, 'MODIFY'), await recordOf(second.id, 'MODIFY')];
    await run(...records);
    await run(...records);
    expect(recipients().sort()).toEqual([first.email, second.email].sort());
    for (const { id } of [first, second]) {
      expect(await stored(id), id).toMatchObject({ sendCount: 1, sendAttempts: 2, delivery: { status: 'SENT' } });
    }

    // Re-driving again finds nothing to send: SENT is never queued again.
    ses.resetHistory();
    const again = await sweepHandler({ redrive: ['HELD', 'FAILED'] }, lambdaContext('sweep'));
    for (const { id } of [first, second]) expect((await stored(id)).delivery.status, id).toBe('SENT');
    expect(again.held).toBe(0);
    expect(recipients()).toEqual([]);
  });

  it('re-drives a held email a week later, once, and never a sent one', async () => {
    const { id, email } = await invitation('week', { ttlDays: 30 });
    const sent = await invitation('week-sent');
    ses
      .on(SendEmailCommand, { Destination: { ToAddresses: [email] } })
      .rejects(new MessageRejected({ message: UNVERIFIED, $metadata: {} }));
    await run(await recordOf(id), await recordOf(sent.id));
    expect((await stored(id)).delivery.status).toBe('HELD');
    expect((await stored(sent.id)).delivery.status).toBe('SENT');

    const aWeekLater = new EmailSweep(deliveries, DEFAULT_SWEEP_SETTINGS, () => new Date(Date.now() + 7 * DAY_MS));
    await aWeekLater.redrive(['HELD', 'FAILED']);
    expect((await stored(id)).delivery.status).toBe('QUEUED');
    expect((await stored(sent.id)).delivery.status).toBe('SENT');

    ses.reset();
    ses.on(SendEmailCommand).resolves({ MessageId: 'a-week-later' });
    await run(await recordOf(id, 'MODIFY'), await recordOf(sent.id, 'MODIFY'));
    expect(recipients()).toEqual([email]);
    expect(await stored(id)).toMatchObject({ sendCount: 1, delivery: { status: 'SENT', messageId: 'a-week-later' } });
  });

  it('holds what only the operator can fix: paused sending, a missing configuration set, any other client refusal', async () => {
    const cases = [
      ['SendingPausedException', 'SendingPaused'],
      ['NotFoundException', 'ConfigurationSetMissing'],
      ['AccountSuspendedException', 'AccountSuspended'],
    ] as const;
    for (const [name, reason] of cases) {
      const { id } = await invitation(`account-${name}`);
      ses.reset();
      ses
        .on(SendEmailCommand)
        .rejects(Object.assign(new Error(name), { name, $fault: 'client', $metadata: { httpStatusCode: 400 } }));
      expect(await run(await recordOf(id)), name).toEqual({ batchItemFailures: [] });
      expect((await stored(id)).delivery, name).toMatchObject({ status: 'HELD', failure: reason });
    }
  });
});

describe('transient failures and crashed attempts', () => {
  it('counts an ambiguous attempt beside the send, so a possible duplicate is visible', async () => {
    const { id, owner } = await invitation('ambiguous');
    ses
      .on(SendEmailCommand)
      .rejectsOnce(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }))
      .resolves({ MessageId: 'second-try' });
    const record = await recordOf(id);
    const first = await run(record);
    expect(first.batchItemFailures).toHaveLength(1);
    expect((await stored(id)).delivery).toMatchObject({ status: 'RETRYING', failure: 'TimeoutError', attempts: 1 });
    await run(record);
    const viewed = await api.get(`/api/invitations/${id}`, { as: owner });
    expect(viewed.body).toMatchObject({ sendCount: 1, sendAttempts: 2, delivery: { status: 'SENT', attempts: 2 } });
  });

  it('waits out the lease of an attempt that died, then sends once', async () => {
    const { id } = await invitation('lease');
    await holdSend(id, 1_500);
    const started = Date.now();
    expect(await run(await recordOf(id))).toEqual({ batchItemFailures: [] });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
    expect(recipients()).toHaveLength(1);
    expect((await stored(id)).delivery.status).toBe('SENT');
  });

  it('asks for a retry when the lease outlasts what the invocation has left', async () => {
    const { id } = await invitation('long-lease');
    await holdSend(id, 60_000);
    const record = await recordOf(id);
    expect(await run(record)).toEqual({ batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber }] });
    expect(recipients()).toEqual([]);
  });
});

describe('the sweep', () => {
  const soon = (minutes: number) =>
    new EmailSweep(deliveries, DEFAULT_SWEEP_SETTINGS, () => new Date(Date.now() + minutes * 60_000));

  it('queues again a send whose attempt died and whose record never came back, and a QUEUED one the stream lost', async () => {
    const crashed = await invitation('sweep-crashed');
    await holdSend(crashed.id, 1_000);
    const lost = await invitation('sweep-lost');
    const fresh = await invitation('sweep-fresh');

    // Ten minutes on, the two stuck sends are queued again; a send queued just now is left alone.
    const report = await soon(10).sweep();
    expect(report.requeued).toBeGreaterThanOrEqual(2);
    for (const id of [crashed.id, lost.id]) expect((await stored(id)).delivery.status, id).toBe('QUEUED');
    expect((await stored(crashed.id)).delivery.leaseUntil).toBeUndefined();
    const stillFresh = await stored(fresh.id);
    await new EmailSweep(deliveries).sweep();
    expect((await stored(fresh.id)).delivery).toEqual(stillFresh.delivery);

    await run(await recordOf(crashed.id, 'MODIFY'), await recordOf(lost.id, 'MODIFY'));
    expect(recipients().sort()).toEqual([crashed.email, lost.email].sort());
  });

  it('takes invitations that no longer need an email out of the index', async () => {
    const { id, owner } = await invitation('sweep-revoked');
    expect((await api.put(`/api/invitations/${id}/revoked`, { as: owner })).status).toBe(200);
    expect((await stored(id))[EMAIL_STATE_PARTITION]).toBe(statePartition('OWED', id));
    await soon(10).sweep();
    expect((await stored(id))[EMAIL_STATE_PARTITION]).toBeUndefined();
  });

  it('tries held sends again on its own once they have waited, so a fixed account sends them', async () => {
    const { id, email } = await invitation('sweep-held');
    ses.on(SendEmailCommand).rejects(new MessageRejected({ message: UNVERIFIED, $metadata: {} }));
    await run(await recordOf(id));
    expect((await stored(id)).delivery.status).toBe('HELD');
    await soon(1).sweep();
    expect((await stored(id)).delivery.status).toBe('HELD');
    await soon(20).sweep();
    expect((await stored(id)).delivery.status).toBe('QUEUED');
    ses.reset();
    ses.on(SendEmailCommand).resolves({ MessageId: 'fixed' });
    await run(await recordOf(id, 'MODIFY'));
    expect(recipients()).toEqual([email]);
  });

  it('refuses a re-drive request it cannot read, rather than running something else', async () => {
    await expect(sweepHandler({ redrive: ['SENT'] }, lambdaContext('sweep'))).rejects.toThrow(/HELD, FAILED/);
  });

  it('a requeue loses to any change made after the send was read', async () => {
    const { id } = await invitation('sweep-race');
    await holdSend(id, -1_000);
    const observed = invitationCodec.fromItem(await stored(id));
    await documents.send(
      new UpdateCommand({
        TableName: TABLE(),
        Key: keys.invitation(id),
        UpdateExpression: 'SET delivery.updatedAt = :now',
        ExpressionAttributeValues: { ':now': new Date().toISOString() },
      }),
    );
    expect(await deliveries.requeue(observed as Invitation, new Date())).toBe(false);
  });
});
