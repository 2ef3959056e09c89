import { describe, expect, it } from 'vitest';
import {
  assertResendAllowed,
  coolDownRemaining,
  lastSendRequestedAt,
  queuedDelivery,
} from '../../../functions/domain/delivery';
import { Conflict, Gone } from '../../../functions/domain/errors';
import { STATUSES } from '../../../functions/domain/invitation';
import { availableActions, type InvitationRelation } from '../../../functions/domain/permissions';

const now = new Date('2026-11-22T04:00:00.000Z');
const secondsAgo = (seconds: number) => new Date(now.getTime() - seconds * 1000).toISOString();

describe('delivery', () => {
  it('queues a send with its number, requested now', () => {
    expect(queuedDelivery(3, now)).toEqual({
      status: 'QUEUED',
      sendNumber: 3,
      requestedAt: '2026-11-22T04:00:00.000Z',
      updatedAt: '2026-11-22T04:00:00.000Z',
    });
  });

  it('counts the cool-down from the last request, in whole seconds rounded up', () => {
    expect(coolDownRemaining(secondsAgo(0), now)).toBe(60);
    expect(coolDownRemaining(secondsAgo(0.5), now)).toBe(60);
    expect(coolDownRemaining(secondsAgo(59.5), now)).toBe(1);
    expect(coolDownRemaining(secondsAgo(60), now)).toBe(0);
    expect(coolDownRemaining(secondsAgo(3600), now)).toBe(0);
  });

  it('takes the last request from the delivery, else the last send, else the creation', () => {
    const created = secondsAgo(300);
    expect(lastSendRequestedAt({ created, delivery: queuedDelivery(2, now), lastSentAt: secondsAgo(100) })).toBe(
      now.toISOString(),
    );
    expect(lastSendRequestedAt({ created, lastSentAt: secondsAgo(100) })).toBe(secondsAgo(100));
    expect(lastSendRequestedAt({ created })).toBe(created);
  });

  it('resends only a PENDING invitation', () => {
    expect(() => assertResendAllowed('PENDING')).not.toThrow();
    expect(() => assertResendAllowed('EXPIRED')).toThrow(Gone);
    for (const status of ['ACCEPTED', 'REVOKED', 'DECLINED'] as const) {
      expect(() => assertResendAllowed(status)).toThrow(
        new Conflict(`An invitation that is ${status} cannot be sent again.`),
      );
    }
  });
});

describe('the resend action', () => {
  const creator: InvitationRelation = { isCreator: true, isInvitee: false, isSystemAdmin: false };
  const admin: InvitationRelation = {
    isCreator: false,
    isInvitee: false,
    isSystemAdmin: false,
    workspaceRole: 'ADMIN',
  };
  const member: InvitationRelation = {
    isCreator: false,
    isInvitee: false,
    isSystemAdmin: false,
    workspaceRole: 'MEMBER',
  };
  const invitee: InvitationRelation = { isCreator: false, isInvitee: true, isSystemAdmin: false };

  it('is offered to those who manage a PENDING invitation once the cool-down has passed', () => {
    expect(availableActions(creator, 'PENDING', { resendable: true })).toEqual(['withdraw', 'delete', 'resend']);
    expect(availableActions(admin, 'PENDING', { resendable: true })).toEqual(['withdraw', 'delete', 'resend']);
    expect(availableActions(creator, 'PENDING', { resendable: false })).toEqual(['withdraw', 'delete']);
    expect(availableActions(creator, 'PENDING')).toEqual(['withdraw', 'delete']);
  });

  it('is never offered to others, nor on an invitation that is not PENDING', () => {
    expect(availableActions(member, 'PENDING', { resendable: true })).toEqual([]);
    expect(availableActions(invitee, 'PENDING', { resendable: true })).toEqual(['accept', 'decline']);
    for (const status of STATUSES.filter((s) => s !== 'PENDING')) {
      expect(availableActions(creator, status, { resendable: true })).not.toContain('resend');
    }
  });
});
