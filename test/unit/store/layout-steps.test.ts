/**
 * The layout steps on their own: which items each asks to update, with which update and under
 * which condition. (test/integration/migrate.test.ts runs them against DynamoDB Local.)
 */
import { describe, expect, it } from 'vitest';
import { expiryKeys, keys } from '../../../functions/store/keys';
import { fileInExpiryIndex, LAYOUT_STEPS } from '../../../functions/store/layout-steps';

const id = '00000000-0000-4000-8000-0000000000b1';
const expiresAt = '2026-03-08T10:00:00.000Z';
/** A PENDING invitation as a version before the expiry index wrote it. */
const legacy = { ...keys.invitation(id), entity: 'Invitation', id, status: 'PENDING', expiresAt };

describe('the layout steps', () => {
  it('run the expiry index backfill first, each under a name of its own', () => {
    expect(LAYOUT_STEPS.map((step) => step.name)).toEqual(['expiry-index']);
    expect(new Set(LAYOUT_STEPS.map((step) => step.name)).size).toBe(LAYOUT_STEPS.length);
  });
});

describe('expiry-index', () => {
  it('files a PENDING invitation without index keys at its expiry, as a new invitation is filed', () => {
    const needed = fileInExpiryIndex.updateFor(legacy);
    expect(needed?.update).toEqual({
      expression: 'SET #expiryPartition = :expiryPartition, #expirySort = :expirySort',
      names: { '#expiryPartition': 'GSI5PK', '#expirySort': 'GSI5SK' },
      values: { ':expiryPartition': expiryKeys(id, expiresAt).GSI5PK, ':expirySort': `${expiresAt}#${id}` },
    });
  });

  it('writes only while the item is still that PENDING invitation, unfiled, at that expiry', () => {
    expect(fileInExpiryIndex.updateFor(legacy)?.condition).toEqual({
      expression:
        'attribute_exists(#pk) AND entity = :invitation AND #status = :pending AND expiresAt = :expiresAt AND ' +
        'attribute_not_exists(#expiryPartition) AND attribute_not_exists(expiryRecordedAt)',
      names: { '#pk': 'PK', '#status': 'status', '#expiryPartition': 'GSI5PK', '#expirySort': 'GSI5SK' },
      values: { ':invitation': 'Invitation', ':pending': 'PENDING', ':expiresAt': expiresAt },
    });
  });

  it('asks nothing of invitations already filed, announced, settled or unreadable, nor of other items', () => {
    const untouched = {
      filed: { ...legacy, ...expiryKeys(id, expiresAt) },
      announced: { ...legacy, expiryRecordedAt: expiresAt },
      accepted: { ...legacy, status: 'ACCEPTED' },
      declined: { ...legacy, status: 'DECLINED' },
      revoked: { ...legacy, status: 'REVOKED' },
      'no expiry': { ...legacy, expiresAt: undefined },
      'an expiry that is no time': { ...legacy, expiresAt: 'soon' },
      'no id': { ...legacy, id: undefined },
      member: { ...keys.member('w1', 'u1'), entity: 'Member', status: 'PENDING', expiresAt },
      claim: { ...keys.emailClaim('w1', 'a@example.com'), entity: 'EmailClaim', kind: 'INVITED', expiresAt },
    };
    for (const [label, item] of Object.entries(untouched)) {
      expect(fileInExpiryIndex.updateFor(item), label).toBeUndefined();
    }
  });

  it('is pure: the item it is given is left as it was', () => {
    const item = structuredClone(legacy);
    fileInExpiryIndex.updateFor(item);
    expect(item).toEqual(legacy);
  });
});
