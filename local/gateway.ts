/**
 * The local HTTP gateway: serves exactly the shared route table the way an API Gateway HTTP API
 * does. It builds payload 2.0 events (./gateway-event.ts), validates bearer tokens like the JWT
 * authorizer, invokes the handlers in-process and maps their results back to HTTP. It also
 * serves the JWKS of the local identity, the API reference at /docs and the page invitation
 * links open (/accept).
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { extname, join, normalize } from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { JWTPayload } from 'jose';
import { ACCEPT_PAGE_CSP, ACCEPT_PAGE_FILES } from './accept-page';
import { type CorsPolicy, corsHeaders, isPreflight, preflightHeaders } from './cors';
import { buildEvent, lowerCaseHeaders } from './gateway-event';
import type { TokenVerifier, Verification } from './identity';
import { lambdaContext } from './lambda-context';
import { requestLogLine } from './request-log';
import { matchRoute } from './route-matcher';

export type ApiHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;

export interface GatewayOptions {
  /** Resolves a route's handler module (imported once, on first use, like a cold start). */
  loadHandler(name: string): Promise<ApiHandler>;
  verifier: TokenVerifier;
  /** Absent: no CORS, as when the deployed API has no allowed origins. */
  cors?: CorsPolicy;
  /** The local identity's public keys, served at /.well-known/jwks.json; absent with an external issuer. */
  jwks?: unknown;
  /** Function names are `<prefix><handler>`. */
  functionPrefix?: string;
  /** API Gateway's integration timeout: a handler slower than this gets a 503, as in AWS. */
  timeoutMs?: number;
  /** Where handler crashes are reported (default: stderr). */
  logError?(message: string, error: unknown): void;
  /**
   * The API's own host and port, which handlers build absolute links from (`domainName`), as
   * API Gateway gives its own domain whatever `Host` a client sent. Default: the request's Host.
   */
  publicHost?: string;
  /**
   * Local only: signs the invitee of a link in through the local identity, for the accept page's
   * "Continue as …". Resolves undefined when the link does not lead to a pending invitation.
   */
  localSignIn?(linkToken: string): Promise<LocalSignIn | undefined>;
  /** Receives one line per answered request (local/request-log.ts); absent: no request log. */
  logRequest?(line: string): void;
}

const TIMED_OUT = Symbol('timed out');
/** API Gateway HTTP APIs accept payloads up to 10 MB. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
const SWAGGER_UI = createRequire(import.meta.url)('swagger-ui-dist').getAbsoluteFSPath() as string;

export function createGateway(options: GatewayOptions): Server {
  const handlers = new Map<string, Promise<ApiHandler>>();
  const handlerFor = (name: string) => {
    let handler = handlers.get(name);
    if (!handler) {
      handler = options.loadHandler(name);
      handlers.set(name, handler);
      handler.catch(() => handlers.delete(name));
    }
    return handler;
  };

  const server = createServer((request, response) => {
    const started = performance.now();
    const seen: Served = {};
    if (options.logRequest) {
      const log = options.logRequest;
      response.once('finish', () => {
        const { requestId } = seen;
        log(
          requestLogLine({
            method: (request.method ?? 'GET').toUpperCase(),
            route: seen.route ?? new URL(request.url ?? '/', 'http://localhost').pathname,
            status: response.statusCode,
            durationMs: performance.now() - started,
            ...(requestId ? { requestId } : {}),
          }),
        );
      });
    }
    serve(request, response, options, handlerFor, seen).catch((error) => {
      // A client that went away mid-request is not an error of the service.
      if ((error as NodeJS.ErrnoException).code === 'ECONNRESET' || request.destroyed) return;
      console.error('gateway: request failed', error);
      if (!response.headersSent) send(response, 500, { 'content-type': 'application/json' }, internalError());
      else response.destroy();
    });
  });
  // A request Node cannot parse (a header value with a line break, as when a captured token
  // includes npm's banner lines) gets a problem detail instead of a bare 400 with no body.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable || error.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const body = JSON.stringify({
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      detail:
        'The request could not be parsed: a header is malformed (a line break in a header value?). ' +
        "A token captured with `T=$(npm run token -- …)` holds npm's banner lines: use `npm run -s token -- …`.",
    });
    socket.end(
      `HTTP/1.1 400 Bad Request\r\ncontent-type: application/problem+json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });
  return server;
}

export interface LocalSignIn {
  email: string;
  accessToken: string;
  invitationId: string;
}

async function signInLocally(
  request: IncomingMessage,
  response: ServerResponse,
  localSignIn: NonNullable<GatewayOptions['localSignIn']>,
): Promise<void> {
  const problem = (status: number, title: string, detail: string) =>
    send(
      response,
      status,
      { 'content-type': 'application/problem+json' },
      JSON.stringify({ type: 'about:blank', title, status, detail }),
    );
  const body = await readBody(request);
  let linkToken: unknown;
  try {
    linkToken = (JSON.parse(body?.toString('utf8') ?? '') as { token?: unknown }).token;
  } catch {
    linkToken = undefined;
  }
  if (typeof linkToken !== 'string' || !linkToken || linkToken.length > 200) {
    problem(400, 'Bad Request', 'Send {"token": "<the token of the invitation link>"}.');
    return;
  }
  const signedIn = await localSignIn(linkToken);
  if (!signedIn) {
    problem(404, 'Not Found', 'This link does not lead to a pending invitation.');
    return;
  }
  send(response, 200, { 'content-type': 'application/json', 'cache-control': 'no-store' }, JSON.stringify(signedIn));
}

/** What serving a request found out, for its log line. */
interface Served {
  route?: string;
  requestId?: string;
}

