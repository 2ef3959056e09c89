/**
 * The one HTTP wrapper every API handler is built with, from its route entry: a middy chain that
 * normalises headers, bounds and parses the JSON body, validates path, query and body with the
 * entry's zod schemas, and turns every error into problem+json; then every response is held to
 * the answers the entry documents (./documented-answers.ts). A handler receives typed, valid
 * input and returns a status and a body.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { z } from 'zod/mini';
import { BadRequest, type FieldError, PayloadTooLarge, UnsupportedMediaType, ValidationFailed } from '../domain/errors';
import type { Caller } from '../domain/permissions';
import { logger } from '../platform/observability';
import { callerFrom } from './caller';
import { DEFAULT_PAGE_SIZE } from './contract';
import { checkDocumented } from './documented-answers';
import { answersOf, type Operation, type RequestSchemas } from './operation';
import { problemResponse } from './problem';

export const MAX_BODY_BYTES = 16 * 1024;
const JSON_CONTENT_TYPE = /^application\/([\w.+-]+\+)?json\s*(;.*)?$/i;

type Event = APIGatewayProxyEventV2WithJWTAuthorizer;
type Result = APIGatewayProxyStructuredResultV2;
type Schema = z.ZodMiniType;
/** The validated part of the request, or undefined when the entry has no schema for it. */
type Part<R extends Operation, K extends keyof RequestSchemas> = R['request'] extends { readonly [P in K]: infer S }
  ? S extends Schema
    ? z.output<S>
    : undefined
  : undefined;
/** The caller behind the JWT authorizer; nobody in particular on a public route. */
type CallerOf<R extends Operation> = R['auth'] extends 'jwt' ? Caller : undefined;

export interface HttpRequest<R extends Operation> {
  caller: CallerOf<R>;
  params: Part<R, 'params'>;
  query: Part<R, 'query'>;
  body: Part<R, 'body'>;
  /** Scheme and host the client used, for absolute links. */
  baseUrl: string;
  /** The request path, without the query string. */
  path: string;
  /** `size` from the query string with the default applied, for collections. */
  pageSize: number;
}

export interface HttpResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

type Handler<R extends Operation> = (request: HttpRequest<R>) => Promise<HttpResult>;

/**
 * The Lambda handler of one operation: a route behind the JWT authorizer gets its caller, a
 * public one nobody (`caller` is undefined).
 */
export function httpHandler<R extends Operation>(route: R, handle: Handler<R>) {
  const identify = (event: Event) => (route.auth === 'jwt' ? callerFrom(event) : undefined) as CallerOf<R>;
  const { params, query, body } = route.request;
  const answers = answersOf(route);
  const steps = (chain: middy.MiddyfiedHandler<Event, Result, Error, Context>, rehearsing: boolean) =>
    chain
      .use(httpHeaderNormalizer())
      .use(jsonBody(body !== undefined))
      .use(problemErrors())
      .handler(async (event) => {
        const caller = identify(event);
        const input = {
          params: validate(params, event.pathParameters ?? {}, 'path'),
          query: validate(query, event.queryStringParameters ?? {}, 'query'),
          body: validate(body, event.body, 'body'),
        };
        if (rehearsing) throw new BadRequest('A rehearsal never reaches the operation.');
        // Only list operations accept `size`, and their schema has already checked it.
        const size = (input.query as { size?: string } | undefined)?.size;
        const result = await handle({
          caller,
          ...(input as Pick<HttpRequest<R>, 'params' | 'query' | 'body'>),
          baseUrl: baseUrlOf(event),
          path: event.rawPath,
          pageSize: size ? Number(size) : DEFAULT_PAGE_SIZE,
        });
        return {
          statusCode: result.status,
          headers: {
            ...(result.body === undefined ? {} : { 'content-type': 'application/hal+json' }),
            ...result.headers,
          },
          body: result.body === undefined ? '' : JSON.stringify(result.body),
        };
      });
  const options = { timeoutEarlyInMillis: 0 };
  const chain = steps(
    middy<Event, Result, Error, Context>(options).use(injectLambdaContext(logger, { resetKeys: true })),
    false,
  );
  rehearse(steps(middy<Event, Result, Error, Context>(options), true), route);
  return async (event: Event, context: Context): Promise<Result> => {
    const response = await chain(event, context);
    checkDocumented(route, answers, response);
    return response;
  };
}

/**
 * Bounds and parses the body. Operations without a body schema accept no body (an empty one or
 * `{}` is tolerated, as clients often send it). A malformed body is a 400, a non-JSON content
 * type a 415, anything over 16 KiB a 413.
 */
function jsonBody(expectsBody: boolean): MiddlewareObj<Event, Result> {
  return {
    before: async (request) => {
      const { event } = request;
      const raw = event.body ?? '';
      const text = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
      if (Buffer.byteLength(text, 'utf8') > MAX_BODY_BYTES) {
        throw new PayloadTooLarge(`The request body must be at most ${MAX_BODY_BYTES} bytes.`);
      }
      if (!expectsBody) {
        if (text.trim() !== '' && text.trim() !== '{}') throw new BadRequest('This operation takes no request body.');
        event.body = undefined;
        return;
      }
      if (!JSON_CONTENT_TYPE.test(event.headers?.['content-type'] ?? '')) {
        throw new UnsupportedMediaType('The request body must be JSON, sent with Content-Type: application/json.');
      }
      try {
        (event as { body: unknown }).body = JSON.parse(text);
      } catch {
        throw new BadRequest('The request body is not valid JSON.');
      }
    },
  };
}

/** Registered last, so it sees every error first. */
function problemErrors(): MiddlewareObj<Event, Result> {
  return {
    onError: async (request) => {
      const { response, unexpected } = problemResponse(request.error);
      if (unexpected) logger.error('Request failed', request.error as Error);
      else logger.debug('Request rejected', { status: response.statusCode });
      request.response = response;
    },
  };
}

function validate(schema: Schema | undefined, value: unknown, location: 'path' | 'query' | 'body'): unknown {
  if (!schema) return undefined;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const errors: FieldError[] = result.error.issues.flatMap((issue) => {
    const base = [location, ...issue.path.map(String)].join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: `${base}.${key}`, message: `${key} is not a known field` }));
    }
    return [{ path: base, message: issue.message }];
  });
  throw new ValidationFailed(errors);
}

/**
 * One request through the same middlewares, claims, validation and problem answer during the init
 * phase, refused before it reaches the operation: otherwise the first request a person sends runs
 * all that code for the first time (with it and the priming of every declared read, the first
 * request of get-invitation, create-invitation and accept-invitation took 1.5–3 ms less CPU time
 * locally). The rehearsal's chain has no logger context, so the first real request is still
 * logged as the cold start; it reads and writes nothing and logs nothing above DEBUG.
 */
function rehearse(chain: (event: Event, context: Context) => Promise<Result>, route: Operation): void {
  const event = {
    version: '2.0',
    routeKey: `${route.method} ${route.path}`,
    rawPath: route.path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json' },
    body: '{}',
    isBase64Encoded: false,
    requestContext: {
      domainName: 'localhost',
      http: { method: route.method, path: route.path },
      authorizer: { jwt: { claims: { sub: 'rehearsal', email: 'rehearsal@example.com', email_verified: 'true' } } },
    },
  } as unknown as Event;
  void chain(event, {} as Context).catch(() => undefined);
}

function baseUrlOf(event: Event): string {
  const proto = event.headers?.['x-forwarded-proto'] === 'http' ? 'http' : 'https';
  return `${proto}://${event.requestContext.domainName}`;
}
