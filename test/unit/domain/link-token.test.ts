import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Conflict, Gone } from '../../../functions/domain/errors';
import {
  assertLinkLive,
  generateTokenKey,
  type KeyRing,
  LinkTokens,
  MIN_KEY_BYTES,
  parseKeyRing,
  rotateKeyRing,
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
    expect(tokens.read(token)).toEqual({ invitationId: id, version: 1, keyVersion: 1 });
    expect(tokens.read(tokens.mint(id, 7))).toEqual({ invitationId: id, version: 7, keyVersion: 1 });
  });

  it('is deterministic for (id, version) and differs between versions and invitations', () => {
    expect(tokens.mint(id, 1)).toBe(tokens.mint(id, 1));
    expect(tokens.mint(id, 2)).not.toBe(tokens.mint(id, 1));
    expect(tokens.mint(other, 1)).not.toBe(tokens.mint(id, 1));
  });

  it('rejects a token with any single byte changed: key version, id, version or HMAC', () => {
    const token = tokens.mint(id, 1);
    for (const index of [0, 1, 2, 17, 18, 21, 22, 53]) {
      expect(tokens.read(flipByte(token, index)), `byte ${index}`).toBeUndefined();
    }
  });

  it("rejects one invitation's HMAC on another invitation's id", () => {
    const mine = Buffer.from(tokens.mint(id, 1), 'base64url');
    const theirs = Buffer.from(tokens.mint(other, 1), 'base64url');
    const spliced = Buffer.concat([theirs.subarray(0, 22), mine.subarray(22)]).toString('base64url');
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

describe('key rotation', () => {
  const now = new Date('2026-12-01T12:00:00.000Z');
  const DAY = 86_400_000;
  const newKey = 'n'.repeat(MIN_KEY_BYTES);
  const rotated = rotateKeyRing(parseKeyRing(key.toString()), newKey, now, 30 * DAY);
  const at = (time: number) => new LinkTokens(rotated, () => new Date(time));

  it('makes the new key current and lets the old one retire after the grace period', () => {
    expect(rotated).toEqual({
      current: 2,
      keys: [
        { version: 2, key: newKey },
        { version: 1, key: key.toString(), retiresAt: '2026-12-31T12:00:00.000Z' },
      ],
    });
  });

  it('keeps a link signed before the rotation working during the grace period, and not after', () => {
    const before = tokens.mint(id, 1);
    expect(at(now.getTime() + 30 * DAY - 1).read(before)).toEqual({ invitationId: id, version: 1, keyVersion: 1 });
    expect(() => at(now.getTime() + 30 * DAY).read(before)).toThrow(
      new Gone(
        'This link was sent before the service changed its signing key and no longer works. Ask for the invitation to be sent again.',
      ),
    );
  });

  it('signs new links with the new key, which the old ring does not know', () => {
    const after = at(now.getTime()).mint(id, 1);
    expect(LinkTokens.keyVersionOf(after)).toBe(2);
    expect(at(now.getTime() + 365 * DAY).read(after)).toEqual({ invitationId: id, version: 1, keyVersion: 2 });
    expect(tokens.hasKeyVersion(2)).toBe(false);
    expect(tokens.read(after)).toBeUndefined();
  });

  it('drops keys already retired at the next rotation and never reuses a version', () => {
    const again = rotateKeyRing(rotated, 'a'.repeat(MIN_KEY_BYTES), new Date(now.getTime() + 31 * DAY), DAY);
    expect(again.current).toBe(3);
    expect(again.keys.map((entry) => [entry.version, entry.retiresAt])).toEqual([
      [3, undefined],
      [2, '2027-01-02T12:00:00.000Z'],
    ]);
  });

  it('reads tokens from before key versions as key version 1', () => {
    const body = Buffer.alloc(20);
    Buffer.from(id.replaceAll('-', ''), 'hex').copy(body);
    body.writeUInt32BE(3, 16);
    const mac = createHmac('sha256', key).update('invitation-link\0').update(body).digest();
    const legacy = Buffer.concat([body, mac]).toString('base64url');
    expect(legacy).toHaveLength(70);
    expect(tokens.read(legacy)).toEqual({ invitationId: id, version: 3, keyVersion: 1 });
    expect(() => at(now.getTime() + 31 * DAY).read(legacy)).toThrow(Gone);
  });

  it('refuses rings without a usable current key, with repeated versions, short keys or bad dates', () => {
    const ring = (value: unknown) => () => parseKeyRing(JSON.stringify(value));
    const k = 'k'.repeat(MIN_KEY_BYTES);
    expect(ring({ current: 2, keys: [{ version: 1, key: k }] })).toThrow(/no key for its current version 2/);
    expect(ring({ current: 1, keys: [{ version: 1, key: k, retiresAt: '2027-01-01T00:00:00Z' }] })).toThrow(
      /current link-token key cannot retire/,
    );
    expect(
      ring({
        current: 1,
        keys: [
          { version: 1, key: k },
          { version: 1, key: k },
        ],
      }),
    ).toThrow(/repeats/);
    expect(ring({ current: 1, keys: [{ version: 1, key: 'short' }] })).toThrow(/at least 32 bytes/);
    expect(
      ring({
        current: 1,
        keys: [
          { version: 1, key: k },
          { version: 2, key: k, retiresAt: 'soon' },
        ],
      }),
    ).toThrow(/unreadable retiresAt/);
    expect(() => parseKeyRing('{not json')).toThrow(/not valid JSON/);
    expect(() => rotateKeyRing(parseKeyRing(k) as KeyRing, k, now, -1)).toThrow(/negative/);
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
