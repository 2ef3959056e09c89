import { describe, expect, it } from 'vitest';
import { memberPathSegment, userIdFromPathSegment } from '../../../functions/http/member-path';

describe('member path segments', () => {
  it('keeps ids of the usual shapes as themselves', () => {
    for (const id of ['0b7e1a52-3c4d-4e5f-8a9b-0c1d2e3f4a5b', 'auth0|abc123', 'jane@example.com', '1234567890']) {
      expect(memberPathSegment(id), id).toBe(encodeURIComponent(id));
      expect(userIdFromPathSegment(decodeURIComponent(memberPathSegment(id))), id).toBe(id);
    }
  });

  it('gives any other id a segment of base64url characters only, and reads it back', () => {
    for (const id of ['idp/tenant/42', 'uid=jane,ou=people', 'Jane Doe', '100%#sure', '~tilde', 'é'.repeat(127)]) {
      const segment = memberPathSegment(id);
      expect(segment, id).toMatch(/^~[A-Za-z0-9_-]+$/);
      expect(userIdFromPathSegment(segment), id).toBe(id);
    }
  });

  it('reads a ~ segment that is not an exact encoding as naming no one', () => {
    expect(userIdFromPathSegment('~')).toBe('');
    expect(userIdFromPathSegment('~not base64!')).toBe('');
    expect(userIdFromPathSegment('~_w')).toBe('');
    expect(userIdFromPathSegment('~SmFuZQ==')).toBe('');
    expect(userIdFromPathSegment('~SmFuZQ')).toBe('Jane');
  });
});
