/**
 * What the service logs while it serves a whole invitation's life, at the most verbose log level,
 * read back from `npm start`'s output and its data directory: no email address, no link token,
 * no JWT, no webhook secret, however the requests went (accepted, refused, forged,
 * unauthenticated, bounced). The published events (events.jsonl) carry addresses by design, as
 * the invitation's managers see it; they never carry a link token, a JWT or the webhook secret.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEBHOOK_SECRET_HEADER } from '../../functions/events/config';
import { emailsTo, eventually, http, linkIn, type Runner, removeDataDir, startRunner } from './support/runner';

let runner: Runner;
let logs = '';
let events = '';
/** The webhook's secret: it goes only into the header of the webhook's requests. */
const WEBHOOK_SECRET = 'whsec-privacy-0123456789abcdef';
const webhookHeaders: IncomingHttpHeaders[] = [];
const webhook = createServer((request, response) => {
  webhookHeaders.push(request.headers);
  request.resume();
  request.on('end', () => response.writeHead(204).end());
});
const seen = { addresses: [] as string[], tokens: [] as string[], jwts: [] as string[], invitationIds: [] as string[] };

/** A JWT anywhere in a text: three base64url parts, the first a JSON header. */
const JWT = /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/;
/** An email address in any log line. */
const EMAIL_ADDRESS = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/;

