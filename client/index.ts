/**
 * A typed client for the invitations API: openapi-fetch over the types generated from the
 * service's own OpenAPI document (./api-types.ts), plus what HAL and problem details need:
 * following `_links`, paging with the cursor, problems as typed errors.
 */
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { components, operations, paths } from './api-types.js';

export type { components, operations, paths };

type Schemas = components['schemas'];
export type Workspace = Schemas['Workspace'];
export type WorkspaceCollection = Schemas['WorkspaceCollection'];
export type Member = Schemas['Member'];
export type MemberCollection = Schemas['MemberCollection'];
export type Invitation = Schemas['Invitation'];
export type InvitationCollection = Schemas['InvitationCollection'];
export type InvitationLinkPreview = Schemas['InvitationLinkPreview'];
export type Role = Schemas['Role'];
export type InvitationStatus = Schemas['InvitationStatus'];
export type Link = Schemas['Link'];
export type Links = Schemas['Links'];
export type Problem = Schemas['Problem'];
/** API Gateway's own body, when it refuses a request before the service sees it (a bad token, an unknown route). */
export type GatewayMessage = Schemas['GatewayMessage'];

/** A refusal or failure: the status, the problem details (RFC 9457), and when to retry if the API said so. */
export class ProblemError extends Error {
  override readonly name = 'ProblemError';
  readonly status: number;
  /** The problem's `type`; `about:blank` for a gateway answer or a body that was not a problem. */
  readonly type: string;
  readonly title: string;
  readonly detail?: string;
  /** Per field, for a 400 on invalid input. */
  readonly errors: NonNullable<Problem['errors']>;
  /** Seconds, from `Retry-After` (429 and 503). */
  readonly retryAfter?: number;

  constructor(response: Pick<Response, 'status' | 'headers'> & { statusText?: string }, body: unknown) {
    const problem = isProblem(body) ? body : undefined;
    const title = problem?.title ?? messageOf(body) ?? (response.statusText || `HTTP ${response.status}`);
    super(`${response.status} ${title}${problem?.detail ? `: ${problem.detail}` : ''}`);
    this.status = response.status;
    this.type = problem?.type ?? 'about:blank';
    this.title = title;
    this.detail = problem?.detail;
    this.errors = problem?.errors ?? [];
    const retryAfter = Number(response.headers.get('retry-after') ?? Number.NaN);
    if (Number.isFinite(retryAfter)) this.retryAfter = retryAfter;
  }
}

function isProblem(body: unknown): body is Problem {
  return typeof body === 'object' && body !== null && 'status' in body && 'title' in body;
}

function messageOf(body: unknown): string | undefined {
  return typeof body === 'object' && body !== null && 'message' in body ? String(body.message) : undefined;
}

export interface InvitationsClientOptions {
  /** The API's base URL, the stack output ApiUrl (`https://…/`); routes are under `/api`. */
  readonly baseUrl: string;
  /** The bearer token (an ID token of the trusted issuer), or a function that returns a fresh one per request. */
  readonly token?: string | (() => string | undefined | Promise<string | undefined>);
  /** Another fetch (tests, retries, instrumentation). */
  readonly fetch?: typeof globalThis.fetch;
}

/** What openapi-fetch answers: the body on success, the error body otherwise, and the response. */
interface Result<T> {
  readonly data?: T;
  readonly error?: unknown;
  readonly response: Response;
}

/** An answer as it came: status, headers and the body parsed when it is JSON (else its text). */
export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: an answer to any request, checked by whoever asked
  readonly body: any;
}

/** A HAL document: a resource or a page of a collection. */
interface Hal {
  readonly _links: Links;
}

export interface InvitationsClient {
  /** Every operation, typed by path and method: `api.GET('/api/workspaces/{workspaceId}', { params: { path: { workspaceId } } })`. */
  readonly api: Client<paths>;
  /** The body of a successful answer; a refusal or failure throws a ProblemError. */
  ok<T>(result: Promise<Result<T>> | Result<T>): Promise<T>;
  /**
   * Follows a link of a resource: `follow(invitation, 'withdraw invitation')`. The method is the
   * link's `type` (GET when it has none); the answer is parsed as JSON, or undefined for 204.
   */
  follow<T = unknown>(resource: Hal, relation: string, init?: { body?: unknown }): Promise<T>;
  /** Every page of a collection, following `_links.next` from the first page (the cursor travels in it). */
  pages<T extends Hal>(first: Promise<Result<T>> | Result<T>): AsyncGenerator<T>;
  /**
   * Any request, typed or not, answered as it came and never thrown: for a URL from a link, or a
   * request the API is meant to refuse. An `authorization` header given here replaces the token.
   */
  send(method: string, url: string, init?: { body?: unknown; headers?: Record<string, string> }): Promise<Answer>;
}

export function createInvitationsClient(options: InvitationsClientOptions): InvitationsClient {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const tokenOf = async () => (typeof options.token === 'function' ? options.token() : options.token);
  const authorize = async (headers: Headers) => {
    const token = await tokenOf();
    if (token && !headers.has('authorization')) headers.set('authorization', `Bearer ${token}`);
  };
  const api = createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    fetch: (request) => fetchImpl(request),
  });
  const bearer: Middleware = {
    async onRequest({ request }) {
      await authorize(request.headers);
      return request;
    },
  };
  api.use(bearer);

  const ok = async <T>(pending: Promise<Result<T>> | Result<T>): Promise<T> => {
    const { data, error, response } = await pending;
    if (!response.ok) throw new ProblemError(response, error);
    return data as T;
  };

  const send = async (
    method: string,
    url: string,
    init: { body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Answer> => {
    const headers = new Headers();
    if (init.body !== undefined) headers.set('content-type', 'application/json');
    for (const [name, value] of Object.entries(init.headers ?? {})) headers.set(name, value);
    await authorize(headers);
    // A path is appended to the base URL as written (no `..` or `//` resolution of its own).
    const target = url.startsWith('/') ? `${options.baseUrl.replace(/\/+$/, '')}${url}` : url;
    const response = await fetchImpl(target, {
      method,
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    const text = await response.text();
    let body: unknown = text === '' ? undefined : text;
    try {
      if (text !== '') body = JSON.parse(text);
    } catch {
      // not JSON: the text as it came
    }
    return { status: response.status, headers: response.headers, body };
  };

  const request = async <T>(href: string, method: string, body?: unknown): Promise<T> => {
    const answer = await send(method, href, { body });
    if (answer.status >= 400) throw new ProblemError(answer, answer.body);
    return answer.body as T;
  };

  return {
    api,
    ok,
    send,
    follow<T>(resource: Hal, relation: string, init: { body?: unknown } = {}) {
      const link = resource._links[relation];
      if (!link) throw new Error(`no "${relation}" link; the resource has ${Object.keys(resource._links).join(', ')}`);
      return request<T>(link.href, link.type ?? 'GET', init.body);
    },
    async *pages<T extends Hal>(first: Promise<Result<T>> | Result<T>) {
      let page: T | undefined = await ok(first);
      while (page) {
        yield page;
        const next: Link | undefined = page._links.next;
        page = next ? await request<T>(next.href, 'GET') : undefined;
      }
    },
  };
}
