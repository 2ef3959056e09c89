/**
 * Invokes the real handlers with API Gateway HTTP API (payload 2.0) events, the way the deployed
 * API does after its JWT authorizer has validated the token.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { lambdaContext as localLambdaContext } from '../../local/lambda-context';
import { matchRoute } from '../../local/route-matcher';
import { runAs } from './declared-access';

export interface Identity {
  sub: string;
  email?: string;
  emailVerified?: boolean;
  name?: string;
  admin?: boolean;
}

export interface ApiRequest {
  as?: Identity;
  body?: unknown;
  /** Sent as is; when absent, `body` is JSON-encoded. */
  rawBody?: string;
  headers?: Record<string, string>;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  // biome-ignore lint/suspicious/noExplicitAny: tests assert response bodies field by field
  body: any;
  raw: string;
}

let counter = 0;

/** A user with a unique id and verified email. */
export function user(label: string, overrides: Partial<Identity> = {}): Identity {
  counter += 1;
  const id = `${label}-${counter}-${randomUUID().slice(0, 8)}`;
  return { sub: `user|${id}`, email: `${id}@example.com`, emailVerified: true, name: `User ${label}`, ...overrides };
}

/** The same Lambda-like context the local runner gives its handlers, with a 10 s deadline. */
export const lambdaContext = (functionName = 'test'): Context => localLambdaContext(functionName, 10_000);

export function apiEvent(
  method: string,
  target: string,
  request: ApiRequest = {},
): { event: APIGatewayProxyEventV2WithJWTAuthorizer; handler: string } {
  const url = new URL(target, 'https://api.test');
  const match = matchRoute(method, url.pathname);
  if (!match.route) throw new Error(`no route for ${method} ${url.pathname}`);
  const { route, pathParameters } = match;
  const body = request.rawBody ?? (request.body === undefined ? undefined : JSON.stringify(request.body));
  const headers: Record<string, string> = {
    host: 'api.test',
    'x-forwarded-proto': 'https',
    ...(request.body !== undefined ? { 'content-type': 'application/json' } : {}),
    ...request.headers,
  };
  const query = Object.fromEntries(url.searchParams.entries());
  const identity = request.as;
  const claims: Record<string, string | boolean> | undefined = identity && {
    sub: identity.sub,
    ...(identity.email ? { email: identity.email } : {}),
    email_verified: identity.emailVerified === true ? 'true' : 'false',
    ...(identity.name ? { name: identity.name } : {}),
    ...(identity.admin ? { scope: 'openid invitations:admin' } : { scope: 'openid' }),
  };
  const event = {
    version: '2.0',
    routeKey: `${route.method} ${route.path}`,
    rawPath: url.pathname,
    rawQueryString: url.searchParams.toString(),
    headers,
    queryStringParameters: Object.keys(query).length ? query : undefined,
    pathParameters: Object.keys(pathParameters).length ? pathParameters : undefined,
    body,
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'test',
      domainName: 'api.test',
      domainPrefix: 'api',
      http: { method, path: url.pathname, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
      requestId: randomUUID(),
      routeKey: `${route.method} ${route.path}`,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
      ...(claims ? { authorizer: { principalId: '', integrationLatency: 0, jwt: { claims, scopes: [] } } } : {}),
    },
  } as unknown as APIGatewayProxyEventV2WithJWTAuthorizer;
  return { event, handler: route.handler };
}

type LambdaHandler = (event: unknown, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

export async function call(method: string, target: string, request: ApiRequest = {}): Promise<ApiResponse> {
  const { event, handler } = apiEvent(method, target, request);
  const module = (await import(`../../functions/${handler}.ts`)) as { handler: LambdaHandler };
  // As deployed, a handler may only do what its route declares (the local runner enforces it too).
  const result = await runAs(handler, () => module.handler(event, lambdaContext(handler)));
  const raw = typeof result.body === 'string' ? result.body : '';
  return {
    status: result.statusCode ?? 200,
    headers: (result.headers ?? {}) as Record<string, string>,
    body: raw ? JSON.parse(raw) : undefined,
    raw,
  };
}

export const api = {
  get: (target: string, request?: ApiRequest) => call('GET', target, request),
  post: (target: string, request?: ApiRequest) => call('POST', target, request),
  put: (target: string, request?: ApiRequest) => call('PUT', target, request),
  patch: (target: string, request?: ApiRequest) => call('PATCH', target, request),
  delete: (target: string, request?: ApiRequest) => call('DELETE', target, request),
};
