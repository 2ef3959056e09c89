/** The local gateway's request log, its own domain in links, and its answer to unparseable requests. */
import { once } from 'node:events';
import { request, type Server } from 'node:http';
import { connect } from 'node:net';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHandler, createGateway } from '../../local/gateway';
import type { TokenVerifier } from '../../local/identity';
import { maskSecrets, requestLogLine } from '../../local/request-log';
import { waitFor } from '../support/wait-for';

const lines: string[] = [];
const events: APIGatewayProxyEventV2[] = [];
let gateway: Server;
let port: number;

beforeAll(async () => {
  const handler: ApiHandler = async (event) => {
    events.push(event);
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{}' };
  };
  gateway = createGateway({
    loadHandler: async () => handler,
    verifier: { verify: async () => ({ error: 'no token', status: 401 }) } as unknown as TokenVerifier,
    publicHost: 'localhost:3999',
    logRequest: (line) => lines.push(line),
  });
  gateway.listen(0, '127.0.0.1');
  await once(gateway, 'listening');
  port = (gateway.address() as { port: number }).port;
});

afterAll(() => {
  gateway.close();
});

const LINK_TOKEN = 'b1946ac9-2a3c-4c2e-9a4d-3b1d2f0e9c11.Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0';

describe('the request log', () => {
  it('writes one line per request: method, route template, status, duration, request id; no token', async () => {
    lines.length = 0;
    const answered = await fetch(`http://127.0.0.1:${port}/api/invitation-tokens/${LINK_TOKEN}`);
    expect(answered.status).toBe(200);
    const requestId = answered.headers.get('apigw-requestid');
    const missing = await fetch(`http://127.0.0.1:${port}/nowhere/alice@example.com?email=bob@example.com`);
    expect(missing.status).toBe(404);
    // A line is written once its response has gone out.
    await waitFor(() => lines.length >= 2, { what: 'a log line for each request' });

    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^GET /api/invitation-tokens/\\{token\\} 200 \\d+ ms ${requestId}$`));
    expect(lines[1]).toMatch(/^GET \/nowhere\/a…@example\.com 404 \d+ ms$/);
    expect(lines.join('\n')).not.toContain('Zm9vYmFy');
    expect(lines.join('\n')).not.toContain('bob');
  });

  it('masks email addresses (encoded or not), JWTs and link tokens', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlc2lnbmF0dXJl';
    expect(maskSecrets(`/x/alice%40example.com/${jwt}/${LINK_TOKEN}`)).toBe('/x/a…@example.com/…/…');
    expect(
      requestLogLine({ method: 'POST', route: '/api/workspaces', status: 201, durationMs: 12.4, requestId: 'r-1' }),
    ).toBe('POST /api/workspaces 201 12 ms r-1');
  });
});

describe('what handlers see and what clients get', () => {
  it("builds the event's domainName from the gateway's own host, whatever Host the client sent", async () => {
    events.length = 0;
    const sent = request({ port, host: '127.0.0.1', path: `/api/invitation-tokens/${LINK_TOKEN}` });
    sent.setHeader('host', 'attacker.example');
    sent.end();
    const [answer] = await once(sent, 'response');
    answer.resume();
    await once(answer, 'end');
    expect(events[0]?.requestContext.domainName).toBe('localhost:3999');
    expect(events[0]?.headers.host).toBe('attacker.example');
  });

  it('answers a request with a line break inside a header with a problem detail that names the cause', async () => {
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    socket.write('GET /api/invitations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \n> banner\r\n\r\n');
    let raw = '';
    socket.on('data', (chunk) => {
      raw += chunk;
    });
    await once(socket, 'close');
    const [head, body] = raw.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(head).toContain('content-type: application/problem+json');
    expect(JSON.parse(body as string)).toMatchObject({ status: 400, title: 'Bad Request' });
    expect(JSON.parse(body as string).detail).toContain('npm run -s token');
  });
});
