/**
 * Invitation link tokens (DESIGN §4). A token is the invitation id and its token version,
 * followed by an HMAC-SHA256 over both, base64url-encoded in one 70-character string. The key
 * lives outside the table, so a copy of the table is not enough to build a working link.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Conflict, Gone } from './errors';
import type { Status } from './invitation';

const ID_BYTES = 16;
const VERSION_BYTES = 4;
const MAC_BYTES = 32;
const TOKEN_BYTES = ID_BYTES + VERSION_BYTES + MAC_BYTES;
/** Separates this use of the key from any other the key might one day serve. */
const PURPOSE = Buffer.from('invitation-link\0', 'utf8');
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const MIN_KEY_BYTES = 32;
/** 52 bytes in base64url, unpadded. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{70}$/;
export const FIRST_TOKEN_VERSION = 1;

export interface LinkTokenClaims {
  invitationId: string;
  version: number;
}

export class LinkTokens {
  private readonly key: Buffer;

  constructor(key: Uint8Array) {
    if (key.byteLength < MIN_KEY_BYTES) {
      throw new Error(`The link-token key must be at least ${MIN_KEY_BYTES} bytes long.`);
    }
    this.key = Buffer.from(key);
  }

  mint(invitationId: string, version: number): string {
    if (!UUID_PATTERN.test(invitationId)) throw new Error('A link token needs a lower-case UUID invitation id.');
    if (!Number.isInteger(version) || version < 1 || version > 0xffffffff) {
      throw new Error('A token version is a positive 32-bit integer.');
    }
    const body = Buffer.alloc(ID_BYTES + VERSION_BYTES);
    Buffer.from(invitationId.replaceAll('-', ''), 'hex').copy(body, 0);
    body.writeUInt32BE(version, ID_BYTES);
    return Buffer.concat([body, this.mac(body)]).toString('base64url');
  }

  /** The invitation a token names, or undefined when the token is malformed or its HMAC does not verify. */
  read(token: string): LinkTokenClaims | undefined {
    if (!TOKEN_PATTERN.test(token)) return undefined;
    const bytes = Buffer.from(token, 'base64url');
    // base64url decoding tolerates non-canonical trailing bits; only the canonical spelling is valid.
    if (bytes.byteLength !== TOKEN_BYTES || bytes.toString('base64url') !== token) return undefined;
    const body = bytes.subarray(0, ID_BYTES + VERSION_BYTES);
    if (!timingSafeEqual(this.mac(body), bytes.subarray(ID_BYTES + VERSION_BYTES))) return undefined;
    const hex = body.subarray(0, ID_BYTES).toString('hex');
    return {
      invitationId: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`,
      version: body.readUInt32BE(ID_BYTES),
    };
  }

  private mac(body: Buffer): Buffer {
    return createHmac('sha256', this.key).update(PURPOSE).update(body).digest();
  }
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
