import { describe, expect, it } from 'vitest';
import { Conflict, Gone } from '../../../functions/domain/errors';
import {
  assertTransition,
  effectiveStatus,
  expiryFrom,
  isTransitionAllowed,
  purgeAfter,
  RETENTION_DAYS,
  STATUSES,
  type Status,
  type Transition,
} from '../../../functions/domain/invitation';

const now = new Date('2026-05-01T12:00:00.000Z');

describe('invitation status', () => {
  it('reads a PENDING invitation past its expiry as EXPIRED', () => {
    expect(effectiveStatus({ status: 'PENDING', expiresAt: '2026-05-01T11:59:59.999Z' }, now)).toBe('EXPIRED');
    expect(effectiveStatus({ status: 'PENDING', expiresAt: '2026-05-01T12:00:00.000Z' }, now)).toBe('EXPIRED');
    expect(effectiveStatus({ status: 'PENDING', expiresAt: '2026-05-01T12:00:00.001Z' }, now)).toBe('PENDING');
  });

  it('never turns an answered invitation into EXPIRED', () => {
    for (const status of ['ACCEPTED', 'REVOKED', 'DECLINED'] as const) {
      expect(effectiveStatus({ status, expiresAt: '2020-01-01T00:00:00.000Z' }, now)).toBe(status);
    }
  });

  it('expires after the default 7 days or the workspace lifetime', () => {
    expect(expiryFrom(now).toISOString()).toBe('2026-05-08T12:00:00.000Z');
    expect(expiryFrom(now, 30).toISOString()).toBe('2026-05-31T12:00:00.000Z');
    expect(expiryFrom(now, 1).toISOString()).toBe('2026-05-02T12:00:00.000Z');
  });

  it('is purged by TTL a retention period after it expires', () => {
    const expiresAt = '2026-05-08T12:00:00.000Z';
    expect(purgeAfter(expiresAt)).toBe(Date.parse(expiresAt) / 1000 + RETENTION_DAYS * 86_400);
  });
});

describe('transitions', () => {
  const table: Record<Transition, Status[]> = {
    accept: ['PENDING'],
    decline: ['PENDING'],
    withdraw: ['PENDING', 'ACCEPTED'],
    delete: ['PENDING', 'REVOKED', 'DECLINED', 'EXPIRED'],
  };

  for (const [transition, allowed] of Object.entries(table) as [Transition, Status[]][]) {
    for (const status of STATUSES) {
      const ok = allowed.includes(status);
      it(`${transition} from ${status}: ${ok ? 'allowed' : 'refused'}`, () => {
        expect(isTransitionAllowed(transition, status)).toBe(ok);
        if (ok) expect(() => assertTransition(transition, status)).not.toThrow();
        else
          expect(() => assertTransition(transition, status)).toThrow(
            status === 'EXPIRED' && (transition === 'accept' || transition === 'decline') ? Gone : Conflict,
          );
      });
    }
  }

  it('explains a refusal in words', () => {
    expect(() => assertTransition('accept', 'REVOKED')).toThrow('An invitation that is REVOKED cannot be accepted.');
    expect(() => assertTransition('accept', 'EXPIRED')).toThrow('This invitation has expired. Ask for a new one.');
  });
});