async function serve(
  request: IncomingMessage,
  response: ServerResponse,
  options: GatewayOptions,
  handlerFor: (name: string) => Promise<ApiHandler>,
  seen: Served = {},
): Promise<void> {
  const method = (request.method ?? 'GET').toUpperCase();
  const url = new URL(request.url ?? '/', 'http://localhost');
  const rawPath = url.pathname;
  const headers = lowerCaseHeaders(request);
  const cors = corsHeaders(options.cors, headers.origin);

  if (isPreflight(options.cors, method, headers)) {
    send(response, 204, preflightHeaders(options.cors, headers), '');
    return;
  }
  if (method === 'GET' && rawPath === '/.well-known/jwks.json' && options.jwks) {
    send(response, 200, { 'content-type': 'application/json', ...cors }, JSON.stringify(options.jwks));
    return;
  }
  const pageFile = method === 'GET' ? ACCEPT_PAGE_FILES.get(rawPath) : undefined;
  if (pageFile) {
    const [contentType, content] = pageFile;
    send(response, 200, { 'content-type': contentType, 'content-security-policy': ACCEPT_PAGE_CSP }, content);
    return;
  }
  if (method === 'POST' && rawPath === '/_local/sign-in' && options.localSignIn) {
    seen.route = rawPath;
    await signInLocally(request, response, options.localSignIn);
    return;
  }
  if (method === 'GET' && (rawPath === '/' || rawPath === '/docs' || rawPath.startsWith('/docs/'))) {
    await serveDocs(rawPath, response);
    return;
  }

  const match = matchRoute(method, rawPath);
  if (!match.route) {
    send(response, 404, { 'content-type': 'application/json', ...cors }, JSON.stringify({ message: 'Not Found' }));
    return;
  }
  const { route, pathParameters } = match;
  seen.route = route.path;

  let claims: JWTPayload | undefined;
  if (route.auth === 'jwt') {
    // No route of the service has authorization scopes (the deployed routes configure none).
    const scopes: readonly string[] = [];
    const outcome = await authorize(options.verifier, headers.authorization, scopes);
    if ('error' in outcome) {
      const insufficient = outcome.status === 403;
      send(
        response,
        outcome.status,
        {
          'content-type': 'application/json',
          'www-authenticate': `Bearer scope="${scopes.join(' ')}" error="${insufficient ? 'insufficient_scope' : 'invalid_token'}" error_description="${outcome.error}"`,
          ...cors,
        },
        JSON.stringify({ message: insufficient ? 'Forbidden' : 'Unauthorized' }),
      );
      return;
    }
    claims = outcome.claims;
  }

  const body = await readBody(request);
  if (!body) {
    const tooLarge = JSON.stringify({ message: 'Request Entity Too Large' });
    send(response, 413, { 'content-type': 'application/json', connection: 'close', ...cors }, tooLarge);
    return;
  }
  const domainName = options.publicHost ?? headers.host ?? 'localhost';
  const event = buildEvent({ request, method, url, headers, route, pathParameters, body, claims, domainName });
  seen.requestId = event.requestContext.requestId;
  const functionName = `${options.functionPrefix ?? ''}${route.handler}`;
  const timeoutMs = options.timeoutMs ?? 29_000;
  const context = lambdaContext(functionName, timeoutMs, event.requestContext.requestId);

  let result: unknown;
  let timer: NodeJS.Timeout | undefined;
  try {
    const handler = await handlerFor(route.handler);
    const timedOut = new Promise<typeof TIMED_OUT>((resolve) => {
      timer = setTimeout(() => resolve(TIMED_OUT), timeoutMs);
    });
    result = await Promise.race([handler(event, context), timedOut]);
    if (result === TIMED_OUT) {
      (options.logError ?? console.error)(`gateway: ${functionName} did not answer within ${timeoutMs} ms`, undefined);
      const unavailable = JSON.stringify({ message: 'Service Unavailable' });
      send(response, 503, { 'content-type': 'application/json', ...cors }, unavailable);
      return;
    }
  } catch (error) {
    (options.logError ?? console.error)(`gateway: ${functionName} failed`, error);
    send(response, 500, { 'content-type': 'application/json', ...cors }, internalError());
    return;
  } finally {
    clearTimeout(timer);
  }
  writeResult(response, result, { 'apigw-requestid': event.requestContext.requestId, ...cors });
}

