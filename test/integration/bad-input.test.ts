/**
 * Bad input never reaches the store: every malformed request gets a 4xx problem+json answer and
 * the table is byte-for-byte unchanged afterwards. This file uses a table of its own so that the
 * comparison is not disturbed by other test files running at the same time.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureTable, localDynamoClient } from '../../local/dynamodb-local';
import { type ApiRequest, api, call, type Identity, user } from '../support/api';
import { dynamoEndpoint } from '../support/dynamodb-local';
import { createWorkspace, invite } from '../support/fixtures';
import { snapshotTable } from '../support/table';

process.env.TABLE_NAME = 'invitations-bad-input';

const INJECTIONS = [
  "' OR '1'='1",
  '"; DROP TABLE invitations; --',
  '<script>alert(1)</script>',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a log-injection payload, meant literally
  '${jndi:ldap://127.0.0.1/a}',
  '{"$ne": null}',
  '../../etc/passwd',
  'attribute_exists(PK) OR 1=1',
  '\u0000nul',
];

/** Names are free text, so quotes and SQL words are fine in them; markup, control and bidi characters are not. */
const NAME_INJECTIONS = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  'Acme</title><h1>',
  'nul\u0000byte',
  'line\r\nBcc: victim@example.com',
  'bidi \u202Egnp.exe',
  'zero\u200Bwidth',
  'lone \uD800 surrogate',
  'Log in at https://evil.test/login to accept',
  'Visit www.evil.test',
  'Write to help@evil.test',
  'x'.repeat(101),
];

let owner: Identity;
let workspaceId: string;
let invitationId: string;
let realCursor: string;
let otherCollectionCursor: string;
let before: string;

beforeAll(async () => {
  const client = localDynamoClient(dynamoEndpoint());
  await ensureTable(client, process.env.TABLE_NAME as string);
  client.destroy();
  owner = user('owner');
  workspaceId = await createWorkspace(owner, { name: 'Bad input' });
  invitationId = await invite(owner, workspaceId, user('a').email as string);
  await invite(owner, workspaceId, user('b').email as string);
  realCursor = (await api.get('/api/invitations?size=1', { as: owner })).body._links.next.href.split('cursor=')[1];
  otherCollectionCursor = new URL(
    (await api.get(`/api/workspaces/${workspaceId}/invitations?size=1`, { as: owner })).body._links.next.href,
  ).searchParams.get('cursor') as string;
  before = await snapshotTable();
});

type Case = [name: string, method: string, path: () => string, request: () => ApiRequest, status: number];

const json = (body: unknown): ApiRequest => ({ as: owner, body });
const raw = (rawBody: string, contentType?: string): ApiRequest => ({
  as: owner,
  rawBody,
  headers: contentType ? { 'content-type': contentType } : {},
});
const invitations = () => `/api/workspaces/${workspaceId}/invitations`;

