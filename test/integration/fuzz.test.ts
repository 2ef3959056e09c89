/**
 * Nothing a client sends may produce a 5xx. Every route receives a few hundred hostile or random
 * requests (odd path parameters, query strings, bodies, content types); each must be answered
 * with a status below 500, and every error as problem+json.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../functions/routes';
import { type ApiRequest, call, type Identity, user } from '../support/api';
import { createWorkspace, invite } from '../support/fixtures';
import '../support/link-key';
import { INVITATION_PREFIX, MEMBER_PREFIX, WORKSPACE_PREFIX } from '../../functions/store/keys';

/** A small deterministic generator, so a failure can be replayed. */
function generator(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  return { next, pick };
}

const STRINGS = [
  '',
  ' ',
  'null',
  '0',
  '-1',
  '1e309',
  'NaN',
  'true',
  '%00',
  '%',
  '%E0%A4%A',
  '..%2F..%2F',
  "' OR 1=1 --",
  '<svg onload=alert(1)>',
  '{{7*7}}',
  'ａｄｍｉｎ',
  '🙂'.repeat(50),
  'a'.repeat(3000),
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-4fff-bfff-ffffffffffff',
  `${INVITATION_PREFIX}1`,
  `${WORKSPACE_PREFIX}x`,
  `${MEMBER_PREFIX}y`,
  '__proto__',
  'constructor',
];

const BODIES: (string | undefined)[] = [
  undefined,
  '',
  '{}',
  '[]',
  'null',
  '0',
  '"text"',
  '{"email":null}',
  '{"email":{"$ne":1}}',
  '{"__proto__":{"admin":true}}',
  '{"constructor":{"prototype":{"x":1}}}',
  '{"name":["a"]}',
  '{"name":"ok","allowedDomains":"example.com"}',
  '{"invitationTtlDays":1e400}',
  '{"role":"OWNER","email":"a@example.com","email":"b@example.com"}',
  `{"a":${'['.repeat(5000)}${']'.repeat(5000)}}`,
  '\u0000',
  '{"email":"a@example.com"',
];

const CONTENT_TYPES = [
  undefined,
  'application/json',
  'application/json; charset=utf-16',
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/vnd.api+json',
  '*/*',
  'application/jsonp',
];

let caller: Identity;
let workspaceId: string;
let invitationId: string;

beforeAll(async () => {
  caller = user('fuzzer');
  workspaceId = await createWorkspace(caller);
  invitationId = await invite(caller, workspaceId, user('target').email as string);
});

describe('no client input produces a 5xx', () => {
  for (const route of routes) {
    it(`${route.method} ${route.path}`, async () => {
      const random = generator(route.path.length * 31 + route.method.length);
      for (let i = 0; i < 60; i++) {
        const path = route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
          if (random.next() < 0.3)
            return name === 'workspaceId' ? workspaceId : name === 'invitationId' ? invitationId : caller.sub;
          return encodeURIComponent(random.pick(STRINGS));
        });
        const query =
          random.next() < 0.5
            ? ''
            : `?${random.pick(['size', 'cursor', 'email', 'status', 'x', '__proto__'])}=${encodeURIComponent(random.pick(STRINGS))}`;
        const body = random.pick(BODIES);
        const contentType = random.pick(CONTENT_TYPES);
        const request: ApiRequest = {
          as: random.next() < 0.9 ? caller : undefined,
          rawBody: body,
          headers: contentType ? { 'content-type': contentType } : {},
        };
        let response: Awaited<ReturnType<typeof call>>;
        try {
          response = await call(route.method, `${path}${query}`, request);
        } catch (error) {
          // The route matcher refuses a path with an empty segment, as API Gateway would (404).
          if (String(error).includes('no route')) continue;
          throw error;
        }
        const context = `${route.method} ${path}${query} body=${JSON.stringify(body)?.slice(0, 80)} type=${contentType}`;
        expect(response.status, `${context}\n${response.raw.slice(0, 300)}`).toBeLessThan(500);
        if (response.status >= 400) expect(response.headers['content-type'], context).toBe('application/problem+json');
      }
    });
  }
});
