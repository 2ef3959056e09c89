import { CORS_POLICY } from '../functions/http/cors-policy';

/**
 * The CORS policy of the HTTP API (functions/http/cors-policy.ts, which the CDK stack uses too):
 * no CORS unless origins are listed (CORS_ORIGINS locally, the corsOrigins parameter in AWS). With origins, API Gateway
 * answers preflight requests itself (no authorizer, no handler) and adds the allow-origin headers
 * to every response of a request from an allowed origin.
 */
export interface CorsPolicy {
  allowOrigins: string[];
  allowMethods: string[];
  allowHeaders: string[];
  exposeHeaders: string[];
  maxAgeSeconds: number;
}

export function corsPolicy(allowOrigins: string[]): CorsPolicy | undefined {
  if (!allowOrigins.length) return undefined;
  return {
    allowOrigins,
    allowMethods: [...CORS_POLICY.allowMethods],
    allowHeaders: [...CORS_POLICY.allowHeaders],
    exposeHeaders: [...CORS_POLICY.exposeHeaders],
    maxAgeSeconds: CORS_POLICY.maxAgeSeconds,
  };
}

function allowedOrigin(policy: CorsPolicy, origin: string | undefined): string | undefined {
  if (!origin) return undefined;
  if (policy.allowOrigins.includes('*')) return '*';
  return policy.allowOrigins.includes(origin) ? origin : undefined;
}

/** Headers for an actual (non-preflight) response. */
export function corsHeaders(policy: CorsPolicy | undefined, origin: string | undefined): Record<string, string> {
  if (!policy) return {};
  const allowed = allowedOrigin(policy, origin);
  if (!allowed) return {};
  return {
    'access-control-allow-origin': allowed,
    ...(policy.exposeHeaders.length ? { 'access-control-expose-headers': policy.exposeHeaders.join(',') } : {}),
    ...(allowed === '*' ? {} : { vary: 'origin' }),
  };
}

/** Whether a request is a CORS preflight, which API Gateway answers without a route. */
export function isPreflight(
  policy: CorsPolicy | undefined,
  method: string,
  headers: Record<string, string | undefined>,
): policy is CorsPolicy {
  return (
    policy !== undefined &&
    method === 'OPTIONS' &&
    Boolean(headers.origin) &&
    Boolean(headers['access-control-request-method'])
  );
}

/** Headers for a preflight answer (204). */
export function preflightHeaders(
  policy: CorsPolicy,
  headers: Record<string, string | undefined>,
): Record<string, string> {
  const allowed = allowedOrigin(policy, headers.origin);
  const method = headers['access-control-request-method']?.toUpperCase() ?? '';
  if (!allowed || !policy.allowMethods.includes(method)) return {};
  const requested = (headers['access-control-request-headers'] ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
  const permitted = policy.allowHeaders.includes('*')
    ? requested
    : requested.filter((name) => policy.allowHeaders.includes(name));
  return {
    'access-control-allow-origin': allowed,
    'access-control-allow-methods': policy.allowMethods.join(','),
    ...(permitted.length ? { 'access-control-allow-headers': permitted.join(',') } : {}),
    'access-control-max-age': String(policy.maxAgeSeconds),
    ...(allowed === '*' ? {} : { vary: 'origin' }),
  };
}
