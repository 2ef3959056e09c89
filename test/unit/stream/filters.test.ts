import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { keys } from '../../../functions/store/keys';
import {
  type FilterPattern,
  invitationEmailFilterPatterns,
  matchesFilterPatterns,
  serviceEventFilterPatterns,
} from '../../../functions/stream/filters';
import { attributeKey } from '../../support/attribute-key';

type Image = NonNullable<NonNullable<DynamoDBRecord['dynamodb']>['NewImage']>;

function invitationImage(status: string, delivery: string | undefined): Image {
  return {
    ...attributeKey(keys.invitation('0b7e1a52-3c4d-4e5f-8a9b-0c1d2e3f4a5b')),
    entity: { S: 'Invitation' },
    id: { S: '0b7e1a52-3c4d-4e5f-8a9b-0c1d2e3f4a5b' },
    status: { S: status },
    sendCount: { N: '0' },
    ...(delivery ? { delivery: { M: { status: { S: delivery }, sendNumber: { N: '1' } } } } : {}),
  };
}

function record(eventName: DynamoDBRecord['eventName'], newImage?: Image, oldImage?: Image): DynamoDBRecord {
  return {
    eventID: '1',
    eventName,
    eventSource: 'aws:dynamodb',
    eventSourceARN: 'arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/2026',
    dynamodb: {
      Keys: attributeKey(keys.invitation('x')),
      ...(newImage ? { NewImage: newImage } : {}),
      ...(oldImage ? { OldImage: oldImage } : {}),
      SequenceNumber: '100',
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

const passes = (r: DynamoDBRecord) => matchesFilterPatterns(r, invitationEmailFilterPatterns);

describe('the invitation email filter', () => {
  it('lets through a new invitation and a resend', () => {
    expect(passes(record('INSERT', invitationImage('PENDING', 'QUEUED')))).toBe(true);
    expect(passes(record('MODIFY', invitationImage('PENDING', 'QUEUED'), invitationImage('PENDING', 'SENT')))).toBe(
      true,
    );
  });

  it("keeps out the handler's own writes", () => {
    for (const state of ['SENDING', 'RETRYING', 'SENT', 'FAILED']) {
      expect(passes(record('MODIFY', invitationImage('PENDING', state), invitationImage('PENDING', 'QUEUED')))).toBe(
        false,
      );
    }
  });

  it('keeps out answered, withdrawn and deleted invitations, and other entities', () => {
    for (const status of ['ACCEPTED', 'REVOKED', 'DECLINED']) {
      expect(passes(record('MODIFY', invitationImage(status, 'QUEUED'), invitationImage('PENDING', 'QUEUED')))).toBe(
        false,
      );
    }
    expect(passes(record('REMOVE', undefined, invitationImage('PENDING', 'QUEUED')))).toBe(false);
    expect(passes(record('INSERT', invitationImage('PENDING', undefined)))).toBe(false);
    expect(passes(record('INSERT', { ...invitationImage('PENDING', 'QUEUED'), entity: { S: 'EmailClaim' } }))).toBe(
      false,
    );
    expect(passes(record('INSERT', { ...attributeKey(keys.workspace('1')), entity: { S: 'Workspace' } }))).toBe(false);
  });

  it('is plain JSON, as Lambda filter criteria need', () => {
    expect(JSON.parse(JSON.stringify(invitationEmailFilterPatterns))).toEqual(invitationEmailFilterPatterns);
    expect(invitationEmailFilterPatterns).toEqual([
      {
        eventName: ['INSERT', 'MODIFY'],
        dynamodb: {
          NewImage: {
            entity: { S: ['Invitation'] },
            status: { S: ['PENDING'] },
            delivery: { M: { status: { S: ['QUEUED'] } } },
          },
        },
      },
    ]);
  });
});

describe('the event publisher filter', () => {
  const workspace = (name: string): Image => ({
    ...attributeKey(keys.workspace('1')),
    entity: { S: 'Workspace' },
    id: { S: '1' },
    name: { S: name },
  });
  const published = (r: DynamoDBRecord) => matchesFilterPatterns(r, serviceEventFilterPatterns);

  const member: Image = {
    ...attributeKey(keys.member('1', 'u')),
    entity: { S: 'Member' },
    userId: { S: 'u' },
    role: { S: 'ADMIN' },
  };
  const claim: Image = { ...attributeKey(keys.emailClaim('1', 'a@example.com')), entity: { S: 'EmailClaim' } };

  it('lets through every write and removal of an invitation or a member and every write of a workspace, nothing else', () => {
    expect(published(record('MODIFY', workspace('New'), workspace('Old')))).toBe(true);
    expect(published(record('INSERT', workspace('New')))).toBe(true);
    expect(published(record('REMOVE', undefined, member))).toBe(true);
    expect(published(record('INSERT', member))).toBe(true);
    expect(published(record('INSERT', invitationImage('PENDING', 'QUEUED')))).toBe(true);
    expect(published(record('MODIFY', invitationImage('PENDING', 'SENT'), invitationImage('PENDING', 'QUEUED')))).toBe(
      true,
    );
    expect(published(record('REMOVE', undefined, invitationImage('REVOKED', 'SENT')))).toBe(true);
    expect(published(record('INSERT', claim))).toBe(false);
    expect(published(record('REMOVE', undefined, claim))).toBe(false);
    expect(published(record('REMOVE', undefined, workspace('Old')))).toBe(false);
  });

  it('is plain JSON, and lets no workspace or member record through to the email sender', () => {
    expect(JSON.parse(JSON.stringify(serviceEventFilterPatterns))).toEqual(serviceEventFilterPatterns);
    expect(passes(record('MODIFY', workspace('New'), workspace('Old')))).toBe(false);
    expect(passes(record('REMOVE', undefined, member))).toBe(false);
  });
});

describe('matchesFilterPatterns', () => {
  const value = { a: 'x', n: 5, flag: true, list: ['p', 'q'], nested: { b: 'y' } };

  it('matches exact values of any JSON type, and any element of an array', () => {
    expect(matchesFilterPatterns(value, [{ a: ['x'], n: [5], flag: [true] }])).toBe(true);
    expect(matchesFilterPatterns(value, [{ n: ['5'] }])).toBe(false);
    expect(matchesFilterPatterns(value, [{ list: ['q'] }])).toBe(true);
    expect(matchesFilterPatterns(value, [{ list: ['r'] }])).toBe(false);
    expect(matchesFilterPatterns(value, [{ nested: { b: ['y', 'z'] } }])).toBe(true);
    expect(matchesFilterPatterns(value, [{ nested: { b: ['z'] } }])).toBe(false);
  });

  it('needs every field of a pattern, and any one of the patterns', () => {
    expect(matchesFilterPatterns(value, [{ a: ['x'], nested: { b: ['z'] } }])).toBe(false);
    expect(matchesFilterPatterns(value, [{ a: ['nope'] }, { nested: { b: ['y'] } }])).toBe(true);
    expect(matchesFilterPatterns(value, [])).toBe(false);
  });

  it('supports exists', () => {
    expect(matchesFilterPatterns(value, [{ a: [{ exists: true }] }])).toBe(true);
    expect(matchesFilterPatterns(value, [{ missing: [{ exists: true }] }])).toBe(false);
    expect(matchesFilterPatterns(value, [{ missing: [{ exists: false }] }])).toBe(true);
    expect(matchesFilterPatterns(value, [{ nested: { missing: [{ exists: false }] } }])).toBe(true);
    expect(matchesFilterPatterns(value, [{ absent: { deeper: [{ exists: false }] } }])).toBe(true);
  });

  it('refuses operators it does not implement instead of guessing', () => {
    const prefix = [{ a: [{ prefix: 'x' }] }] as unknown as FilterPattern[];
    expect(() => matchesFilterPatterns(value, prefix)).toThrow(/only exact values and exists/);
    const bare = [{ a: 'x' }] as unknown as FilterPattern[];
    expect(() => matchesFilterPatterns(value, bare)).toThrow(/Unsupported filter pattern/);
  });
});
