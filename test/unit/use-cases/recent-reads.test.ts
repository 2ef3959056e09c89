/** The bounded, short-lived memory of reads that creating an invitation warm relies on. */
import { describe, expect, it } from 'vitest';
import { RecentReads } from '../../../functions/use-cases/recent-reads';

const at = (ms: number) => new Date(Date.UTC(2026, 10, 22, 10, 0, 0) + ms);

describe('recent reads', () => {
  it('answers a value for less than its maximum age, then forgets it', () => {
    const reads = new RecentReads<string>({ maxEntries: 10, maxAgeMs: 60_000 });
    reads.set('a', 'read at 0', at(0));
    expect(reads.get('a', at(0))).toBe('read at 0');
    expect(reads.get('a', at(59_999))).toBe('read at 0');
    expect(reads.get('a', at(60_000))).toBeUndefined();
    expect(reads.size).toBe(0);
  });

  it('counts a clock that went back as expired', () => {
    const reads = new RecentReads<string>({ maxEntries: 10, maxAgeMs: 60_000 });
    reads.set('a', 'read', at(10_000));
    expect(reads.get('a', at(9_999))).toBeUndefined();
  });

  it('keeps at most maxEntries, dropping the one stored longest ago', () => {
    const reads = new RecentReads<number>({ maxEntries: 2, maxAgeMs: 60_000 });
    reads.set('a', 1, at(0));
    reads.set('b', 2, at(1));
    reads.set('a', 3, at(2));
    reads.set('c', 4, at(3));
    expect([reads.get('a', at(4)), reads.get('b', at(4)), reads.get('c', at(4))]).toEqual([3, undefined, 4]);
    expect(reads.size).toBe(2);
  });

  it('forgets an entry on request', () => {
    const reads = new RecentReads<number>({ maxEntries: 2, maxAgeMs: 60_000 });
    reads.set('a', 1, at(0));
    reads.forget('a');
    expect(reads.get('a', at(0))).toBeUndefined();
  });

  it('takes a new read as fresh from when it was stored', () => {
    const reads = new RecentReads<number>({ maxEntries: 2, maxAgeMs: 60_000 });
    reads.set('a', 1, at(0));
    reads.set('a', 2, at(50_000));
    expect(reads.get('a', at(100_000))).toBe(2);
  });
});