const cases: Case[] = [
  ['malformed JSON', 'POST', () => '/api/workspaces', () => raw('{"name": "x",', 'application/json'), 400],
  ['JSON null body', 'POST', () => '/api/workspaces', () => raw('null', 'application/json'), 400],
  ['JSON array body', 'POST', invitations, () => raw('[{"email":"a@example.com"}]', 'application/json'), 400],
  ['empty body with JSON type', 'POST', invitations, () => raw('', 'application/json'), 400],
  ['text/plain body', 'POST', invitations, () => raw('{"email":"a@example.com"}', 'text/plain'), 415],
  ['form body', 'POST', () => '/api/workspaces', () => raw('name=x', 'application/x-www-form-urlencoded'), 415],
  ['no content type', 'POST', invitations, () => raw('{"email":"a@example.com"}'), 415],
  ['body over 16 KiB', 'POST', () => '/api/workspaces', () => json({ name: 'x', pad: 'y'.repeat(17_000) }), 413],
  [
    'body over 16 KiB, base64',
    'POST',
    invitations,
    () => ({ ...raw(Buffer.from('x'.repeat(16_385)).toString('base64'), 'application/json') }),
    413,
  ],
  ['unknown field', 'POST', invitations, () => json({ email: 'new@example.com', admin: true }), 400],
  ['unknown field on workspace', 'POST', () => '/api/workspaces', () => json({ name: 'x', ownerId: 'someone' }), 400],
  ['missing email', 'POST', invitations, () => json({ role: 'MEMBER' }), 400],
  ['email not a string', 'POST', invitations, () => json({ email: ['a@example.com'] }), 400],
  ['invalid email', 'POST', invitations, () => json({ email: 'not-an-email' }), 400],
  [
    'email over 254 characters',
    'POST',
    invitations,
    () => json({ email: `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.com` }),
    400,
  ],
  ['invalid role', 'POST', invitations, () => json({ email: 'new@example.com', role: 'SUPERUSER' }), 400],
  ['lower-case role', 'POST', invitations, () => json({ email: 'new@example.com', role: 'admin' }), 400],
  ['empty workspace name', 'POST', () => '/api/workspaces', () => json({ name: '   ' }), 400],
  ['workspace name too long', 'POST', () => '/api/workspaces', () => json({ name: 'x'.repeat(101) }), 400],
  [
    'invalid allowed domain',
    'POST',
    () => '/api/workspaces',
    () => json({ name: 'x', allowedDomains: ['not a domain'] }),
    400,
  ],
  ['empty PATCH', 'PATCH', () => `/api/workspaces/${workspaceId}`, () => json({}), 400],
  ['TTL 0 days', 'PATCH', () => `/api/workspaces/${workspaceId}`, () => json({ invitationTtlDays: 0 }), 400],
  ['TTL 31 days', 'PATCH', () => `/api/workspaces/${workspaceId}`, () => json({ invitationTtlDays: 31 }), 400],
  ['TTL 1.5 days', 'PATCH', () => `/api/workspaces/${workspaceId}`, () => json({ invitationTtlDays: 1.5 }), 400],
  ['TTL as a string', 'PATCH', () => `/api/workspaces/${workspaceId}`, () => json({ invitationTtlDays: '7' }), 400],
  [
    'body on a bodiless route',
    'PATCH',
    () => `/api/invitations/${invitationId}`,
    () => json({ status: 'ACCEPTED' }),
    400,
  ],
  ['non-UUID invitation id', 'GET', () => '/api/invitations/123', () => ({ as: owner }), 400],
  ['non-UUID invitation id (accept)', 'PATCH', () => '/api/invitations/not-a-uuid', () => ({ as: owner }), 400],
  [
    'non-UUID invitation id (withdraw)',
    'PUT',
    () => '/api/invitations/1%27%20OR%201=1/revoked',
    () => ({ as: owner }),
    400,
  ],
  ['non-UUID invitation id (decline)', 'PUT', () => '/api/invitations/abc/declined', () => ({ as: owner }), 400],
  ['non-UUID invitation id (delete)', 'DELETE', () => '/api/invitations/abc', () => ({ as: owner }), 400],
  [
    'UUID that is not version 4',
    'GET',
    () => '/api/invitations/6ba7b810-9dad-11d1-80b4-00c04fd430c8',
    () => ({ as: owner }),
    400,
  ],
  ['non-UUID workspace id', 'GET', () => '/api/workspaces/WS%23123', () => ({ as: owner }), 400],
  [
    'non-UUID workspace id (invite)',
    'POST',
    () => '/api/workspaces/x/invitations',
    () => json({ email: 'a@example.com' }),
    400,
  ],
  ['non-UUID workspace id (members)', 'GET', () => '/api/workspaces/x/members', () => ({ as: owner }), 400],
  [
    'member id with a control character',
    'DELETE',
    () => `/api/workspaces/${workspaceId}/members/a%00b`,
    () => ({ as: owner }),
    400,
  ],
  [
    'member id with a bidi override',
    'DELETE',
    () => `/api/workspaces/${workspaceId}/members/a%E2%80%AEb`,
    () => ({ as: owner }),
    400,
  ],
  [
    'member id over 255 bytes',
    'DELETE',
    () => `/api/workspaces/${workspaceId}/members/${'%C3%A9'.repeat(128)}`,
    () => ({ as: owner }),
    400,
  ],
  ['size 0', 'GET', () => '/api/invitations?size=0', () => ({ as: owner }), 400],
  ['size 101', 'GET', () => '/api/invitations?size=101', () => ({ as: owner }), 400],
  ['size -1', 'GET', () => '/api/invitations?size=-1', () => ({ as: owner }), 400],
  ['size 1e9', 'GET', () => '/api/invitations?size=1e9', () => ({ as: owner }), 400],
  ['size 99999999999999999999', 'GET', () => `${invitations()}?size=99999999999999999999`, () => ({ as: owner }), 400],
  ['size 10.5', 'GET', () => '/api/workspaces?size=10.5', () => ({ as: owner }), 400],
  ['size abc', 'GET', () => `/api/workspaces/${workspaceId}/members?size=abc`, () => ({ as: owner }), 400],
  ['garbage cursor', 'GET', () => '/api/invitations?cursor=garbage', () => ({ as: owner }), 400],
  [
    'cursor with a forged payload',
    'GET',
    () =>
      `/api/invitations?cursor=${Buffer.from('{"s":"sent:x","n":0,"k":{}}').toString('base64url')}.${realCursor.split('.')[1]}`,
    () => ({ as: owner }),
    400,
  ],
  [
    'cursor with a flipped signature byte',
    'GET',
    () => `/api/invitations?cursor=${realCursor.slice(0, -1)}${realCursor.endsWith('A') ? 'B' : 'A'}`,
    () => ({ as: owner }),
    400,
  ],
  [
    'cursor from another collection',
    'GET',
    () => `/api/invitations?cursor=${otherCollectionCursor}`,
    () => ({ as: owner }),
    400,
  ],
  [
    'cursor from another user',
    'GET',
    () => `/api/invitations?cursor=${realCursor}`,
    () => ({ as: user('thief') }),
    400,
  ],
  [
    'cursor of 5000 characters',
    'GET',
    () => `/api/invitations?cursor=${'a'.repeat(4999)}.b`,
    () => ({ as: owner }),
    400,
  ],
  ['unknown status filter', 'GET', () => `${invitations()}?status=LOST`, () => ({ as: owner }), 400],
  ['unknown query parameter', 'GET', () => '/api/invitations?sort=desc', () => ({ as: owner }), 400],
  ['invalid email filter', 'GET', () => '/api/invitations?email=nobody', () => ({ as: owner }), 400],
];

