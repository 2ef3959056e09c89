import { describe, expect, it } from 'vitest';
import type { Invitation } from '../../../functions/domain/invitation';
import {
  availableActions,
  type Caller,
  canManage,
  canRemoveMember,
  canSee,
  relationTo,
  rolesThatMayWithdrawGrant,
} from '../../../functions/domain/permissions';
import { isManagerRole, outranksOrEquals, type Role } from '../../../functions/domain/roles';

const invitation: Pick<Invitation, 'creatorId' | 'email'> = { creatorId: 'creator', email: 'jane@example.com' };
const caller = (overrides: Partial<Caller>): Caller => ({
  userId: 'someone',
  name: 'Someone',
  isSystemAdmin: false,
  ...overrides,
});

describe('roles', () => {
  it('orders OWNER > ADMIN > MEMBER', () => {
    expect(outranksOrEquals('OWNER', 'ADMIN')).toBe(true);
    expect(outranksOrEquals('ADMIN', 'ADMIN')).toBe(true);
    expect(outranksOrEquals('ADMIN', 'OWNER')).toBe(false);
    expect(outranksOrEquals('MEMBER', 'ADMIN')).toBe(false);
    expect(outranksOrEquals('MEMBER', 'MEMBER')).toBe(true);
  });

  it('lets OWNER and ADMIN manage', () => {
    expect([isManagerRole('OWNER'), isManagerRole('ADMIN'), isManagerRole('MEMBER'), isManagerRole(undefined)]).toEqual(
      [true, true, false, false],
    );
  });
});

describe('who may see and manage an invitation', () => {
  it.each([
    ['creator, still a MEMBER', caller({ userId: 'creator' }), 'MEMBER', { see: true, manage: true }],
    ['creator who left the workspace', caller({ userId: 'creator' }), undefined, { see: false, manage: false }],
    ['workspace OWNER', caller({}), 'OWNER', { see: true, manage: true }],
    ['workspace ADMIN', caller({}), 'ADMIN', { see: true, manage: true }],
    ['plain MEMBER', caller({}), 'MEMBER', { see: false, manage: false }],
    ['system admin', caller({ isSystemAdmin: true }), undefined, { see: true, manage: true }],
    [
      'invitee (verified email)',
      caller({ verifiedEmail: 'jane@example.com' }),
      undefined,
      { see: true, manage: false },
    ],
    ['same email, unverified', caller({}), undefined, { see: false, manage: false }],
    ['outsider', caller({ verifiedEmail: 'bob@example.com' }), undefined, { see: false, manage: false }],
  ] as const)('%s', (_, who, role, expected) => {
    const relation = relationTo(who, invitation, role);
    expect({ see: canSee(relation), manage: canManage(relation) }).toEqual(expected);
  });

  it('offers the invitee accept and decline while PENDING, nothing once answered', () => {
    const relation = relationTo(caller({ verifiedEmail: 'jane@example.com' }), invitation, undefined);
    expect(availableActions(relation, 'PENDING')).toEqual(['accept', 'decline']);
    expect(availableActions(relation, 'ACCEPTED')).toEqual([]);
    expect(availableActions(relation, 'EXPIRED')).toEqual([]);
  });

  it('offers managers withdraw and delete as the status allows', () => {
    const relation = relationTo(caller({ userId: 'creator' }), invitation, 'MEMBER');
    expect(availableActions(relation, 'PENDING')).toEqual(['withdraw', 'delete']);
    expect(availableActions(relation, 'ACCEPTED')).toEqual(['withdraw']);
    expect(availableActions(relation, 'REVOKED')).toEqual(['delete']);
    expect(availableActions(relation, 'DECLINED')).toEqual(['delete']);
    expect(availableActions(relation, 'EXPIRED')).toEqual(['delete']);
  });

  it('offers the withdraw of an ACCEPTED invitation only to who may remove the member it made', () => {
    const withdrawsAccepted = (who: Caller, role: 'OWNER' | 'ADMIN' | 'MEMBER' | undefined, granted: Role) =>
      availableActions(relationTo(who, invitation, role), 'ACCEPTED', { grantedRole: granted }).includes('withdraw');
    expect(withdrawsAccepted(caller({}), 'OWNER', 'OWNER')).toBe(true);
    expect(withdrawsAccepted(caller({}), 'ADMIN', 'OWNER')).toBe(false);
    expect(withdrawsAccepted(caller({}), 'ADMIN', 'ADMIN')).toBe(true);
    expect(withdrawsAccepted(caller({ userId: 'creator' }), 'MEMBER', 'MEMBER')).toBe(true);
    expect(withdrawsAccepted(caller({ userId: 'creator' }), 'MEMBER', 'ADMIN')).toBe(false);
    expect(withdrawsAccepted(caller({ userId: 'creator' }), undefined, 'MEMBER')).toBe(false);
    expect(withdrawsAccepted(caller({ isSystemAdmin: true }), undefined, 'MEMBER')).toBe(false);
    // Nothing granted to remove (a PENDING one): the ordinary manage rule.
    expect(availableActions(relationTo(caller({ isSystemAdmin: true }), invitation, undefined), 'PENDING')).toEqual([
      'withdraw',
      'delete',
    ]);
  });
});

describe('withdrawing an accepted invitation removes a member', () => {
  it('OWNERs anyone, ADMINs all but OWNERs, the creator no one above their own role', () => {
    expect(rolesThatMayWithdrawGrant('OWNER', false)).toEqual(['OWNER']);
    expect(rolesThatMayWithdrawGrant('ADMIN', false)).toEqual(['OWNER', 'ADMIN']);
    expect(rolesThatMayWithdrawGrant('MEMBER', false)).toEqual(['OWNER', 'ADMIN']);
    expect(rolesThatMayWithdrawGrant('OWNER', true)).toEqual(['OWNER']);
    expect(rolesThatMayWithdrawGrant('ADMIN', true)).toEqual(['OWNER', 'ADMIN']);
    expect(rolesThatMayWithdrawGrant('MEMBER', true)).toEqual(['OWNER', 'ADMIN', 'MEMBER']);
  });
});

describe('removing members', () => {
  it('lets anyone leave, OWNERs remove anyone, ADMINs remove all but OWNERs', () => {
    expect(canRemoveMember('a', 'MEMBER', 'a', 'MEMBER')).toBe(true);
    expect(canRemoveMember('a', 'OWNER', 'b', 'OWNER')).toBe(true);
    expect(canRemoveMember('a', 'ADMIN', 'b', 'ADMIN')).toBe(true);
    expect(canRemoveMember('a', 'ADMIN', 'b', 'OWNER')).toBe(false);
    expect(canRemoveMember('a', 'MEMBER', 'b', 'MEMBER')).toBe(false);
    expect(canRemoveMember('a', undefined, 'b', 'MEMBER')).toBe(false);
  });
});
