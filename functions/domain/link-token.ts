/**
 * Invitation link tokens (DESIGN §4). A token is the version of the key that signed it, the
 * invitation id and its token version, followed by an HMAC-SHA256 over all three, base64url-encoded
 * in one 72-character string. The key lives outside the table, so a copy of the table is not
 * enough to build a working link.
 *
 * Keys form a ring: one current key that signs new links, and earlier keys that still verify
 * links until their `retiresAt`, so the key can be replaced without killing every link already
 * emailed. Tokens from before key versions existed (70 characters, no key version) were signed
 * with what is now key version 1, and are read as such.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Conflict, Gone } from './errors';
import type { Status } from './invitation';

const KEY_VERSION_BYTES = 2;
const ID_BYTES = 16;
const VERSION_BYTES = 4;
const MAC_BYTES = 32;
const TOKEN_BYTES = KEY_VERSION_BYTES + ID_BYTES + VERSION_BYTES + MAC_BYTES;
const LEGACY_TOKEN_BYTES = ID_BYTES + VERSION_BYTES + MAC_BYTES;
/** Separates this use of the key from any other the key might one day serve. */
const PURPOSE = Buffer.from('invitation-link\0', 'utf8');
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const MIN_KEY_BYTES = 32;
/** 54 bytes in base64url, unpadded. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{72}$/;
const LEGACY_TOKEN_PATTERN = /^[A-Za-z0-9_-]{70}$/;
export const FIRST_TOKEN_VERSION = 1;
export const FIRST_KEY_VERSION = 1;
const MAX_KEY_VERSION = 0xffff;

export interface LinkTokenClaims {
  invitationId: string;
  version: number;
  /** The key version that signed the token. */
  keyVersion: number;
}

export interface RingKey {
  readonly version: number;
  /** The key material as text (a generated key is base64url); its UTF-8 bytes are the HMAC key. */
  readonly key: string;
  /** From this moment links signed with this key no longer work; absent on the current key. */
  readonly retiresAt?: string;
}

export interface KeyRing {
  /** The version that signs new links. */
  readonly current: number;
  readonly keys: readonly RingKey[];
}

export class LinkTokens {
  private readonly keys: Map<number, { mac: Buffer; retiresAt?: number }>;
  readonly currentKeyVersion: number;

  /** A bare key is a ring of one: key version 1, current. */
  constructor(
    keys: Uint8Array | KeyRing,
    private readonly clock: () => Date = () => new Date(),
  ) {
    const ring: KeyRing =
      keys instanceof Uint8Array
        ? {
            current: FIRST_KEY_VERSION,
            keys: [{ version: FIRST_KEY_VERSION, key: Buffer.from(keys).toString('utf8') }],
          }
        : keys;
    assertValidRing(ring);
    this.currentKeyVersion = ring.current;
    this.keys = new Map(
      ring.keys.map((entry) => [
        entry.version,
        {
          mac: keys instanceof Uint8Array ? Buffer.from(keys) : Buffer.from(entry.key.trim(), 'utf8'),
          retiresAt: entry.retiresAt === undefined ? undefined : Date.parse(entry.retiresAt),
        },
      ]),
    );
  }

  /** Whether the ring holds this key version (retired or not). */
  hasKeyVersion(keyVersion: number): boolean {
    return this.keys.has(keyVersion);
  }

  mint(invitationId: string, version: number): string {
    if (!UUID_PATTERN.test(invitationId)) throw new Error('A link token needs a lower-case UUID invitation id.');
    if (!Number.isInteger(version) || version < 1 || version > 0xffffffff) {
      throw new Error('A token version is a positive 32-bit integer.');
    }
    const body = Buffer.alloc(KEY_VERSION_BYTES + ID_BYTES + VERSION_BYTES);
    body.writeUInt16BE(this.currentKeyVersion, 0);
    Buffer.from(invitationId.replaceAll('-', ''), 'hex').copy(body, KEY_VERSION_BYTES);
    body.writeUInt32BE(version, KEY_VERSION_BYTES + ID_BYTES);
    return Buffer.concat([body, this.mac(this.currentKeyVersion, body)]).toString('base64url');
  }

  /** The key version a token claims, without verifying it; undefined when it is not a token's shape. */
  static keyVersionOf(token: string): number | undefined {
    if (LEGACY_TOKEN_PATTERN.test(token)) return FIRST_KEY_VERSION;
    if (!TOKEN_PATTERN.test(token)) return undefined;
    return Buffer.from(token, 'base64url').readUInt16BE(0);
  }

  /**
   * The invitation a token names, or undefined when the token is malformed, its key version is
   * unknown or its HMAC does not verify. A genuine token whose key has retired is Gone.
   */
  read(token: string): LinkTokenClaims | undefined {
    const parsed = parse(token);
    if (!parsed) return undefined;
    const key = this.keys.get(parsed.keyVersion);
    if (!key) return undefined;
    if (!timingSafeEqual(this.mac(parsed.keyVersion, parsed.body), parsed.mac)) return undefined;
    if (key.retiresAt !== undefined && this.clock().getTime() >= key.retiresAt) {
      throw new Gone(
        'This link was sent before the service changed its signing key and no longer works. Ask for the invitation to be sent again.',
      );
    }
    return { invitationId: parsed.invitationId, version: parsed.version, keyVersion: parsed.keyVersion };
  }

