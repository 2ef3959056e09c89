import { createHmac, timingSafeEqual } from 'node:crypto';
import { BadRequest } from '../domain/errors';

/**
 * Pagination cursors: `<payload>.<signature>`, both base64url. The payload holds the collection
 * the cursor belongs to (its scope), the page number and DynamoDB's LastEvaluatedKey (one per
 * range for a list merged from several). The HMAC
 * makes any edit evident, and the scope check stops a cursor minted for one collection from
 * being replayed against another.
 */
export type PageKey = Record<string, string>;
/** A list of one range resumes at a key; a list merged from several ranges holds where each range stands. */
export type CursorKey = PageKey | readonly ({ after?: PageKey } | { done: true })[];

interface CursorPayload {
  s: string;
  n: number;
  k: CursorKey;
}

const MAX_CURSOR_LENGTH = 2048;

export class CursorCodec {
  constructor(private readonly secret: string) {}

  encode(scope: string, pageNumber: number, key: CursorKey): string {
    const payload = Buffer.from(JSON.stringify({ s: scope, n: pageNumber, k: key } satisfies CursorPayload)).toString(
      'base64url',
    );
    return `${payload}.${this.sign(payload)}`;
  }

  /** The page number and start key, or a 400 for anything that is not a cursor we issued for this scope. */
  decode(scope: string, cursor: string): { pageNumber: number; key: CursorKey } {
    const invalid = new BadRequest('The cursor is not valid for this collection. Start again without a cursor.');
    if (cursor.length > MAX_CURSOR_LENGTH) throw invalid;
    const [payload, signature, ...rest] = cursor.split('.');
    if (!payload || !signature || rest.length > 0) throw invalid;
    const expected = Buffer.from(this.sign(payload));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw invalid;
    const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as CursorPayload;
    if (decoded.s !== scope) throw invalid;
    return { pageNumber: decoded.n, key: decoded.k };
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.secret).update(payload).digest('base64url');
  }
}
