/** The local gateway's API Gateway behaviour, with stand-in handlers: events in, results out. */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context } from 'aws-lambda';
import { exportJWK, generateKeyPair, importJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corsPolicy } from '../../local/cors';
import { type ApiHandler, createGateway } from '../../local/gateway';
import {
  externalVerifier,
  LOCAL_AUDIENCE,
  LOCAL_ISSUER,
  type LocalKey,
  localVerifier,
  mintToken,
} from '../../local/identity';

let key: LocalKey;
let gateway: Server;
let base: string;
const seen: Array<{ event: APIGatewayProxyEventV2WithJWTAuthorizer; context: Context }> = [];
let respond: (event: APIGatewayProxyEventV2WithJWTAuthorizer) => unknown = () => ({ statusCode: 204 });

async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: 'test', alg: 'RS256' };
  const { d, p, q, dp, dq, qi, ...publicJwk } = jwk;
  key = { privateJwk: jwk, publicJwk };
  const handler: ApiHandler = async (event, context) => {
    seen.push({ event: event as APIGatewayProxyEventV2WithJWTAuthorizer, context });
    return respond(event as APIGatewayProxyEventV2WithJWTAuthorizer);
  };
  gateway = createGateway({
    loadHandler: async () => handler,
    verifier: localVerifier(key),
    cors: corsPolicy([]),
    functionPrefix: 'local-',
    logError: () => undefined,
  });
  base = await listen(gateway);
});

afterAll(() => {
  gateway.closeAllConnections();
  gateway.close();
});

async function last() {
  return seen[seen.length - 1] as (typeof seen)[number];
}

describe('the local gateway', () => {
  it('builds a payload 2.0 event with raw path and query, cookies, lower-cased headers and string claims', async () => {
    const token = await mintToken(key, { sub: 'user-1', email: 'u1@example.com', name: 'U One', admin: true });
    const response = await fetch(`${base}/api/workspaces/ws%201/members?size=5&tag=a&tag=b`, {
      headers: { Authorization: `Bearer ${token}`, Cookie: 'a=1; b=2', 'X-Custom': 'Yes' },
    });
    expect(response.status).toBe(204);
    const { event, context } = await last();
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'GET /api/workspaces/{workspaceId}/members',
      rawPath: '/api/workspaces/ws%201/members',
      rawQueryString: 'size=5&tag=a&tag=b',
      cookies: ['a=1', 'b=2'],
      queryStringParameters: { size: '5', tag: 'a,b' },
      pathParameters: { workspaceId: 'ws 1' },
      isBase64Encoded: false,
      requestContext: {
        routeKey: 'GET /api/workspaces/{workspaceId}/members',
        stage: '$default',
        http: { method: 'GET', path: '/api/workspaces/ws%201/members', sourceIp: '127.0.0.1' },
        authorizer: {
          jwt: {
            claims: {
              sub: 'user-1',
              email: 'u1@example.com',
              email_verified: 'true',
              scope: 'openid invitations:admin',
            },
            scopes: ['openid', 'invitations:admin'],
          },
        },
      },
    });
    expect(event.headers['x-custom']).toBe('Yes');
    expect(event.headers['x-forwarded-proto']).toBe('http');
    expect(event.headers.cookie).toBeUndefined();
    expect(event.requestContext.time).toMatch(/^\d{2}\/\w{3}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    expect(typeof event.requestContext.authorizer.jwt.claims.exp).toBe('string');
    expect(context.functionName).toBe('local-list-members');
    expect(context.awsRequestId).toBe(event.requestContext.requestId);
    expect(response.headers.get('apigw-requestid')).toBe(event.requestContext.requestId);
  });

  it('passes text bodies as text and other bodies base64-encoded', async () => {
    const token = await mintToken(key, { sub: 'user-2' });
    await fetch(`${base}/api/workspaces`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{"name":"é"}',
    });
    expect((await last()).event).toMatchObject({ body: '{"name":"é"}', isBase64Encoded: false });
    await fetch(`${base}/api/workspaces`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'image/png' },
      body: new Uint8Array([0, 255, 1]),
    });
    expect((await last()).event).toMatchObject({ body: 'AP8B', isBase64Encoded: true });

    const before = seen.length;
    const huge = await fetch(`${base}/api/workspaces`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: 'x'.repeat(10 * 1024 * 1024 + 1),
    });
    expect(huge.status).toBe(413);
    expect(seen.length).toBe(before);
  });

  it('maps results back: status, headers, cookies, base64 bodies, unstructured results and failures', async () => {
    respond = () => ({
      statusCode: 201,
      headers: { 'Content-Type': 'application/octet-stream', Location: '/x' },
      cookies: ['a=1; Path=/', 'b=2'],
      body: Buffer.from([1, 2, 3]).toString('base64'),
      isBase64Encoded: true,
    });
    const structured = await fetch(`${base}/api/openapi.json`);
    expect(structured.status).toBe(201);
    expect(structured.headers.get('location')).toBe('/x');
    expect(structured.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2']);
    expect([...new Uint8Array(await structured.arrayBuffer())]).toEqual([1, 2, 3]);

    respond = () => ({ hello: 'world' });
    const plain = await fetch(`${base}/api/openapi.json`);
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toBe('application/json');
    expect(await plain.json()).toEqual({ hello: 'world' });

    respond = () => {
      throw new Error('handler crashed');
    };
    const failed = await fetch(`${base}/api/openapi.json`);
    expect(failed.status).toBe(500);
    expect(await failed.json()).toEqual({ message: 'Internal Server Error' });
    respond = () => ({ statusCode: 204 });
  });

  it('answers 503 when a handler outlives the integration timeout', async () => {
    const slow = createGateway({
      loadHandler: async () => () => new Promise((resolve) => setTimeout(() => resolve({ statusCode: 200 }), 500)),
      verifier: localVerifier(key),
      timeoutMs: 50,
      logError: () => undefined,
    });
    const url = await listen(slow);
    try {
      const response = await fetch(`${url}/api/openapi.json`);
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ message: 'Service Unavailable' });
    } finally {
      slow.closeAllConnections();
      slow.close();
    }
  });

  it('runs no handler for a refused token, and answers CORS preflights only when origins are configured', async () => {
    const before = seen.length;
    const refused = await fetch(`${base}/api/workspaces`, { headers: { authorization: 'Basic abc' } });
    expect(refused.status).toBe(401);
    const preflight = await fetch(`${base}/api/workspaces`, {
      method: 'OPTIONS',
      headers: { origin: 'http://app.example', 'access-control-request-method': 'GET' },
    });
    expect(preflight.status).toBe(404);
    expect(seen.length).toBe(before);
  });
});