for (const payload of INJECTIONS) {
  const encoded = encodeURIComponent(payload);
  cases.push(
    [
      `injection in allowedDomains: ${payload}`,
      'POST',
      () => '/api/workspaces',
      () => json({ name: 'ok', allowedDomains: [payload] }),
      400,
    ],
    [`injection in email: ${payload}`, 'POST', invitations, () => json({ email: payload }), 400],
    [
      `injection in role: ${payload}`,
      'POST',
      invitations,
      () => json({ email: 'new@example.com', role: payload }),
      400,
    ],
    [`injection in invitation id: ${payload}`, 'GET', () => `/api/invitations/${encoded}`, () => ({ as: owner }), 400],
    [
      `injection in workspace id: ${payload}`,
      'GET',
      () => `/api/workspaces/${encoded}/invitations`,
      () => ({ as: owner }),
      400,
    ],
    [
      // Any printable text may be a user id (identity providers issue such subs): it names no member here.
      `injection in member id: ${payload}`,
      'DELETE',
      () => `/api/workspaces/${workspaceId}/members/${encoded}`,
      () => ({ as: owner }),
      /\p{Cc}/u.test(payload) ? 400 : 404,
    ],
    [`injection in status: ${payload}`, 'GET', () => `${invitations()}?status=${encoded}`, () => ({ as: owner }), 400],
    [
      `injection in email filter: ${payload}`,
      'GET',
      () => `/api/invitations?email=${encoded}`,
      () => ({ as: owner }),
      400,
    ],
    [`injection in size: ${payload}`, 'GET', () => `/api/invitations?size=${encoded}`, () => ({ as: owner }), 400],
    [`injection in cursor: ${payload}`, 'GET', () => `/api/invitations?cursor=${encoded}`, () => ({ as: owner }), 400],
  );
}

for (const name of NAME_INJECTIONS) {
  cases.push(
    [`hostile name: ${JSON.stringify(name).slice(0, 60)}`, 'POST', () => '/api/workspaces', () => json({ name }), 400],
    [
      `hostile PATCH name: ${JSON.stringify(name).slice(0, 60)}`,
      'PATCH',
      () => `/api/workspaces/${workspaceId}`,
      () => json({ name }),
      400,
    ],
  );
}

describe('bad input', () => {
  it.each(cases)('%s → %s %s', async (_name, method, path, request, status) => {
    const response = await call(method, path(), request());
    expect(response.status, response.raw).toBe(status);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.body).toMatchObject({ status, type: expect.stringMatching(/^urn:problem:invitations:/) });
    expect(response.body.detail).toEqual(expect.any(String));
  });

  it('names each offending field', async () => {
    const response = await api.post(invitations(), json({ email: 'nope', role: 'KING', extra: 1 }));
    expect(response.body.errors).toEqual(
      expect.arrayContaining([
        { path: 'body.email', message: 'email must be a valid email address' },
        { path: 'body.role', message: 'role must be one of OWNER, ADMIN, MEMBER' },
        { path: 'body.extra', message: 'extra is not a known field' },
      ]),
    );
  });

  it('left the table exactly as it was', async () => {
    expect(await snapshotTable()).toBe(before);
  });
});
