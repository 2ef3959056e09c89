/**
 * The local event bus on its own: PutEvents through the real EventBridge client, the JSONL file,
 * and the webhook, which receives each event in EventBridge's envelope with the secret header
 * and is retried with backoff when it fails, in order, until it answers 2xx or is given up.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterEach, describe, expect, it } from 'vitest';
import { WEBHOOK_SECRET_HEADER } from '../../functions/events/config';
import { LocalEventBus, webhookDestination } from '../../local/event-bus';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

/** A webhook that answers `statuses` in turn (then 204), recording what it received. */
async function webhook(statuses: number[]) {
  const received: { headers: IncomingHttpHeaders; body: Record<string, unknown>; status: number }[] = [];
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const status = statuses.shift() ?? 204;
    received.push({ headers: request.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')), status });
    response.writeHead(status).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stops.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
}

async function busWith(url: string, maxAttempts = 5) {
  const dir = mkdtempSync(join(tmpdir(), 'bus-'));
  const bus = new LocalEventBus({
    eventsFile: join(dir, 'events.jsonl'),
    destinations: [
      webhookDestination({
        url,
        secret: 's3cret',
        deadLetterFile: join(dir, 'webhook.dead-letters.jsonl'),
        maxAttempts,
      }),
    ],
    retryBaseDelayMs: 20,
  });
  const endpoint = await bus.start();
  stops.push(() => bus.stop());
  const client = new EventBridgeClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  stops.push(async () => client.destroy());
  return { bus, client, dir };
}

const entry = (type: string, n: number) => ({
  EventBusName: 'invitations-local',
  Source: 'invitations',
  DetailType: type,
  Detail: JSON.stringify({ eventId: `event-${n}`, n }),
  Time: new Date('2026-03-01T10:00:00.000Z'),
});

describe('the local event bus', () => {
  it('answers PutEvents, writes each event to the JSONL file and POSTs it to the webhook with the secret header', async () => {
    const hook = await webhook([]);
    const { bus, client, dir } = await busWith(hook.url);
    const answer = await client.send(new PutEventsCommand({ Entries: [entry('invitation.created', 1)] }));
    expect(answer.FailedEntryCount).toBe(0);
    expect(answer.Entries?.[0]?.EventId).toMatch(/^[0-9a-f-]{36}$/);
    await bus.idle();

    const lines = readFileSync(join(dir, 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toEqual([
      {
        version: '0',
        id: answer.Entries?.[0]?.EventId,
        'detail-type': 'invitation.created',
        source: 'invitations',
        account: '000000000000',
        time: '2026-03-01T10:00:00Z',
        region: 'us-east-1',
        resources: [],
        detail: { eventId: 'event-1', n: 1 },
      },
    ]);
    expect(hook.received).toHaveLength(1);
    expect(hook.received[0]?.headers[WEBHOOK_SECRET_HEADER]).toBe('s3cret');
    expect(hook.received[0]?.headers['content-type']).toBe('application/json');
    expect(hook.received[0]?.body).toEqual(lines[0]);
  });

  it('retries a failing webhook with backoff, keeping the order of the events', async () => {
    const hook = await webhook([500, 503, 429]);
    const { bus, client } = await busWith(hook.url);
    await client.send(
      new PutEventsCommand({ Entries: [entry('invitation.created', 1), entry('invitation.accepted', 2)] }),
    );
    await bus.idle();
    expect(hook.received.map((call) => [call.body['detail-type'], call.status])).toEqual([
      ['invitation.created', 500],
      ['invitation.created', 503],
      ['invitation.created', 429],
      ['invitation.created', 204],
      ['invitation.accepted', 204],
    ]);
    // A retry repeats the same event: the same envelope id and the same detail.
    expect(new Set(hook.received.slice(0, 4).map((call) => call.body.id)).size).toBe(1);
  });

  it('gives an event up after its attempts, into the webhook dead-letter file, and goes on with the next', async () => {
    const hook = await webhook([500, 500, 500]);
    const { bus, client, dir } = await busWith(hook.url, 3);
    await client.send(new PutEventsCommand({ Entries: [entry('member.added', 1), entry('member.removed', 2)] }));
    await bus.idle();
    const parked = readFileSync(join(dir, 'webhook.dead-letters.jsonl'), 'utf8').trim().split('\n');
    expect(parked.map((line) => JSON.parse(line).event['detail-type'])).toEqual(['member.added']);
    expect(JSON.parse(parked[0] as string).reason).toBe('the webhook answered 500');
    expect(hook.received.map((call) => call.body['detail-type'])).toEqual([
      'member.added',
      'member.added',
      'member.added',
      'member.removed',
    ]);
  });

  it('refuses an entry whose detail is not a JSON object, alone', async () => {
    const hook = await webhook([]);
    const { bus, client } = await busWith(hook.url);
    const answer = await client.send(
      new PutEventsCommand({ Entries: [{ ...entry('x.y', 1), Detail: '[1]' }, entry('invitation.created', 2)] }),
    );
    expect(answer.FailedEntryCount).toBe(1);
    expect(answer.Entries?.[0]?.ErrorCode).toBe('MalformedDetail');
    await bus.idle();
    expect(hook.received.map((call) => call.body['detail-type'])).toEqual(['invitation.created']);
  });
});
