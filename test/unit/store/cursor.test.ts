import { describe, expect, it } from 'vitest';
import { BadRequest } from '../../../functions/domain/errors';
import { CursorCodec } from '../../../functions/store/cursor';
import { indexKeys, keys, listSortKey, userPartition } from '../../../functions/store/keys';
import { TABLE } from '../../../functions/store/table-definition';

const codec = new CursorCodec('a-secret-that-is-at-least-32-characters-long');
const key = {
  ...keys.invitation('1'),
  ...indexKeys('byUser', userPartition('u'), listSortKey('PENDING', '2026-01-01T00:00:00.000Z')),
};

describe('pagination cursors', () => {
  it('round-trips scope, page number and key', () => {
    const cursor = codec.encode('sent:u', 3, key);
    expect(cursor).toMatch(/^[\w-]+\.[\w-]+$/);
    expect(codec.decode('sent:u', cursor)).toEqual({ pageNumber: 3, key });
  });

  it('rejects another scope, another key, edits and junk', () => {
    const cursor = codec.encode('sent:u', 1, key);
    const [payload, signature] = cursor.split('.') as [string, string];
    const forged = Buffer.from(
      JSON.stringify({ s: 'sent:u', n: 1, k: { ...key, [TABLE.indexes.byUser.partitionKey]: userPartition('v') } }),
    ).toString('base64url');
    for (const [scope, candidate] of [
      ['sent:v', cursor],
      ['sent:u', `${forged}.${signature}`],
      ['sent:u', `${payload}.${signature.slice(0, -2)}`],
      ['sent:u', `${payload}`],
      ['sent:u', `${payload}.${signature}.x`],
      ['sent:u', 'x'.repeat(3000)],
    ] as const) {
      expect(() => codec.decode(scope, candidate), `${scope} ${candidate.slice(0, 60)}`).toThrow(BadRequest);
    }
    expect(() => new CursorCodec('another-secret-of-at-least-32-characters').decode('sent:u', cursor)).toThrow(
      BadRequest,
    );
  });
});
