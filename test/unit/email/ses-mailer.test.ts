/**
 * The SES mailer against a real HTTP peer that misbehaves, and its sorting of SES's refusals by
 * who can fix them.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { sesClient } from '../../../functions/email/client';
import { classify, SesMailer } from '../../../functions/email/ses-mailer';
import { DeliveryRefused } from '../../../functions/use-cases/invitation-emails';

const EMAIL = { to: 'ada@example.com', subject: 'Hello', text: 'Hi', html: '<p>Hi</p>', tags: { invitation: 'x' } };
let server: Server | undefined;
afterEach(() => {
  server?.closeAllConnections();
  server?.close();
  server = undefined;
});

/** A peer that counts requests and answers with `answer` (or never, when it returns undefined). */
async function peer(answer: (count: number) => { status: number; type?: string; body: unknown } | undefined) {
  let count = 0;
  server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      count += 1;
      const reply = answer(count);
      if (!reply) return;
      response.writeHead(reply.status, {
        'content-type': 'application/json',
        ...(reply.type ? { 'x-amzn-errortype': reply.type } : {}),
      });
      response.end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const mailer = new SesMailer(
    sesClient({ SES_ENDPOINT: endpoint, SES_SEND_TIMEOUT_MS: 300 }),
    'from@example.com',
    undefined,
    300,
  );
  return { mailer, requests: () => count };
}

describe('one SendEmail attempt, bounded in time', () => {
  it('gives up on a peer that never answers after the send timeout, with one request and no SDK retry', async () => {
    const { mailer, requests } = await peer(() => undefined);
    const started = Date.now();
    const error = await mailer.send(EMAIL).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(DeliveryRefused);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(requests()).toBe(1);
  });

  it('does not retry a throttled or failed call itself: the record-level retry takes over', async () => {
    const { mailer, requests } = await peer(() => ({
      status: 500,
      type: 'InternalFailure',
      body: { message: 'boom' },
    }));
    await expect(mailer.send(EMAIL)).rejects.not.toBeInstanceOf(DeliveryRefused);
    expect(requests()).toBe(1);
  });

  it('returns the message id of an accepted message', async () => {
    const { mailer } = await peer(() => ({ status: 200, body: { MessageId: 'ses-1' } }));
    expect(await mailer.send(EMAIL)).toEqual({ messageId: 'ses-1' });
  });

  it('holds a sandbox refusal, told apart from a bad message by its text', async () => {
    const { mailer } = await peer((n) =>
      n === 1
        ? {
            status: 400,
            type: 'MessageRejected',
            body: {
              message:
                'Email address is not verified. The following identities failed the check in region US-EAST-1: ada@example.com',
            },
          }
        : { status: 400, type: 'MessageRejected', body: { message: 'Illegal header' } },
    );
    await expect(mailer.send(EMAIL)).rejects.toMatchObject({ kind: 'account', code: 'IdentityNotVerified' });
    await expect(mailer.send(EMAIL)).rejects.toMatchObject({ kind: 'message', code: 'MessageRejected' });
  });
});

describe('who can fix a refusal', () => {
  const sesError = (name: string, status: number, message = name) =>
    Object.assign(new Error(message), {
      name,
      $fault: status >= 500 ? 'server' : 'client',
      $metadata: { httpStatusCode: status },
    });

  it.each([
    ['BadRequestException', 400, 'message', 'BadRequestException'],
    ['SendingPausedException', 400, 'account', 'SendingPaused'],
    ['AccountSuspendedException', 400, 'account', 'AccountSuspended'],
    ['MailFromDomainNotVerifiedException', 400, 'account', 'MailFromDomainNotVerified'],
    ['NotFoundException', 404, 'account', 'ConfigurationSetMissing'],
    ['LimitExceededException', 400, 'account', 'SendingQuotaExceeded'],
    ['AccessDeniedException', 403, 'account', 'NotAuthorized'],
    ['SomethingNew', 400, 'account', 'SomethingNew'],
  ] as const)('%s (%i) is a %s refusal: %s', (name, status, kind, code) => {
    expect(classify(sesError(name, status))).toMatchObject({ kind, code });
  });

  it.each([
    ['TooManyRequestsException', 429],
    ['Throttling', 400],
    ['InternalFailure', 500],
    ['ServiceUnavailable', 503],
  ] as const)('%s (%i) is transient', (name, status) => {
    const error = sesError(name, status);
    expect(classify(error)).toBe(error);
  });

  it('treats network errors and timeouts as transient', () => {
    for (const name of ['TimeoutError', 'AbortError']) {
      const error = Object.assign(new Error('socket'), { name, code: 'ECONNRESET' });
      expect(classify(error), name).toBe(error);
    }
  });
});
