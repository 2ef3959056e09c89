/**
 * The layout steps on their own: which items each asks to update, with which update and under
 * which condition. (test/integration/migrate.test.ts runs them against DynamoDB Local.)
 */
import { describe, expect, it } from 'vitest';
import { expiryKeys, keys } from '../../../functions/store/keys';
import { fileInExpiryIndex, fileInListIndexes, LAYOUT_STEPS } from '../../../functions/store/layout-steps';

const id = '00000000-0000-4000-8000-0000000000b1';
const expiresAt = '2026-03-08T10:00:00.000Z';
/** A PENDING invitation as a version before the expiry index wrote it. */
const legacy = { ...keys.invitation(id), entity: 'Invitation', id, status: 'PENDING', expiresAt };

describe('the layout steps', () => {
  it('run the expiry index backfill, then the list indexes, each under a name of its own', () => {
    expect(LAYOUT_STEPS.map((step) => step.name)).toEqual(['expiry-index', 'list-indexes']);
    expect(new Set(LAYOUT_STEPS.map((step) => step.name)).size).toBe(LAYOUT_STEPS.length);
  });
});

describe('expiry-index', () => {
  it('files a PENDING invitation without index keys at its expiry, as a new invitation is filed', () => {
    const needed = fileInExpiryIndex.updateFor(legacy);
    expect(needed?.update).toEqual({
      expression: 'SET #expiryPartition = :expiryPartition, #expirySort = :expirySort',
      names: { '#expiryPartition': 'GSI5PK', '#expirySort': 'GSI5SK' },
      values: { ':expiryPartition': expiryKeys(id, expiresAt).GSI5PK, ':expirySort': expiresAt },
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

describe('list-indexes', () => {
  /** An invitation as versions before `listSK` wrote it: a sort key per list index, and its id repeated. */
  const listed = {
    ...legacy,
    status: 'ACCEPTED',
    GSI1PK: 'USER#u1',
    GSI1SK: `INV#2026-03-01T10:00:00.000Z#${id}`,
    GSI2PK: 'EMAIL#a@example.com',
    GSI2SK: `INV#2026-03-01T10:00:00.000Z#${id}`,
    GSI3PK: 'WS#w1',
    GSI3SK: `INV#2026-03-01T10:00:00.000Z#${id}`,
  };

  it('files an invitation under its status and expiry and drops the old sort keys and the copy of its id', () => {
    expect(fileInListIndexes.updateFor(listed)).toEqual({
      update: {
        expression: 'SET #listSK = :listSK REMOVE #outdated0, #outdated1, #outdated2, #outdated3',
        names: {
          '#listSK': 'listSK',
          '#outdated0': 'GSI1SK',
          '#outdated1': 'GSI2SK',
          '#outdated2': 'GSI3SK',
          '#outdated3': 'id',
        },
        values: { ':listSK': `ACCEPTED#${expiresAt}` },
      },
      condition: {
        expression: '(attribute_exists(#pk)) AND (#status = :status AND expiresAt = :expiresAt)',
        names: { '#pk': 'PK', '#status': 'status' },
        values: { ':status': 'ACCEPTED', ':expiresAt': expiresAt },
      },
    });
  });

  it('files a membership under its workspace, where the byUser index lists it', () => {
    const member = {
      ...keys.member('w1', 'u1'),
      entity: 'Member',
      workspaceId: 'w1',
      GSI1PK: 'USER#u1',
      GSI1SK: 'WS#w1',
    };
    expect(fileInListIndexes.updateFor(member)?.update).toEqual({
      expression: 'SET #listSK = :listSK REMOVE #outdated0',
      names: { '#listSK': 'listSK', '#outdated0': 'GSI1SK' },
      values: { ':listSK': 'WS#w1' },
    });
  });

  it('asks nothing of items already in the current layout, of unreadable invitations, nor of other items', () => {
    const { GSI1SK: _1, GSI2SK: _2, GSI3SK: _3, id: _id, ...current } = { ...listed, listSK: `ACCEPTED#${expiresAt}` };
    const untouched = {
      current,
      'an unknown status': { ...listed, status: 'LOST' },
      'no expiry': { ...listed, expiresAt: undefined },
      claim: { ...keys.emailClaim('w1', 'a@example.com'), entity: 'EmailClaim', kind: 'INVITED', expiresAt },
      workspace: { ...keys.workspace('w1'), entity: 'Workspace', id: 'w1' },
    };
    for (const [label, item] of Object.entries(untouched)) {
      expect(fileInListIndexes.updateFor(item), label).toBeUndefined();
    }
  });
});
