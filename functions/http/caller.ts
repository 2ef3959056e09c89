import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { normalizeEmail } from '../domain/email';
import { Unauthorized } from '../domain/errors';
import type { Caller } from '../domain/permissions';

export const ADMIN_SCOPE = 'invitations:admin';

type Claims = Record<string, string | number | boolean | string[] | undefined>;

/**
 * The caller, from the claims API Gateway's JWT authorizer (or the local gateway) validated and
 * placed in the request context. Handlers never read the Authorization header themselves.
 */
export function callerFrom(event: APIGatewayProxyEventV2WithJWTAuthorizer): Caller {
  const jwt = event.requestContext?.authorizer?.jwt;
  const claims = (jwt?.claims ?? {}) as Claims;
  const sub = typeof claims.sub === 'string' ? claims.sub : undefined;
  if (!sub) throw new Unauthorized('A valid bearer token is required.');
  const email = typeof claims.email === 'string' ? normalizeEmail(claims.email) : undefined;
  const verified = claims.email_verified === true || claims.email_verified === 'true';
  const name = firstText(claims.name, claims.email, sub) as string;
  const nickname = firstText(claims.nickname);
  return {
    userId: sub,
    verifiedEmail: verified ? email : undefined,
    name,
    handle: nickname ? (nickname.startsWith('@') ? nickname : `@${nickname}`) : undefined,
    isSystemAdmin: scopesOf(claims.scope, jwt?.scopes).includes(ADMIN_SCOPE),
  };
}

function firstText(...values: unknown[]): string | undefined {
  return values.find((value): value is string => typeof value === 'string' && value.trim().length > 0);
}

/** HTTP APIs pass `scope` as a space-separated string (or bracketed list) and may also fill `scopes`. */
function scopesOf(scope: unknown, scopes: string[] | null | undefined): string[] {
  const fromClaim = Array.isArray(scope)
    ? scope.map(String)
    : typeof scope === 'string'
      ? scope.replace(/^\[|\]$/g, '').split(/[\s,]+/)
      : [];
  return [...fromClaim, ...(scopes ?? [])].filter(Boolean);
}
