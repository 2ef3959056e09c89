import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DomainError, ServiceUnavailable } from '../domain/errors';
import { Refused } from '../use-cases/refused';
import { explainRefusal } from './refusals';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
const TYPE_BASE = 'urn:problem:invitations:';

/** RFC 9457 problem details. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: { path: string; message: string }[];
}

/**
 * The one place where errors become HTTP responses. Domain errors keep their status and detail,
 * a store's refusal is explained by ./refusals.ts;
 * anything else is a 500 whose body says nothing about the cause.
 */
export function problemResponse(error: unknown): { response: APIGatewayProxyStructuredResultV2; unexpected: boolean } {
  if (error instanceof Refused) return problemResponse(explainRefusal(error));
  if (error instanceof DomainError) {
    const body: ProblemBody = {
      type: `${TYPE_BASE}${error.type}`,
      title: error.title,
      status: error.status,
      detail: error.detail,
      ...(error.extra.errors ? { errors: error.extra.errors } : {}),
    };
    const headers: Record<string, string> = { 'content-type': PROBLEM_CONTENT_TYPE };
    if (error.extra.retryAfterSeconds !== undefined) headers['retry-after'] = String(error.extra.retryAfterSeconds);
    return { response: { statusCode: error.status, headers, body: JSON.stringify(body) }, unexpected: false };
  }
  if (isThrottling(error)) {
    return problemResponse(new ServiceUnavailable('The service is busy; retry shortly.', { retryAfterSeconds: 1 }));
  }
  const body: ProblemBody = {
    type: `${TYPE_BASE}internal`,
    title: 'Internal Server Error',
    status: 500,
    detail: 'The request could not be completed. It has been logged; retry later.',
  };
  return {
    response: { statusCode: 500, headers: { 'content-type': PROBLEM_CONTENT_TYPE }, body: JSON.stringify(body) },
    unexpected: true,
  };
}

const THROTTLING_ERRORS = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
]);

/** DynamoDB capacity and request-rate limits: the client should retry, nothing is wrong with its request. */
function isThrottling(error: unknown): boolean {
  const candidate = error as { name?: string; $retryable?: { throttling?: boolean } } | undefined;
  return candidate?.$retryable?.throttling === true || THROTTLING_ERRORS.has(candidate?.name ?? '');
}
