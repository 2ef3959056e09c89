/**
 * The daily allowance of invitation emails per person (new invitations and resends alike).
 *
 * A new invitation counts its email inside its own transaction (`emailAllowanceCharge`): a
 * refused or conflicting create writes nothing, so it uses up nothing. A resend counts it while
 * the request's own reads run (`takeEmailAllowance`), so the check costs no extra round trip, and
 * gives it back if the request then fails. System administrators are not limited.
 */
import { allowanceDay, nextAllowanceDay } from '../domain/delivery';
import { TooManyRequests } from '../domain/errors';
import type { Caller } from '../domain/permissions';
import type { EmailAllowanceCharge, EmailAllowances } from './ports';

export interface EmailAllowance {
  /** Resolves once the email is counted; throws TooManyRequests when the day's allowance is used up. */
  confirm(): Promise<void>;
  /** Gives the email back after its request failed. */
  release(): Promise<void>;
}

const UNLIMITED: EmailAllowance = { confirm: async () => undefined, release: async () => undefined };

/** One email of `caller` on `now`'s UTC day against `limit`; none for a system administrator. */
export function emailAllowanceCharge(caller: Caller, now: Date, limit: number): EmailAllowanceCharge | undefined {
  if (caller.isSystemAdmin) return undefined;
  // Kept one day past its own, so that a clock slightly behind still finds its count.
  const keepUntil = new Date(nextAllowanceDay(now).getTime() + 86_400_000);
  return { userId: caller.userId, day: allowanceDay(now), limit, keepUntil };
}

/** The answer to an email past the day's allowance: 429, to retry when the next UTC day begins. */
export function emailAllowanceUsedUp(limit: number, now: Date): TooManyRequests {
  const seconds = Math.max(1, Math.ceil((nextAllowanceDay(now).getTime() - now.getTime()) / 1000));
  return new TooManyRequests(
    `You have asked for ${limit} invitation emails today, the most allowed in one day (UTC); retry in ${seconds} s.`,
    { retryAfterSeconds: seconds },
  );
}

/** Starts counting one email for `caller` on `now`'s UTC day against `limit`, on its own. */
export function takeEmailAllowance(store: EmailAllowances, caller: Caller, now: Date, limit: number): EmailAllowance {
  const charge = emailAllowanceCharge(caller, now, limit);
  if (!charge) return UNLIMITED;
  const counting = store.takeEmailAllowance(charge.userId, charge.day, limit, charge.keepUntil).then(
    (counted) => ({ counted, error: undefined }),
    (error: unknown) => ({ counted: false, error }),
  );
  return {
    async confirm() {
      const { counted, error } = await counting;
      if (error) throw error;
      if (!counted) throw emailAllowanceUsedUp(limit, now);
    },
    async release() {
      const { counted } = await counting;
      // Giving back is a courtesy: if it fails, the day's count is one higher than it should be.
      if (counted) await store.returnEmailAllowance(charge.userId, charge.day).catch(() => undefined);
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
