import { describe, expect, it } from 'vitest';
import { Conflict, Gone } from '../../../functions/domain/errors';
import {
  assertLinkLive,
  generateTokenKey,
  LinkTokens,
  MIN_KEY_BYTES,
  TOKEN_PATTERN,
} from '../../../functions/domain/link-token';

const key = Buffer.from('k'.repeat(MIN_KEY_BYTES));
const tokens = new LinkTokens(key);
const id = '0b7e1a52-3c4d-4e5f-8a9b-0c1d2e3f4a5b';
const other = 'f3a1c2d4-5b6e-4f70-8192-a3b4c5d6e7f8';

function flipByte(token: string, index: number): string {
  const bytes = Buffer.from(token, 'base64url');
  bytes[index] = (bytes[index] as number) ^ 0x01;
  return bytes.toString('base64url');
}

describe('link tokens', () => {
  it('round-trips the invitation id and token version', () => {
    const token = tokens.mint(id, 1);
    expect(token).toMatch(TOKEN_PATTERN);
    expect(tokens.read(token)).toEqual({ invitationId: id, version: 1 });
    expect(tokens.read(tokens.mint(id, 7))).toEqual({ invitationId: id, version: 7 });
  });

  it('is deterministic for (id, version) and differs between versions and invitations', () => {
    expect(tokens.mint(id, 1)).toBe(tokens.mint(id, 1));
    expect(tokens.mint(id, 2)).not.toBe(tokens.mint(id, 1));
    expect(tokens.mint(other, 1)).not.toBe(tokens.mint(id, 1));
  });

  it('rejects a token with any single byte changed: id, version or HMAC', () => {
    const token = tokens.mint(id, 1);
    for (const index of [0, 15, 16, 19, 20, 51]) {
      expect(tokens.read(flipByte(token, index)), `byte ${index}`).toBeUndefined();
    }
  });

  it("rejects one invitation's HMAC on another invitation's id", () => {
    const mine = Buffer.from(tokens.mint(id, 1), 'base64url');
    const theirs = Buffer.from(tokens.mint(other, 1), 'base64url');
    const spliced = Buffer.concat([theirs.subarray(0, 20), mine.subarray(20)]).toString('base64url');
    expect(tokens.read(spliced)).toBeUndefined();
  });

  it('rejects a token minted with another key', () => {
    const foreign = new LinkTokens(Buffer.from('x'.repeat(MIN_KEY_BYTES)));
    expect(tokens.read(foreign.mint(id, 1))).toBeUndefined();
  });

  it('rejects malformed, truncated, padded and non-canonical spellings', () => {
    const token = tokens.mint(id, 1);
    expect(tokens.read('')).toBeUndefined();
    expect(tokens.read(token.slice(0, -1))).toBeUndefined();
    expect(tokens.read(`${token}A`)).toBeUndefined();
    expect(tokens.read(`${token.slice(0, -1)}=`)).toBeUndefined();
    expect(tokens.read(token.replace(/.$/, (last) => (last === 'A' ? 'B' : 'A')))).toBeUndefined();
    expect(tokens.read(id)).toBeUndefined();
  });

  it('refuses short keys and bad inputs to mint', () => {
    expect(() => new LinkTokens(Buffer.alloc(MIN_KEY_BYTES - 1))).toThrow(/at least 32 bytes/);
    expect(() => tokens.mint('not-a-uuid', 1)).toThrow();
    expect(() => tokens.mint(id, 0)).toThrow();
    expect(() => tokens.mint(id, 1.5)).toThrow();
  });

  it('generates keys long enough and different each time', () => {
    const a = generateTokenKey();
    expect(Buffer.byteLength(a)).toBeGreaterThanOrEqual(MIN_KEY_BYTES);
    expect(generateTokenKey()).not.toBe(a);
    expect(() => new LinkTokens(Buffer.from(a))).not.toThrow();
  });
});

describe('a link is alive', () => {
  it('while its invitation is PENDING and the versions agree', () => {
    expect(() => assertLinkLive('PENDING', 1, 1)).not.toThrow();
  });

  it('answers every dead link with a clear reason', () => {
    expect(() => assertLinkLive('PENDING', 1, 2)).toThrow(Gone);
    expect(() => assertLinkLive('PENDING', 1, 2)).toThrow(/replaced by a newer invitation email/);
    expect(() => assertLinkLive('EXPIRED', 1, 1)).toThrow(new Gone('This invitation has expired. Ask for a new one.'));
    expect(() => assertLinkLive('REVOKED', 1, 1)).toThrow(new Gone('This invitation was withdrawn.'));
    expect(() => assertLinkLive('ACCEPTED', 1, 1)).toThrow(new Conflict('This invitation has already been accepted.'));
    expect(() => assertLinkLive('DECLINED', 1, 1)).toThrow(new Conflict('This invitation was declined.'));
  });
});
