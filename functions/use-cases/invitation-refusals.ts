/** The refusals the invitation use cases share, and which of them an older read could explain. */

import { RESEND_COOL_DOWN_SECONDS } from '../domain/delivery';
import { BusinessRuleViolated, Forbidden, NotFound, TooManyRequests } from '../domain/errors';
import { canManage, type InvitationRelation } from '../domain/permissions';
import { Refused } from './refused';

export function requireManager(relation: InvitationRelation): void {
  if (canManage(relation)) return;
  if (relation.isInvitee)
    throw new Forbidden('Only the creator of the invitation or a workspace OWNER or ADMIN may do this.');
  throw hidden();
}

/**
 * A refusal that reads of the workspace or the membership decided, or that the transaction's
 * re-check of them (its version, the caller's role) raised: an older read could explain it.
 * Other refusals (the address, the allowance, the limit) come only after those re-checks held.
 */
export function mayBeStale(error: unknown): boolean {
  if (error instanceof Refused)
    return error.reason === 'workspace-changed' || error.reason === 'role-forbids-invitation';
  return error instanceof NotFound || error instanceof Forbidden || error instanceof BusinessRuleViolated;
}

export const hidden = () => new NotFound('The invitation does not exist.');
export const coolingDown = (seconds: number) =>
  new TooManyRequests(
    `An invitation email may be sent at most once every ${RESEND_COOL_DOWN_SECONDS} seconds; retry in ${seconds} s.`,
    { retryAfterSeconds: seconds },
  );
export const onlyInvitee = () => new Forbidden('Only the invited person may answer this invitation.');
