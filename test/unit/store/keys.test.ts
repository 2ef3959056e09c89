/**
 * The table's key layout, spelled out once (README, "Data model"). Every other test builds its
 * keys with functions/store/keys.ts, so a change of layout shows here and only here.
 */
import { describe, expect, it } from 'vitest';
import {
  EMAIL_CLAIM_PREFIX,
  emailPartition,
  emailStateKeys,
  emailStatePartition,
  INVITATION_PREFIX,
  indexKeys,
  keys,
  listSortKey,
  MEMBER_PREFIX,
  userPartition,
  WORKSPACE_PREFIX,
  workspacePartition,
} from '../../../functions/store/keys';

describe('the key layout', () => {
  it('gives every entity its primary key', () => {
    expect({
      workspace: keys.workspace('w1'),
      member: keys.member('w1', 'u1'),
      invitation: keys.invitation('i1'),
      emailClaim: keys.emailClaim('w1', 'ada@example.com'),
      emailAllowance: keys.emailAllowance('u1', '2026-05-04'),
      workspaceCounts: keys.workspaceCounts('w1'),
      renameWindow: keys.renameWindow('w1', '2026-05-04T10:11'),
      workspaceQuota: keys.workspaceQuota('u1'),
      invitationRemoval: keys.invitationRemoval('i1'),
      memberRemoval: keys.memberRemoval('w1', 'u1', '2026-05-04T00:00:00.000Z'),
    }).toEqual({
      workspace: { PK: 'WS#w1', SK: 'WORKSPACE' },
      member: { PK: 'WS#w1', SK: 'MEMBER#u1' },
      invitation: { PK: 'INV#i1', SK: 'INVITATION' },
      emailClaim: { PK: 'WS#w1', SK: 'EMAIL#ada@example.com' },
      emailAllowance: { PK: 'USER#u1', SK: 'EMAILS#2026-05-04' },
      workspaceCounts: { PK: 'WS#w1', SK: 'COUNTS' },
      renameWindow: { PK: 'WS#w1', SK: 'RENAMES#2026-05-04T10:11' },
      workspaceQuota: { PK: 'USER#u1', SK: 'WORKSPACES' },
      invitationRemoval: { PK: 'INV#i1', SK: 'REMOVAL' },
      memberRemoval: { PK: 'WS#w1', SK: 'REMOVAL#MEMBER#u1#2026-05-04T00:00:00.000Z' },
    });
  });

  it('names the index partitions and sort keys', () => {
    expect({
      user: userPartition('u1'),
      email: emailPartition('ada@example.com'),
      workspace: workspacePartition('w1'),
      invitationSort: listSortKey('ACCEPTED', '2026-05-04T00:00:00.000Z'),
      byUser: indexKeys('byUser', 'p', 's'),
      byEmail: indexKeys('byEmail', 'p', 's'),
      byWorkspace: indexKeys('byWorkspace', 'p', 's'),
      byEmailState: indexKeys('byEmailState', 'p', 's'),
      prefixes: [WORKSPACE_PREFIX, MEMBER_PREFIX, INVITATION_PREFIX, EMAIL_CLAIM_PREFIX],
    }).toEqual({
      user: 'USER#u1',
      email: 'EMAIL#ada@example.com',
      workspace: 'WS#w1',
      invitationSort: 'ACCEPTED#2026-05-04T00:00:00.000Z',
      byUser: { GSI1PK: 'p', listSK: 's' },
      byEmail: { GSI2PK: 'p', listSK: 's' },
      byWorkspace: { GSI3PK: 'p', listSK: 's' },
      byEmailState: { GSI4PK: 'p', GSI4SK: 's' },
      prefixes: ['WS#', 'MEMBER#', 'INV#', 'EMAIL#'],
    });
  });

  it('spreads each email state over four partitions by invitation id', () => {
    expect([0, 1, 2, 3].map((shard) => emailStatePartition('OWED', shard))).toEqual([
      'EMAILS#OWED#0',
      'EMAILS#OWED#1',
      'EMAILS#OWED#2',
      'EMAILS#OWED#3',
    ]);
    const owed = emailStateKeys('OWED', 'i1', '2026-05-04T00:00:00.000Z');
    expect(owed.GSI4PK).toMatch(/^EMAILS#OWED#[0-3]$/);
    expect(owed.GSI4SK).toBe('2026-05-04T00:00:00.000Z');
    for (const state of ['HELD', 'FAILED'] as const)
      expect(emailStateKeys(state, 'i1', 'x').GSI4PK, state).toBe(owed.GSI4PK?.replace('OWED', state));
  });
});
