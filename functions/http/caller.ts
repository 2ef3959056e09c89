import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { cleanDisplayName, hasInvisibleCharacters, MAX_HANDLE_LENGTH } from '../domain/display-name';
import { isValidEmail, MAX_EMAIL_LENGTH, normalizeEmail } from '../domain/email';
import { Unauthorized } from '../domain/errors';
import type { Caller } from '../domain/permissions';

export const ADMIN_SCOPE = 'invitations:admin';
/** The longest `sub` the service admits, in UTF-8 bytes: OpenID Connect's bound on the claim. */
export const MAX_SUBJECT_BYTES = 255;

type Claims = Record<string, string | number | boolean | string[] | undefined>;

/**
 * The caller, from the claims API Gateway's JWT authorizer (or the local gateway) validated and
 * placed in the request context. Handlers never read the Authorization header themselves.
 *
 * This is the one place identity claims are bounded and normalised: every caller it admits can
 * be stored (a `sub` fits every key it becomes part of) and addressed (any `sub` the bound
 * allows can name its member in a path), and names arrive cleaned by the display-name policy.
 * A claim that cannot be admitted is a 401, never a failure further in.
 */
export function callerFrom(event: APIGatewayProxyEventV2WithJWTAuthorizer): Caller {
  const jwt = event.requestContext?.authorizer?.jwt;
  const claims = (jwt?.claims ?? {}) as Claims;
  const sub = typeof claims.sub === 'string' ? claims.sub : undefined;
  if (!sub) throw new Unauthorized('A valid bearer token is required.');
  if (!isUsableSubject(sub)) {
    throw new Unauthorized(
      `The token's subject (sub) must be 1 to ${MAX_SUBJECT_BYTES} bytes of text without control or format characters.`,
    );
  }
  const rawEmail = typeof claims.email === 'string' ? normalizeEmail(claims.email) : undefined;
  if (rawEmail !== undefined && rawEmail.length > MAX_EMAIL_LENGTH) {
    throw new Unauthorized(`The token's email claim is longer than ${MAX_EMAIL_LENGTH} characters.`);
  }
  // An address the service could never have invited cannot be anyone's invitee: it is ignored.
  const email = rawEmail && isValidEmail(rawEmail) ? rawEmail : undefined;
  const verified = claims.email_verified === true || claims.email_verified === 'true';
  const nickname = cleanText(claims.nickname, MAX_HANDLE_LENGTH)?.replace(/^@+/, '');
  return {
    userId: sub,
    verifiedEmail: verified ? email : undefined,
    name: cleanText(claims.name) ?? email ?? cleanDisplayName(sub),
    handle: nickname ? `@${nickname}` : undefined,
    isSystemAdmin: scopesOf(claims.scope, jwt?.scopes).includes(ADMIN_SCOPE),
  };
}

/** A user id is any text up to the byte bound, as long as nothing in it is invisible. */
export function isUsableSubject(sub: string): boolean {
  return sub.length > 0 && Buffer.byteLength(sub, 'utf8') <= MAX_SUBJECT_BYTES && !hasInvisibleCharacters(sub);
}

function cleanText(value: unknown, maxLength?: number): string | undefined {
  if (typeof value !== 'string') return undefined;
  return cleanDisplayName(value, maxLength) || undefined;
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
