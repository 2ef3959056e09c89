/**
 * Expiry as a change: TTL deletes expired items hours or days late, so it cannot announce an
 * expiry. Every minute the sweep records, on each PENDING invitation past its expiresAt, that it
 * expired; the table stream carries that write to the event publisher, which publishes
 * invitation.expired once (the write happens once: it takes the invitation out of the index).
 */
import type { InvitationExpiries } from './ports';

/** At most this many per run; a backlog is worked off over the following runs. */
export const EXPIRY_SWEEP_LIMIT = 1000;

export interface ExpiryReport {
  examined: number;
  expired: number;
}

export async function sweepExpired(
  expiries: InvitationExpiries,
  now: Date,
  limit = EXPIRY_SWEEP_LIMIT,
): Promise<ExpiryReport> {
  const keys = await expiries.listExpired(now, limit);
  let expired = 0;
  for (const key of keys) if (await expiries.recordExpiry(key, now)) expired += 1;
  return { examined: keys.length, expired };
}
