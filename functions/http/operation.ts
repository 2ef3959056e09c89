/**
 * What one route entry (functions/routes.ts) declares about its operation, and the rule that
 * adds the answers every operation shares, so that each entry names only its own refusals while
 * answersOf gives the full list of what it answers.
 */
import type * as z from 'zod/mini';

/**
 * The response bodies, by the name of their schema in ./responses.ts (a component of the OpenAPI
 * document). Entries name them, so that no handler bundle builds the response schemas.
 */
export type ResponseName =
  | 'Workspace'
  | 'WorkspaceCollection'
  | 'MemberCollection'
  | 'Invitation'
  | 'InvitationCollection'
  | 'InvitationLinkPreview'
  | 'OpenApiDocument'
  | 'EventSchema'
  | 'Problem'
  | 'GatewayMessage';

export type SuccessStatus = 200 | 201 | 202 | 204;
/** Refusals an operation declares itself; the others follow from the rule below. */
export type RefusalStatus = 403 | 404 | 409 | 410 | 422;
export type ProblemStatus = 400 | 401 | RefusalStatus | 413 | 415 | 429 | 500 | 503;
export type AnswerStatus = SuccessStatus | ProblemStatus;

export type ResponseHeader = 'Location' | 'Retry-After';

export interface Answer {
  /** The body's schema by name; absent: the answer has no body. */
  readonly body?: ResponseName;
  /**
   * The body API Gateway sends when it answers this status itself, before the function runs
   * (the JWT authorizer's 401); the function's own answers of the status carry `body`.
   */
  readonly gatewayBody?: ResponseName;
  /** Headers the answer carries: on every such answer (`always`), or on some of them. */
  readonly headers?: Readonly<Partial<Record<ResponseHeader, 'always' | 'sometimes'>>>;
}

/** The zod/mini schemas the wrapper validates the request's parts with (functions/http/contract.ts). */
export interface RequestSchemas {
  readonly params?: z.ZodMiniType;
  readonly query?: z.ZodMiniType;
  readonly body?: z.ZodMiniType;
}

/**
 * What the HTTP layer needs to know of an operation's dependencies, to tell which failures it may
 * answer with (the full declaration is functions/access.ts's FunctionNeeds).
 */
export interface Dependencies {
  readonly table?: object;
  readonly limits?: readonly string[];
  readonly secrets?: readonly string[];
}

/** An operation as the HTTP layer sees it; a route entry (functions/routes.ts) is one with its declared access. */
export interface Operation extends Dependencies {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** API Gateway path syntax: `{name}` is a path parameter. */
  readonly path: string;
  /** The handler file: functions/<handler>.ts. */
  readonly handler: string;
  readonly auth: 'jwt' | 'public';
  readonly summary: string;
  readonly tag: 'Workspaces' | 'Invitations' | 'API';
  readonly request: RequestSchemas;
  /** The success answer: its status and the name of its body's schema, or null for no body. */
  readonly success: Readonly<Partial<Record<SuccessStatus, ResponseName | null>>>;
  /** A create: its success answer says where the new resource lives (Location). */
  readonly creates?: boolean;
  /** The refusals of this operation's own rules; the shared ones come from sharedProblems. */
  readonly refusals: readonly RefusalStatus[];
}

/** Every status an operation answers with, and what each answer carries. */
export type Answers = Readonly<Partial<Record<AnswerStatus, Answer>>>;

/**
 * The problems that follow from what an operation is rather than from its rules: 400 and 413
 * for every operation (the wrapper validates every input and bounds every body, even one the
 * operation does not take), 401 behind the authorizer, 415 where a body is read, 429 where a
 * limit is enforced, and 500 and 503 where a dependency (the table, the link-token key) may fail
 * or throttle.
 */
export function sharedProblems(route: Operation): ProblemStatus[] {
  const dependsOnService = route.table !== undefined || route.secrets?.includes('linkTokenKey') === true;
  return [
    400,
    ...(route.auth === 'jwt' ? [401 as const] : []),
    413,
    ...(route.request.body ? [415 as const] : []),
    ...((route.limits?.length ?? 0) > 0 ? [429 as const] : []),
    ...(dependsOnService ? [500 as const, 503 as const] : []),
  ];
}

const PROBLEM: Answer = { body: 'Problem' };
const SPECIAL: Partial<Record<ProblemStatus, Answer>> = {
  // The authorizer refuses a missing, expired or forged token itself, with its own body; the
  // function refuses a valid token whose claims it cannot use with a problem.
  401: { body: 'Problem', gatewayBody: 'GatewayMessage' },
  // Quota refusals (a count that only time or someone else lowers) say when to come back only when that is known.
  429: { body: 'Problem', headers: { 'Retry-After': 'sometimes' } },
  503: { body: 'Problem', headers: { 'Retry-After': 'always' } },
};

/** Every answer of an operation: its success, then its problems by status, shared and its own. */
export function answersOf(route: Operation): Answers {
  const answers: Partial<Record<AnswerStatus, Answer>> = {};
  for (const [key, body] of Object.entries(route.success)) {
    answers[Number(key) as SuccessStatus] = {
      ...(body ? { body } : {}),
      ...(route.creates ? { headers: { Location: 'always' } } : {}),
    };
  }
  const problems = new Set<ProblemStatus>([...sharedProblems(route), ...route.refusals]);
  for (const status of [...problems].sort((x, y) => x - y)) answers[status] = SPECIAL[status] ?? PROBLEM;
  return answers;
}

/** The statuses of an entry's answers, in ascending order. */
export function answerStatuses(route: Operation): number[] {
  return Object.keys(answersOf(route))
    .map(Number)
    .sort((a, b) => a - b);
}