  /** Over the token's body: key version, id and token version (a legacy token's body has no key version). */
  private mac(keyVersion: number, body: Buffer): Buffer {
    const key = this.keys.get(keyVersion);
    if (!key) throw new Error(`No link-token key version ${keyVersion}.`);
    return createHmac('sha256', key.mac).update(PURPOSE).update(body).digest();
  }
}

function parse(token: string) {
  const legacy = LEGACY_TOKEN_PATTERN.test(token);
  if (!legacy && !TOKEN_PATTERN.test(token)) return undefined;
  const bytes = Buffer.from(token, 'base64url');
  // base64url decoding tolerates non-canonical trailing bits; only the canonical spelling is valid.
  if (bytes.byteLength !== (legacy ? LEGACY_TOKEN_BYTES : TOKEN_BYTES) || bytes.toString('base64url') !== token) {
    return undefined;
  }
  const prefix = legacy ? 0 : KEY_VERSION_BYTES;
  const body = bytes.subarray(0, prefix + ID_BYTES + VERSION_BYTES);
  const hex = body.subarray(prefix, prefix + ID_BYTES).toString('hex');
  return {
    legacy,
    keyVersion: legacy ? FIRST_KEY_VERSION : body.readUInt16BE(0),
    body,
    mac: bytes.subarray(prefix + ID_BYTES + VERSION_BYTES),
    invitationId: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`,
    version: body.readUInt32BE(prefix + ID_BYTES),
  };
}

function assertValidRing(ring: KeyRing): void {
  const versions = ring.keys.map((entry) => entry.version);
  if (new Set(versions).size !== versions.length) throw new Error('The link-token key ring repeats a key version.');
  for (const entry of ring.keys) {
    if (!Number.isInteger(entry.version) || entry.version < 1 || entry.version > MAX_KEY_VERSION) {
      throw new Error(`A link-token key version is a whole number from 1 to ${MAX_KEY_VERSION}.`);
    }
    if (Buffer.byteLength(entry.key.trim(), 'utf8') < MIN_KEY_BYTES) {
      throw new Error(`The link-token key must be at least ${MIN_KEY_BYTES} bytes long.`);
    }
    if (entry.retiresAt !== undefined && Number.isNaN(Date.parse(entry.retiresAt))) {
      throw new Error(`Key version ${entry.version} has an unreadable retiresAt.`);
    }
  }
  const current = ring.keys.find((entry) => entry.version === ring.current);
  if (!current) throw new Error(`The link-token key ring has no key for its current version ${ring.current}.`);
  if (current.retiresAt !== undefined) throw new Error('The current link-token key cannot retire.');
}

/**
 * What a key file or secret holds: either one key as text (version 1, the form a first
 * deployment generates) or a key ring as JSON.
 */
export function parseKeyRing(text: string): KeyRing {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{'))
    return { current: FIRST_KEY_VERSION, keys: [{ version: FIRST_KEY_VERSION, key: trimmed }] };
  let ring: KeyRing;
  try {
    ring = JSON.parse(trimmed) as KeyRing;
  } catch {
    throw new Error('The link-token key ring is not valid JSON.');
  }
  if (!ring || typeof ring.current !== 'number' || !Array.isArray(ring.keys)) {
    throw new Error('The link-token key ring needs a current version and a list of keys.');
  }
  assertValidRing(ring);
  return ring;
}

/**
 * The ring after a rotation: `newKey` becomes the next version and signs every new link; the key
 * that was current keeps verifying the links it signed until `now + grace`; keys already retired
 * are dropped.
 */
export function rotateKeyRing(ring: KeyRing, newKey: string, now: Date, graceMs: number): KeyRing {
  if (!Number.isFinite(graceMs) || graceMs < 0) throw new Error('The grace period cannot be negative.');
  const next = Math.max(...ring.keys.map((entry) => entry.version)) + 1;
  if (next > MAX_KEY_VERSION) throw new Error('The link-token key ring has used every key version.');
  const retiresAt = new Date(now.getTime() + graceMs).toISOString();
  const kept = ring.keys
    .filter((entry) => entry.retiresAt === undefined || Date.parse(entry.retiresAt) > now.getTime())
    .map((entry) => (entry.version === ring.current ? { ...entry, retiresAt } : entry));
  const rotated: KeyRing = { current: next, keys: [{ version: next, key: newKey }, ...kept] };
  assertValidRing(rotated);
  return rotated;
}

/** Fresh key material in the text form key files and secrets hold: 32 random bytes, base64url. */
export function generateTokenKey(): string {
  return randomBytes(MIN_KEY_BYTES).toString('base64url');
}

export const UNKNOWN_LINK = 'This invitation link is not valid. Check that you opened the whole link from the email.';

/** A link works while its invitation is PENDING and the token carries the invitation's current version. */
export function assertLinkLive(status: Status, tokenVersion: number, currentVersion: number): void {
  if (tokenVersion !== currentVersion) {
    throw new Gone('This link was replaced by a newer invitation email. Use the link in the latest one.');
  }
  switch (status) {
    case 'PENDING':
      return;
    case 'EXPIRED':
      throw new Gone('This invitation has expired. Ask for a new one.');
    case 'REVOKED':
      throw new Gone('This invitation was withdrawn.');
    case 'ACCEPTED':
      throw new Conflict('This invitation has already been accepted.');
    case 'DECLINED':
      throw new Conflict('This invitation was declined.');
  }
}
