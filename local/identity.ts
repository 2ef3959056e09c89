/**
 * The local identity provider: an RSA key generated into the data directory on first use, its
 * public half served as a JWKS, and tokens shaped like those of an OIDC provider. The gateway
 * verifies tokens the way API Gateway's JWT authorizer does, against this key or an external issuer.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
  SignJWT,
} from 'jose';
import { dataPaths, writeFileAtomic } from './data-dir';

export const LOCAL_ISSUER = 'urn:invitations:local-identity';
export const LOCAL_AUDIENCE = 'invitations-api';
/** API Gateway JWT authorizers accept RSA signatures only. */
const ALGORITHM = 'RS256';

export interface LocalKey {
  privateJwk: JWK;
  publicJwk: JWK;
}

/** Loads the signing key from the data directory, generating it the first time. */
export async function loadOrCreateKey(dataDir: string): Promise<LocalKey> {
  const file = dataPaths(dataDir).identityKey;
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    const { privateKey } = await generateKeyPair(ALGORITHM, { extractable: true, modulusLength: 2048 });
    const jwk = await exportJWK(privateKey);
    const kid = `local-${Date.now().toString(36)}`;
    writeFileAtomic(file, `${JSON.stringify({ ...jwk, kid, alg: ALGORITHM, use: 'sig' }, null, 2)}\n`);
  }
  const privateJwk = JSON.parse(readFileSync(file, 'utf8')) as JWK;
  const { d, p, q, dp, dq, qi, ...publicJwk } = privateJwk;
  return { privateJwk, publicJwk };
}

export function jwksOf(key: LocalKey): { keys: JWK[] } {
  return { keys: [key.publicJwk] };
}

export interface TokenRequest {
  sub: string;
  email?: string;
  name?: string;
  admin?: boolean;
  unverified?: boolean;
  /** Lifetime in seconds (default one hour); negative values mint an expired token. */
  ttlSeconds?: number;
  /** Seconds from now before which the token is not valid (`nbf`). */
  notBeforeSeconds?: number;
  /** Seconds from now the token says it was issued at (`iat`; default 0). */
  issuedAtSeconds?: number;
  audience?: string;
  issuer?: string;
}

export async function mintToken(key: LocalKey, request: TokenRequest): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const claims: JWTPayload & Record<string, unknown> = {
    scope: request.admin ? 'openid invitations:admin' : 'openid',
    ...(request.email ? { email: request.email, email_verified: !request.unverified } : {}),
    ...(request.name ? { name: request.name } : {}),
  };
  if (request.notBeforeSeconds !== undefined) claims.nbf = now + request.notBeforeSeconds;
  const privateKey = await importJWK(key.privateJwk, ALGORITHM);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: ALGORITHM, kid: key.privateJwk.kid, typ: 'JWT' })
    .setSubject(request.sub)
    .setIssuer(request.issuer ?? LOCAL_ISSUER)
    .setAudience(request.audience ?? LOCAL_AUDIENCE)
    .setIssuedAt(now + (request.issuedAtSeconds ?? 0))
    .setExpirationTime(now + (request.ttlSeconds ?? 3600))
    .sign(privateKey);
}

export type Verification =
  | { claims: JWTPayload }
  /** 401, or 403 when the token is valid but has none of the route's scopes. */
  | { error: string; status: 401 | 403 };

export interface TokenVerifier {
  issuer: string;
  audience: string;
  /**
   * The verified claims, or the reason the token is refused. `scopes` are the route's
   * authorization scopes: when there are any, the token must carry at least one of them.
   */
  verify(token: string, scopes?: readonly string[]): Promise<Verification>;
}

export function localVerifier(key: LocalKey): TokenVerifier {
  return verifierFor(LOCAL_ISSUER, LOCAL_AUDIENCE, createLocalJWKSet(jwksOf(key)));
}

export function externalVerifier(issuer: string, audience: string, jwksUrl: string): TokenVerifier {
  return verifierFor(issuer, audience, createRemoteJWKSet(new URL(jwksUrl)));
}

/**
 * The HTTP API JWT authorizer's rules, as AWS documents them: an RSA signature by the key of the
 * issuer's JWKS that the `kid` header names (a token without `kid` is refused, even when the JWKS
 * has one key); `iss` exactly the issuer; `aud` containing the audience, or, only when the token
 * has no `aud`, `client_id` equal to it; `exp` present and in the future; `nbf` and `iat`, when
 * present, not in the future; and, for a route with authorization scopes, one of them in `scope`
 * (or `scp`).
 */
function verifierFor(issuer: string, audience: string, keys: JWTVerifyGetKey): TokenVerifier {
  return {
    issuer,
    audience,
    async verify(token, scopes = []) {
      try {
        const { kid } = decodeProtectedHeader(token);
        if (typeof kid !== 'string' || kid === '') return refused('the token has no kid header');
        const { payload } = await jwtVerify(token, keys, {
          issuer,
          algorithms: ['RS256', 'RS384', 'RS512'],
          requiredClaims: ['exp'],
          clockTolerance: 0,
        });
        if (!hasAudience(payload, audience)) return refused('the token does not have a valid audience');
        if (typeof payload.iat === 'number' && payload.iat > Date.now() / 1000) {
          return refused('the token has an invalid iat claim');
        }
        if (scopes.length > 0 && !tokenScopes(payload).some((scope) => scopes.includes(scope))) {
          return { error: 'the token does not have the scopes this route requires', status: 403 };
        }
        return { claims: payload };
      } catch (error) {
        return refused(describeFailure(error));
      }
    },
  };
}

const refused = (error: string): Verification => ({ error, status: 401 });

/** `aud` decides when the token has one; `client_id` counts only when it has none. */
function hasAudience(payload: JWTPayload, audience: string): boolean {
  if (payload.aud !== undefined) return [payload.aud].flat().includes(audience);
  return payload.client_id === audience;
}

function tokenScopes(payload: JWTPayload): string[] {
  const scope = payload.scope ?? payload.scp;
  if (Array.isArray(scope)) return scope.map(String);
  return typeof scope === 'string' ? scope.split(' ').filter(Boolean) : [];
}

function describeFailure(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWTClaimValidationFailed && error.reason === 'missing') {
    return `the token has no ${error.claim} claim`;
  }
  if (error instanceof errors.JWTClaimValidationFailed) return `the token has an invalid ${error.claim} claim`;
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the token signature is invalid';
  if (error instanceof errors.JWKSNoMatchingKey) return 'no key of the issuer matches the token';
  return 'the token is malformed or cannot be verified';
}