/** The identity source holds the token alone or prefixed with `Bearer`, as API Gateway takes it. */
async function authorize(
  verifier: TokenVerifier,
  header: string | undefined,
  scopes: readonly string[],
): Promise<Verification> {
  const token = /^(?:Bearer\s+)?([^\s]+)\s*$/i.exec(header ?? '')?.[1];
  if (!token) return { error: 'the Authorization header is missing or holds no token', status: 401 };
  return verifier.verify(token, scopes);
}

/** The body, or undefined if it exceeds API Gateway's payload limit. */
async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_PAYLOAD_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Maps a handler result the way payload 2.0 does, including results that are not structured. */
function writeResult(response: ServerResponse, result: unknown, extra: Record<string, string>): void {
  const structured =
    typeof result === 'object' && result !== null && 'statusCode' in result
      ? (result as APIGatewayProxyStructuredResultV2)
      : undefined;
  if (!structured) {
    const body = typeof result === 'string' ? result : JSON.stringify(result ?? null);
    send(response, 200, { 'content-type': 'application/json', ...extra }, body);
    return;
  }
  const headers: Record<string, string | string[]> = { ...extra };
  for (const [name, value] of Object.entries(structured.headers ?? {})) headers[name.toLowerCase()] = String(value);
  if (structured.cookies?.length) headers['set-cookie'] = structured.cookies;
  const raw = structured.body ?? '';
  const body = structured.isBase64Encoded ? Buffer.from(raw, 'base64') : raw;
  send(response, structured.statusCode ?? 200, headers, body);
}

function send(
  response: ServerResponse,
  status: number,
  headers: Record<string, string | string[]>,
  body: string | Buffer,
): void {
  response.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

function internalError(): string {
  return JSON.stringify({ message: 'Internal Server Error' });
}

const DOC_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.map': 'application/json',
};

/** Swagger UI from swagger-ui-dist, configured to read this API's own OpenAPI document. */
async function serveDocs(rawPath: string, response: ServerResponse): Promise<void> {
  if (rawPath === '/' || rawPath === '/docs') {
    send(response, 302, { location: '/docs/' }, '');
    return;
  }
  const file = rawPath === '/docs/' ? 'index.html' : normalize(rawPath.slice('/docs/'.length));
  if (file === 'swagger-initializer.js') {
    send(response, 200, { 'content-type': DOC_TYPES['.js'] as string }, SWAGGER_INITIALIZER);
    return;
  }
  if (file.startsWith('..') || file.includes('/') || file.includes('\\')) {
    send(response, 404, { 'content-type': 'application/json' }, JSON.stringify({ message: 'Not Found' }));
    return;
  }
  try {
    const content = await readFile(join(SWAGGER_UI, file));
    send(response, 200, { 'content-type': DOC_TYPES[extname(file)] ?? 'application/octet-stream' }, content);
  } catch {
    send(response, 404, { 'content-type': 'application/json' }, JSON.stringify({ message: 'Not Found' }));
  }
}

const SWAGGER_INITIALIZER = `window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: '/api/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    persistAuthorization: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: 'StandaloneLayout',
  });
};
`;
