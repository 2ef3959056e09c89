export interface WaitForOptions {
  /** What is awaited, as the error names it: "the email to reach the outbox". */
  what: string;
  timeoutMs?: number;
  intervalMs?: number;
}

/**
 * Calls `check` until it returns something other than false, null or undefined, and returns
 * that; after `timeoutMs` throws an error naming what it waited for. An error `check` throws
 * ends the wait at once.
 */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  { what, timeoutMs = 10_000, intervalMs = 50 }: WaitForOptions,
): Promise<Exclude<T, false | null | undefined>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== false && value !== null && value !== undefined) return value as Exclude<T, false | null | undefined>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
