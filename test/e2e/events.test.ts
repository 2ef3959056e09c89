/**
 * `npm start` publishes the same events as the stack: with EVENTS_WEBHOOK_URL set, the runner
 * POSTs each one in EventBridge's envelope with the secret header, retrying a failing webhook,
 * and every event is in events.jsonl in the data directory.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEBHOOK_SECRET_HEADER } from '../../functions/events/config';
import { eventually, http, type Runner, removeDataDir, startRunner } from './support/runner';

const received: {
  headers: IncomingHttpHeaders;
  body: { id: string; 'detail-type': string; detail: Record<string, unknown> };
  status: number;
}[] = [];
/** The first delivery fails: the runner must retry it. */
const statuses = [503];
const hook = createServer(async (request, response) => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const status = statuses.shift() ?? 200;
  received.push({ headers: request.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')), status });
  response.writeHead(status).end();
});
let runner: Runner;

beforeAll(async () => {
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  runner = await startRunner({
    env: {
      EVENTS_WEBHOOK_URL: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/events`,
      EVENTS_WEBHOOK_SECRET: 'local-webhook-secret',
    },
  });
});

afterAll(async () => {
  await new Promise<void>((resolve) => hook.close(() => resolve()));
  if (!runner) return;
  await runner.stop();
  removeDataDir(runner.dataDir);
});

describe('events under npm start', () => {
  it('reach the webhook with the secret header, retried after a failure, and the JSONL file', async () => {
    const owner = await runner.token({ sub: 'owner-e', email: 'owner-e@example.com', name: 'Eve Owner' });
    const workspace = await http(runner, 'POST', '/api/workspaces', { token: owner, body: { name: 'Evented' } });
    expect(workspace.status).toBe(201);
    const invited = await http(runner, 'POST', `/api/workspaces/${workspace.body.id}/invitations`, {
      token: owner,
      body: { email: 'guest-e@example.com', metadata: { crm: 'lead-42' } },
    });
    expect(invited.status).toBe(202);

    const delivered = await eventually(
      async () => received.filter((call) => call.status === 200).map((call) => call.body['detail-type']),
      (types) => types.includes('invitation.email.sent'),
      20_000,
    );
    expect(delivered).toEqual(
      expect.arrayContaining(['workspace.created', 'member.added', 'invitation.created', 'invitation.email.sent']),
    );
    expect(received[0]?.status).toBe(503);
    // The failed delivery was repeated: the same envelope, then accepted.
    expect(received[1]?.body.id).toBe(received[0]?.body.id);
    for (const call of received) expect(call.headers[WEBHOOK_SECRET_HEADER]).toBe('local-webhook-secret');
    const created = received.find((call) => call.body['detail-type'] === 'invitation.created');
    expect(created?.body.detail).toMatchObject({ metadata: { crm: 'lead-42' }, invitation: { id: invited.body.id } });

    const lines = readFileSync(join(runner.dataDir, 'events.jsonl'), 'utf8').trim().split('\n');
    const logged = lines.map((line) => JSON.parse(line) as { id: string; 'detail-type': string });
    for (const call of received) expect(logged.map((event) => event.id)).toContain(call.body.id);
  });
});