beforeAll(async () => {
  await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
  const webhookUrl = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/hook`;
  runner = await startRunner({
    env: { POWERTOOLS_LOG_LEVEL: 'DEBUG', EVENTS_WEBHOOK_URL: webhookUrl, EVENTS_WEBHOOK_SECRET: WEBHOOK_SECRET },
  });
  const ownerAddress = 'olga.owner@example.com';
  const owner = await runner.token({ sub: 'privacy-owner', email: ownerAddress, name: 'Olga Owner' });
  seen.addresses.push(ownerAddress);
  seen.jwts.push(owner);
  const workspace = await http(runner, 'POST', '/api/workspaces', { token: owner, body: { name: 'Private Team' } });
  expect(workspace.status).toBe(201);
  const workspaceId = workspace.body.id;

  const inviteeAddress = 'bob.invitee@example.com';
  const bounceAddress = 'bounce@simulator.amazonses.com';
  for (const email of [inviteeAddress, bounceAddress]) {
    const invited = await http(runner, 'POST', `/api/workspaces/${workspaceId}/invitations`, {
      token: owner,
      body: { email },
    });
    expect(invited.status).toBe(202);
    seen.addresses.push(email);
    seen.invitationIds.push(invited.body.id);
  }
  // Refused: the same address again (409), a malformed one (400), and a field that is not allowed.
  const twice = await http(runner, 'POST', `/api/workspaces/${workspaceId}/invitations`, {
    token: owner,
    body: { email: inviteeAddress },
  });
  expect(twice.status).toBe(409);
  const malformed = await http(runner, 'POST', `/api/workspaces/${workspaceId}/invitations`, {
    token: owner,
    body: { email: 'carol.malformed@example', note: 'dave.extra@example.com' },
  });
  expect(malformed.status).toBe(400);
  seen.addresses.push('dave.extra@example.com');

  const [email] = await emailsTo(runner, inviteeAddress);
  const token = linkIn(email as never).searchParams.get('token') as string;
  seen.tokens.push(token);
  expect((await http(runner, 'GET', `/api/invitation-tokens/${encodeURIComponent(token)}`)).status).toBe(200);
  // A forged token, and the real one by someone else and by nobody.
  const forged = `${token.slice(0, -4)}AAAA`;
  seen.tokens.push(forged);
  expect((await http(runner, 'GET', `/api/invitation-tokens/${encodeURIComponent(forged)}`)).status).toBe(404);
  const stranger = await runner.token({ sub: 'privacy-stranger', email: 'eve.stranger@example.com' });
  seen.addresses.push('eve.stranger@example.com');
  seen.jwts.push(stranger);
  const wrongPerson = await http(runner, 'POST', `/api/invitation-tokens/${encodeURIComponent(token)}/accept`, {
    token: stranger,
  });
  expect(wrongPerson.status).toBe(403);
  expect((await http(runner, 'POST', `/api/invitation-tokens/${encodeURIComponent(token)}/accept`)).status).toBe(401);
  const badJwt = `${stranger.slice(0, -6)}AAAAAA`;
  seen.jwts.push(badJwt);
  expect((await http(runner, 'GET', '/api/workspaces', { token: badJwt })).status).toBe(401);

  const invitee = await runner.token({ sub: 'privacy-invitee', email: inviteeAddress, name: 'Bob Invitee' });
  seen.jwts.push(invitee);
  const accepted = await http(runner, 'POST', `/api/invitation-tokens/${encodeURIComponent(token)}/accept`, {
    token: invitee,
  });
  expect(accepted.status).toBe(200);
  // Received invitations are listed by address, in the query string.
  expect(
    (await http(runner, 'GET', `/api/invitations?email=${encodeURIComponent(inviteeAddress)}`, { token: invitee }))
      .status,
  ).toBe(200);

  // The bounce reaches the invitation (the feedback handler ran and logged).
  const bounced = await eventually(
    () => http(runner, 'GET', `/api/invitations/${seen.invitationIds[1]}`, { token: owner }),
    (response) => response.body.delivery?.status === 'BOUNCED',
    20_000,
  );
  expect(bounced.body.delivery.status).toBe('BOUNCED');

  // The invitation's acceptance reached the bus and the webhook before the runner stops.
  await eventually(
    async () => readEvents(runner.dataDir),
    (published) => published.includes('"invitation.accepted"'),
    20_000,
  );
  await runner.stop();
  logs = [runner.output(), ...dataDirLogs(runner.dataDir)].join('\n');
  events = readEvents(runner.dataDir);
}, 120_000);

afterAll(async () => {
  if (runner) removeDataDir(runner.dataDir);
  await new Promise((resolve) => webhook.close(resolve));
});

function readEvents(dataDir: string): string {
  try {
    return readFileSync(join(dataDir, 'events.jsonl'), 'utf8');
  } catch {
    return '';
  }
}

/**
 * What the runner writes into its data directory besides the database: dead letters and
 * positions. Not events.jsonl: it is the bus's record of the published events, which carry the
 * invitation as its managers see it, address included, as the table does; no log.
 */
function dataDirLogs(dataDir: string): string[] {
  return readdirSync(dataDir)
    .filter((name) => (name.endsWith('.jsonl') || name.endsWith('.json')) && name !== 'events.jsonl')
    .map((name) => readFileSync(join(dataDir, name), 'utf8'));
}

describe('the logs of a whole run', () => {
  it('were written, and speak of the invitations by id', () => {
    // Without this, a run that logged nothing would pass every check below.
    for (const id of seen.invitationIds) expect(logs).toContain(id);
  });

  it('hold no email address', () => {
    for (const address of seen.addresses)
      expect({ address, logged: logs.includes(address) }).toEqual({ address, logged: false });
    // The start banner's example command names alice@example.com, a placeholder, not anyone's address.
    const banner =
      /^\s*Mint a token\s+T=\$\(npm run -s token -- --sub alice --email alice@example\.com --name Alice\)$/;
    expect(logs.split('\n').filter((line) => EMAIL_ADDRESS.test(line) && !banner.test(line))).toEqual([]);
  });

  it('hold no link token, genuine or forged', () => {
    for (const token of seen.tokens) expect({ token, logged: logs.includes(token) }).toEqual({ token, logged: false });
  });

  it('hold no JWT, valid or not', () => {
    for (const jwt of seen.jwts) expect({ jwt, logged: logs.includes(jwt) }).toEqual({ jwt, logged: false });
    expect(logs.split('\n').filter((line) => JWT.test(line))).toEqual([]);
  });

  it('hold no webhook secret, which the webhook received in its header', () => {
    expect(webhookHeaders.length).toBeGreaterThan(0);
    expect(webhookHeaders.every((headers) => headers[WEBHOOK_SECRET_HEADER] === WEBHOOK_SECRET)).toBe(true);
    expect(logs).not.toContain(WEBHOOK_SECRET);
  });
});

describe('the published events of a whole run (events.jsonl)', () => {
  it('were written, and speak of the invitations', () => {
    for (const id of seen.invitationIds) expect(events).toContain(id);
  });

  it('hold no link token, no JWT and no webhook secret', () => {
    for (const token of seen.tokens)
      expect({ token, published: events.includes(token) }).toEqual({ token, published: false });
    for (const jwt of seen.jwts) expect({ jwt, published: events.includes(jwt) }).toEqual({ jwt, published: false });
    expect(events.split('\n').filter((line) => JWT.test(line))).toEqual([]);
    expect(events).not.toContain(WEBHOOK_SECRET);
    expect(events).not.toMatch(/token/i);
  });
});
