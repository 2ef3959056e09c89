/**
 * The service's domain events: which changes an embedding product hears of, and which change of
 * the stored state each one is. A change is an entity as it was and as it is (absent before a
 * creation and after a deletion); bookkeeping (send claims and retries, counters, copies of a
 * workspace's name onto its invitations) is no event.
 */
import type { Delivery } from './delivery-state';
import { effectiveStatus, type Invitation } from './invitation';
import type { Member, Workspace } from './workspace';

export const EVENT_TYPES = [
  'invitation.created',
  'invitation.email.sent',
  'invitation.email.failed',
  'invitation.email.held',
  'invitation.email.bounced',
  'invitation.email.complained',
  'invitation.resent',
  'invitation.accepted',
  'invitation.declined',
  'invitation.revoked',
  'invitation.expired',
  'invitation.deleted',
  'member.added',
  'member.removed',
  'workspace.created',
  'workspace.updated',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/**
 * Who removed an invitation or a membership, and when, as recorded beside the removal; `by` is
 * absent when no user's request did it. Removals stored before it was recorded have none.
 */
export interface Removal {
  at: string;
  by?: string;
}

export type Change =
  | { entity: 'invitation'; before?: Invitation; after?: Invitation; removal?: Removal }
  | { entity: 'member'; before?: Member; after?: Member; removal?: Removal }
  | { entity: 'workspace'; before?: Workspace; after?: Workspace };

/** An event a change amounts to, and the moment it happened. */
export interface ChangeEvent {
  type: EventType;
  /** Absent when the stored state does not say (a deletion): the stream record's time is taken then. */
  time?: string;
  /** The user whose request made the change, when the stored state names one. */
  actorId?: string;
  /** workspace.updated: the settings that changed. */
  changed?: WorkspaceSetting[];
}

export const WORKSPACE_SETTINGS = ['name', 'allowedDomains', 'invitationTtlDays'] as const;
export type WorkspaceSetting = (typeof WORKSPACE_SETTINGS)[number];

const EMAIL_OUTCOMES: Partial<Record<Delivery['status'], EventType>> = {
  SENT: 'invitation.email.sent',
  FAILED: 'invitation.email.failed',
  HELD: 'invitation.email.held',
  BOUNCED: 'invitation.email.bounced',
  COMPLAINED: 'invitation.email.complained',
};

const STATUS_CHANGES: Partial<Record<Invitation['status'], EventType>> = {
  ACCEPTED: 'invitation.accepted',
  DECLINED: 'invitation.declined',
  REVOKED: 'invitation.revoked',
};

/** The events one change amounts to, in the order they happened; none for bookkeeping. */
export function eventsOf(change: Change): ChangeEvent[] {
  switch (change.entity) {
    case 'invitation':
      return invitationEvents(change.before, change.after, change.removal);
    case 'member':
      if (change.after && !change.before) {
        return [{ type: 'member.added', time: change.after.joinedAt, actorId: change.after.userId }];
      }
      return change.before && !change.after ? [removalEvent('member.removed', change.removal)] : [];
    case 'workspace':
      if (change.after && !change.before) {
        return [{ type: 'workspace.created', time: change.after.created, actorId: change.after.createdBy }];
      }
      if (change.after && change.before) {
        const changed = changedSettings(change.before, change.after);
        if (!changed.length) return [];
        const { lastModified: time, lastChangedBy: actorId } = change.after;
        return [{ type: 'workspace.updated', time, actorId, changed }];
      }
      return [];
  }
}

function invitationEvents(
  before: Invitation | undefined,
  after: Invitation | undefined,
  removal: Removal | undefined,
): ChangeEvent[] {
  if (!before && after) return [{ type: 'invitation.created', time: after.created, actorId: after.creatorId }];
  if (before && !after) return [removalEvent('invitation.deleted', removal)];
  if (!before || !after) return [];
  const events: ChangeEvent[] = [];
  const statusEvent = before.status !== after.status ? STATUS_CHANGES[after.status] : undefined;
  if (statusEvent) events.push({ type: statusEvent, time: after.lastModified, actorId: after.changedBy });
  if (
    !before.expiryRecordedAt &&
    after.expiryRecordedAt &&
    effectiveStatus(after, new Date(after.expiryRecordedAt)) === 'EXPIRED'
  ) {
    events.push({ type: 'invitation.expired', time: after.expiresAt });
  }
  const [was, is] = [before.delivery, after.delivery];
  if (is && is.sendNumber > (was?.sendNumber ?? 0) && is.sendNumber > 1) {
    events.push({ type: 'invitation.resent', time: is.requestedAt, actorId: after.changedBy });
  }
  const outcome = is && EMAIL_OUTCOMES[is.status];
  if (is && outcome && (was?.status !== is.status || was.sendNumber !== is.sendNumber)) {
    events.push({ type: outcome, time: is.updatedAt });
  }
  return events;
}

/** A deletion: at the time and by the user its removal record names, when there is one. */
function removalEvent(type: 'invitation.deleted' | 'member.removed', removal: Removal | undefined): ChangeEvent {
  if (!removal) return { type };
  return removal.by === undefined ? { type, time: removal.at } : { type, time: removal.at, actorId: removal.by };
}

function changedSettings(before: Workspace, after: Workspace): WorkspaceSetting[] {
  return WORKSPACE_SETTINGS.filter((setting) => JSON.stringify(before[setting]) !== JSON.stringify(after[setting]));
}
