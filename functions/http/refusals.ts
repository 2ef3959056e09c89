/**
 * What each refusal of a store means to the person who made the request: its status and the
 * words that explain it. The stores say only which condition failed (functions/use-cases/refused.ts).
 */
import { Conflict, type DomainError, Forbidden, NotFound, TooManyRequests } from '../domain/errors';
import type { RefusalFacts, RefusalReason, Refused } from '../use-cases/refused';

const NEW_INVITATION = 'Ask an OWNER or ADMIN of the workspace for a new invitation.';

const REFUSALS: Record<RefusalReason, (facts: RefusalFacts) => DomainError> = {
  'workspace-quota-reached': ({ limit }) =>
    new TooManyRequests(`You have created ${limit} workspaces, the most one person may create.`),
  'renames-rationed': ({ limit, retryAfterSeconds }) =>
    new TooManyRequests(
      `This workspace was renamed ${limit} times this minute, the most it may be; retry after a minute.`,
      { retryAfterSeconds },
    ),
  'workspace-not-found': () => new NotFound('The workspace does not exist.'),
  'workspace-gone': () => new NotFound('The workspace of this invitation no longer exists.'),
  'member-not-found': () => new NotFound('The member does not exist.'),
  'invitation-not-found': () => new NotFound('The invitation does not exist.'),
  'role-forbids-workspace-change': () => new Forbidden('Only an OWNER or ADMIN of the workspace may change it.'),
  'role-forbids-member-removal': () => new Forbidden('Your role does not allow removing this member.'),
  'role-forbids-invitation': () => new Forbidden('Your role in this workspace does not allow this invitation.'),
  'role-forbids-invitation-change': () => new Forbidden('Your role in this workspace does not allow this.'),
  'last-owner': () => new Conflict('A workspace keeps at least one OWNER; this is the last one.'),
  'withdraw-removes-last-owner': () =>
    new Conflict('Withdrawing this invitation would remove the last OWNER of the workspace.'),
  'membership-changed': () => new Conflict('The membership changed while it was being removed; retry.'),
  'granted-membership-changed': () => new Conflict('The membership this invitation granted changed meanwhile; retry.'),
  'workspace-changed': () => new Conflict('The workspace changed while the invitation was being created; retry.'),
  'invitation-changed': () => new Conflict('The invitation changed while it was being updated; retry.'),
  'address-is-member': () => new Conflict('This address already belongs to a member of the workspace.'),
  'address-already-invited': () =>
    new Conflict('A pending invitation for this address already exists in this workspace.'),
  'already-member': () => new Conflict('You are already a member of this workspace.'),
  'creator-no-longer-member': () =>
    new Conflict(`The person who sent this invitation is no longer a member of the workspace. ${NEW_INVITATION}`),
  'creator-cannot-grant': ({ creatorRole, invitedRole }) =>
    new Conflict(
      `The person who sent this invitation is now ${creatorRole} and can no longer grant the ${invitedRole} role it offers. ${NEW_INVITATION}`,
    ),
  'pending-invitations-limit': ({ limit }) =>
    new TooManyRequests(
      `This workspace has ${limit} pending invitations, the most it may have at once. ` +
        'Withdraw some, or wait until they are accepted, declined or expire.',
    ),
  'members-limit': ({ limit }) =>
    new TooManyRequests(`This workspace has ${limit} members, the most it may have; a member must leave first.`),
  // The use case answers this itself, with the time until the next UTC day (use-cases/email-allowance.ts).
  'email-allowance-used-up': ({ limit }) =>
    new TooManyRequests(`You have asked for ${limit} invitation emails today, the most allowed in one day (UTC).`),
  'email-in-progress': ({ retryAfterSeconds }) =>
    new TooManyRequests('Another email for this invitation was just requested or is being sent.', {
      retryAfterSeconds,
    }),
  'resource-exists': () => new Conflict('The resource already exists; retry.'),
  'counts-contended': () => new Conflict('The workspace is changing too fast to be counted; retry.'),
  'concurrent-change': () => new Conflict('A concurrent request changed the same data; retry.'),
};

/** The refusal as the domain error that becomes its problem+json answer. */
export function explainRefusal(refused: Refused): DomainError {
  return REFUSALS[refused.reason](refused.facts);
}
