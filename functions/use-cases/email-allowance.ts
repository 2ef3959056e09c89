/**
 * The daily allowance of invitation emails per person (new invitations and resends alike).
 *
 * The email is counted while the request's own reads run, so the check costs no extra round
 * trip, and given back if the request then fails, so a refused or conflicting request does not
 * use up the allowance. System administrators are not limited.
 */
import { allowanceDay, nextAllowanceDay } from '../domain/delivery';
import { TooManyRequests } from '../domain/errors';
import type { Caller } from '../domain/permissions';
import type { EmailAllowances } from './ports';

export interface EmailAllowance {
  /** Resolves once the email is counted; throws TooManyRequests when the day's allowance is used up. */
  confirm(): Promise<void>;
  /** Gives the email back after its request failed. */
  release(): Promise<void>;
}

const UNLIMITED: EmailAllowance = { confirm: async () => undefined, release: async () => undefined };

/** Starts counting one email for `caller` on `now`'s UTC day against `limit`. */
export function takeEmailAllowance(store: EmailAllowances, caller: Caller, now: Date, limit: number): EmailAllowance {
  if (caller.isSystemAdmin) return UNLIMITED;
  const day = allowanceDay(now);
  const renewedAt = nextAllowanceDay(now);
  // Kept one day past its own, so that a clock slightly behind still finds its count.
  const keepUntil = new Date(renewedAt.getTime() + 86_400_000);
  const counting = store.takeEmailAllowance(caller.userId, day, limit, keepUntil).then(
    (counted) => ({ counted, error: undefined }),
    (error: unknown) => ({ counted: false, error }),
  );
  return {
    async confirm() {
      const { counted, error } = await counting;
      if (error) throw error;
      if (counted) return;
      const seconds = Math.max(1, Math.ceil((renewedAt.getTime() - now.getTime()) / 1000));
      throw new TooManyRequests(
        `You have asked for ${limit} invitation emails today, the most allowed in one day (UTC); retry in ${seconds} s.`,
        { retryAfterSeconds: seconds },
      );
    },
    async release() {
      const { counted } = await counting;
      // Giving back is a courtesy: if it fails, the day's count is one higher than it should be.
      if (counted) await store.returnEmailAllowance(caller.userId, day).catch(() => undefined);
    },
  };
}

/** Runs `request` with one email counted, and gives it back if `request` fails. */
export async function withEmailAllowance<T>(allowance: EmailAllowance, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    await allowance.release();
    throw error;
  }
}
