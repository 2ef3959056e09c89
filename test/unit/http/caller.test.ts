import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { Unauthorized } from '../../../functions/domain/errors';
import { callerFrom, MAX_SUBJECT_BYTES } from '../../../functions/http/caller';

const eventWith = (claims: Record<string, unknown>) =>
  ({
    requestContext: { authorizer: { jwt: { claims, scopes: [] } } },
  }) as unknown as APIGatewayProxyEventV2WithJWTAuthorizer;

const refusal = (claims: Record<string, unknown>) => {
  try {
    callerFrom(eventWith(claims));
  } catch (error) {
    return error;
  }
  return undefined;
};

describe('identity claims at the door', () => {
  it('admits any subject up to 255 bytes, whatever its characters', () => {
    for (const sub of ['a/b', 'k=v,w', 'with spaces', 'é'.repeat(MAX_SUBJECT_BYTES / 2), 'x'.repeat(255)]) {
      expect(callerFrom(eventWith({ sub })).userId, sub).toBe(sub);
    }
  });

  it.each([
    ['a subject over 255 bytes', { sub: 'x'.repeat(256) }],
    ['a subject of 128 two-byte characters', { sub: 'é'.repeat(128) }],
    ['a 1,100-character subject', { sub: 's'.repeat(1100) }],
    ['a subject with a control character', { sub: 'a\nb' }],
    ['a subject with a bidi override', { sub: 'a\u202Eb' }],
    ['a subject with a lone surrogate', { sub: 'a\uD800' }],
    ['an email over 254 characters', { sub: 'u', email: `${'e'.repeat(1090)}@example.com`, email_verified: 'true' }],
    ['no subject', { email: 'a@example.com' }],
  ])('refuses %s with a 401', (_, claims) => {
    const error = refusal(claims);
    expect(error).toBeInstanceOf(Unauthorized);
    expect((error as Unauthorized).status).toBe(401);
  });

  it('ignores an email no invitation could be sent to, and an unverified one', () => {
    expect(callerFrom(eventWith({ sub: 'u', email: 'not an email', email_verified: 'true' })).verifiedEmail).toBe(
      undefined,
    );
    expect(callerFrom(eventWith({ sub: 'u', email: 'A@Example.com', email_verified: 'false' })).verifiedEmail).toBe(
      undefined,
    );
    expect(callerFrom(eventWith({ sub: 'u', email: ' A@Example.com ', email_verified: 'true' })).verifiedEmail).toBe(
      'a@example.com',
    );
  });

  it('cleans the name and handle claims by the display-name policy', () => {
    const caller = callerFrom(
      eventWith({
        sub: 'u',
        name: `Eve\r\n\u202E<b>${'e'.repeat(300)}`,
        nickname: '@@eve\u200B',
        scope: 'openid invitations:admin',
      }),
    );
    expect(caller).toEqual({
      userId: 'u',
      verifiedEmail: undefined,
      name: `Eve b${'e'.repeat(95)}`,
      handle: '@eve',
      isSystemAdmin: true,
    });
    expect(callerFrom(eventWith({ sub: 'u', name: '\u200B\u202E' })).name).toBe('u');
  });
});