describe('an external issuer', () => {
  it('verifies tokens against the JWKS it publishes, with its issuer and audience', async () => {
    const jwksServer = createServer((_, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ keys: [key.publicJwk] }));
    });
    const jwksUrl = `${await listen(jwksServer)}/jwks.json`;
    try {
      const verifier = externalVerifier('https://issuer.example/', 'my-api', jwksUrl);
      const privateKey = await importJWK(key.privateJwk, 'RS256');
      const signWith = async (audience: string, issuer?: string) =>
        new SignJWT({})
          .setProtectedHeader({ alg: 'RS256', kid: 'test' })
          .setSubject('ext-1')
          .setIssuer(issuer ?? 'https://issuer.example/')
          .setAudience(audience)
          .setExpirationTime('5m')
          .sign(privateKey);
      expect(await verifier.verify(await signWith('my-api'))).toMatchObject({ claims: { sub: 'ext-1' } });
      expect(await verifier.verify(await signWith('other-api'))).toEqual({
        error: 'the token does not have a valid audience',
        status: 401,
      });
      expect(await verifier.verify(await signWith('my-api', 'https://elsewhere.example/'))).toHaveProperty('error');
    } finally {
      jwksServer.close();
    }
  });
});

describe("the JWT authorizer's rules, one by one", () => {
  const now = () => Math.floor(Date.now() / 1000);
  /** A token signed with the local key; `claims` and `header` replace the valid defaults (undefined removes). */
  async function tokenWith(claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}) {
    const defaults = { sub: 'rule-user', iss: LOCAL_ISSUER, aud: LOCAL_AUDIENCE, iat: now(), exp: now() + 300 };
    const payload = Object.fromEntries(
      Object.entries({ ...defaults, ...claims }).filter(([, value]) => value !== undefined),
    );
    const protectedHeader = Object.fromEntries(
      Object.entries({ alg: 'RS256', kid: key.privateJwk.kid, ...header }).filter(([, value]) => value !== undefined),
    );
    return new SignJWT(payload)
      .setProtectedHeader(protectedHeader as { alg: string })
      .sign(await importJWK(key.privateJwk, 'RS256'));
  }

  const refusals: [string, () => Promise<string>, string][] = [
    [
      'no kid header, though the JWKS has a single key',
      () => tokenWith({}, { kid: undefined }),
      'the token has no kid header',
    ],
    ['a kid the JWKS does not have', () => tokenWith({}, { kid: 'other' }), 'no key of the issuer matches the token'],
    ['another issuer', () => tokenWith({ iss: 'https://elsewhere.example/' }), 'the token has an invalid iss claim'],
    [
      'a wrong aud beside the right client_id',
      () => tokenWith({ aud: 'other', client_id: LOCAL_AUDIENCE }),
      'the token does not have a valid audience',
    ],
    [
      'no aud and a wrong client_id',
      () => tokenWith({ aud: undefined, client_id: 'other' }),
      'the token does not have a valid audience',
    ],
    ['no exp', () => tokenWith({ exp: undefined }), 'the token has no exp claim'],
    ['an exp in the past', () => tokenWith({ exp: now() - 1 }), 'the token has expired'],
    ['an nbf in the future', () => tokenWith({ nbf: now() + 60 }), 'the token has an invalid nbf claim'],
    ['an iat in the future', () => tokenWith({ iat: now() + 60 }), 'the token has an invalid iat claim'],
    [
      'an HMAC signature',
      async () => {
        return new SignJWT({ sub: 'x', iss: LOCAL_ISSUER, aud: LOCAL_AUDIENCE, exp: now() + 60 })
          .setProtectedHeader({ alg: 'HS256', kid: key.privateJwk.kid })
          .sign(new TextEncoder().encode('a shared secret of enough length'));
      },
      'the token is malformed or cannot be verified',
    ],
  ];

  it.each(refusals)('refuses a token with %s: 401, and no handler runs', async (_, token, reason) => {
    const verifier = localVerifier(key);
    expect(await verifier.verify(await token())).toEqual({ error: reason, status: 401 });
    const before = seen.length;
    const response = await fetch(`${base}/api/workspaces`, { headers: { authorization: `Bearer ${await token()}` } });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(
      `Bearer scope="" error="invalid_token" error_description="${reason}"`,
    );
    expect(seen.length).toBe(before);
  });

  it('takes client_id for the audience only when the token has no aud', async () => {
    const verifier = localVerifier(key);
    expect(await verifier.verify(await tokenWith({ aud: undefined, client_id: LOCAL_AUDIENCE }))).toMatchObject({
      claims: { sub: 'rule-user' },
    });
    expect(await verifier.verify(await tokenWith({ aud: ['other', LOCAL_AUDIENCE] }))).toMatchObject({
      claims: { sub: 'rule-user' },
    });
  });

  it('accepts a token without iat or nbf, and one whose nbf has passed', async () => {
    const verifier = localVerifier(key);
    expect(await verifier.verify(await tokenWith({ iat: undefined }))).toHaveProperty('claims');
    expect(await verifier.verify(await tokenWith({ nbf: now() - 5 }))).toHaveProperty('claims');
  });

  it("requires one of a route's authorization scopes, from scope or scp: 403 otherwise", async () => {
    const verifier = localVerifier(key);
    const required = ['invitations:write', 'invitations:admin'];
    expect(await verifier.verify(await tokenWith({ scope: 'openid invitations:write' }), required)).toHaveProperty(
      'claims',
    );
    expect(await verifier.verify(await tokenWith({ scp: ['invitations:admin'] }), required)).toHaveProperty('claims');
    expect(await verifier.verify(await tokenWith({ scope: 'openid' }), required)).toEqual({
      error: 'the token does not have the scopes this route requires',
      status: 403,
    });
    expect(await verifier.verify(await tokenWith({ scope: 'openid' }), [])).toHaveProperty('claims');
  });

  it('takes the token alone or after Bearer, and nothing else', async () => {
    const token = await tokenWith();
    for (const [header, status] of [
      [token, 204],
      [`Bearer ${token}`, 204],
      [`bearer ${token}`, 204],
      [`Basic ${token}`, 401],
      [`Bearer ${token} extra`, 401],
      ['Bearer', 401],
      ['', 401],
    ] as const) {
      const response = await fetch(`${base}/api/workspaces`, { headers: header ? { authorization: header } : {} });
      expect(response.status, header.slice(0, 12)).toBe(status);
    }
  });
});
