/**
 * A small, short-lived memory of reads, kept by one function instance across the requests it
 * serves. Only for reads whose use is re-checked by the write they lead to (a condition that
 * fails when the item changed): a stale entry then costs a retry, never a wrong answer.
 */
export interface RecentReadsOptions {
  /** Entries kept at most; the least recently stored goes first. */
  maxEntries: number;
  /** An entry older than this (by the clock passed in) is read again. */
  maxAgeMs: number;
}

export class RecentReads<V> {
  private readonly entries = new Map<string, { value: V; readAt: number }>();

  constructor(private readonly options: RecentReadsOptions) {}

  /** The value read for `key` less than maxAgeMs before `now`; a clock that went back counts as expired. */
  get(key: string, now: Date): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    const age = now.getTime() - entry.readAt;
    if (age >= 0 && age < this.options.maxAgeMs) return entry.value;
    this.entries.delete(key);
    return undefined;
  }

  /** Remembers `value` as read at `now`. */
  set(key: string, value: V, now: Date): void {
    this.entries.delete(key);
    this.entries.set(key, { value, readAt: now.getTime() });
    while (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  forget(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
