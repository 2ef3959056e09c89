/**
 * How a user id appears as the `{userId}` segment of a member's path. Ids of the usual shapes
 * (Cognito UUIDs, `auth0|…`, emails, numbers) appear as themselves, percent-encoded. Any other id
 * (a `/`, `=`, `,`, space, `%`, non-ASCII text: other identity providers issue such subs)
 * appears as `~` and its UTF-8 bytes in base64url: characters no gateway decodes, splits or
 * rewrites, so the member can always be addressed, whatever proxies do with `%2F`.
 */
const ENCODED = '~';
const PLAIN_ID = /^[\w.|@:+-]+$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export function memberPathSegment(userId: string): string {
  return PLAIN_ID.test(userId) ? encodeURIComponent(userId) : `${ENCODED}${Buffer.from(userId).toString('base64url')}`;
}

/**
 * The user id a (percent-decoded) path segment names: a `~` segment is decoded, any other is the
 * id itself. A `~` segment that is not the exact encoding of some text names no one (`''`).
 */
export function userIdFromPathSegment(segment: string): string {
  if (!segment.startsWith(ENCODED)) return segment;
  const encoded = segment.slice(ENCODED.length);
  if (!BASE64URL.test(encoded)) return '';
  const userId = Buffer.from(encoded, 'base64url').toString('utf8');
  return Buffer.from(userId).toString('base64url') === encoded ? userId : '';
}
