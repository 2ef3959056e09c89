/**
 * Domain events through the HTTP API on DynamoDB Local: every lifecycle step's stream records go
 * through the real publisher to a local bus, and the events published are exactly the documented
 * ones, once per change, in order per invitation, each valid against its served JSON Schema; a
 * redelivered record repeats its event ids.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EMAIL_SENDER, EVENT_PUBLISHER } from '../../functions/consumers';
import { deliveries } from '../../functions/services';
import { ENTITY, invitationPartition, keys, workspacePartition } from '../../functions/store/keys';
import { matchesFilterPatterns } from '../../functions/stream/filters';
import type { LocalEventBus } from '../../local/event-bus';
import { api, lambdaContext, user } from '../support/api';
import { runAs } from '../support/declared-access';
import { addMember, createWorkspace, invite } from '../support/fixtures';
import { expectValidEvents, publish, startTestBus } from '../support/published-events';
import { deliverToNameSync } from '../support/service-events';
import { StreamReader } from '../support/stream';
import { documents } from '../support/table';

const stream = new StreamReader();
let bus: LocalEventBus;
beforeAll(async () => {
  bus = await startTestBus(join(mkdtempSync(join(tmpdir(), 'events-')), 'events.jsonl'));
});
afterAll(async () => {
  stream.destroy();
  await bus.stop();
});

/** Publishes the records of `pk` until `done`, and returns the events they put on the bus. */
async function publishFor(pk: string, done: (records: DynamoDBRecord[]) => boolean) {
  const before = bus.events.length;
  const records = await stream.readFor(pk, done);
  expect(await publish(records)).toEqual([]);
  return { records, events: bus.events.slice(before) };
}

const types = (events: { 'detail-type': string }[]) => events.map((event) => event['detail-type']);
const hasStatus = (status: string) => (records: DynamoDBRecord[]) =>
  records.some((record) => record.dynamodb?.NewImage?.status?.S === status);

describe('the events of an invitation', () => {
  it('created, accepted and revoked, with the member added and removed, each once, in order, with metadata', async () => {
    const owner = user('owner');
    const invitee = user('invitee');
    const workspaceId = await createWorkspace(owner, { name: 'Events' });
    const metadata = { plan: 'pro', seats: 3, source: { campaign: 'spring' } };
    const created = await api.post(`/api/workspaces/${workspaceId}/invitations`, {
      as: owner,
      body: { email: invitee.email, role: 'ADMIN', metadata },
    });
    expect(created.status).toBe(202);
    expect(created.body.metadata).toEqual(metadata);
    const id = created.body.id as string;
    // The invitee sees the invitation, never the metadata.
    const asInvitee = await api.get(`/api/invitations/${id}`, { as: invitee });
    expect(asInvitee.status).toBe(200);
    expect(asInvitee.body).not.toHaveProperty('metadata');

    expect((await api.patch(`/api/invitations/${id}`, { as: invitee })).status).toBe(200);
    expect((await api.put(`/api/invitations/${id}/revoked`, { as: owner })).status).toBe(200);

    const invitationEvents = await publishFor(invitationPartition(id), hasStatus('REVOKED'));
    expect(types(invitationEvents.events)).toEqual(['invitation.created', 'invitation.accepted', 'invitation.revoked']);
    const sequences = invitationEvents.events.map((event) => BigInt(event.detail.sequence as string));
    expect([...sequences].sort((a, b) => (a < b ? -1 : 1))).toEqual(sequences);
    const [createdEvent, acceptedEvent, revokedEvent] = invitationEvents.events;
    expect(createdEvent?.detail).toMatchObject({
      workspaceId,
      actor: { userId: owner.sub },
      metadata,
      invitation: { id, status: 'PENDING', role: 'ADMIN', email: invitee.email, metadata },
    });
    expect(acceptedEvent?.detail).toMatchObject({ actor: { userId: invitee.sub }, invitation: { status: 'ACCEPTED' } });
    expect(revokedEvent?.detail).toMatchObject({ actor: { userId: owner.sub }, invitation: { status: 'REVOKED' } });
    expect(createdEvent?.source).toBe('invitations');

    const workspaceEvents = await publishFor(workspacePartition(workspaceId), (records) =>
      records.some((record) => record.eventName === 'REMOVE' && record.dynamodb?.OldImage?.userId?.S === invitee.sub),
    );
    expect(types(workspaceEvents.events)).toEqual([
      'workspace.created',
      'member.added',
      'member.added',
      'member.removed',
    ]);
    const [, ownerAdded, inviteeAdded, removed] = workspaceEvents.events;
    expect(ownerAdded?.detail).toMatchObject({ member: { userId: owner.sub, role: 'OWNER' } });
    expect(ownerAdded?.detail).not.toHaveProperty('metadata');
    // The membership carries the invitation's metadata, and so do its events.
    expect(inviteeAdded?.detail).toMatchObject({ metadata, member: { userId: invitee.sub, role: 'ADMIN', metadata } });
    expect(removed?.detail).toMatchObject({ metadata, member: { userId: invitee.sub } });
    await expectValidEvents([...invitationEvents.events, ...workspaceEvents.events]);

    // Redelivered, the same records publish the same event ids again, and no new ones.
    const ids = invitationEvents.events.map((event) => event.detail.eventId);
    expect(new Set(ids).size).toBe(3);
    const before = bus.events.length;
    expect(await publish(invitationEvents.records)).toEqual([]);
    expect(bus.events.slice(before).map((event) => event.detail.eventId)).toEqual(ids);
  });

  it('declined, resent and deleted; a workspace update names what changed', async () => {
    const owner = user('owner');
    const workspaceId = await createWorkspace(owner, { name: 'Before' });
    const declining = user('declining');
    const resent = user('resent');
    const declinedId = (
      await api.post(`/api/workspaces/${workspaceId}/invitations`, { as: owner, body: { email: declining.email } })
    ).body.id as string;
    const resentId = (
      await api.post(`/api/workspaces/${workspaceId}/invitations`, { as: owner, body: { email: resent.email } })
    ).body.id as string;
    expect((await api.put(`/api/invitations/${declinedId}/declined`, { as: declining })).status).toBe(200);
    expect((await api.delete(`/api/invitations/${declinedId}`, { as: owner })).status).toBe(204);
    const declined = await publishFor(invitationPartition(declinedId), (records) =>
      records.some((record) => record.eventName === 'REMOVE'),
    );
    expect(types(declined.events)).toEqual(['invitation.created', 'invitation.declined', 'invitation.deleted']);
    expect(declined.events[1]?.detail).toMatchObject({ actor: { userId: declining.sub } });
    // The deletion's record holds only the invitation; the removal record beside it names who deleted it, and when.
    expect(declined.events[2]?.detail).toMatchObject({
      actor: { userId: owner.sub },
      invitation: { id: declinedId, status: 'DECLINED' },
    });
    const removal = await documents.send(
      new GetCommand({ TableName: process.env.TABLE_NAME, Key: keys.invitationRemoval(declinedId) }),
    );
    expect(declined.events[2]?.detail.time).toBe(removal.Item?.removedAt);

    const now = Date.now();
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(now + 61_000);
      expect((await api.post(`/api/invitations/${resentId}/resend`, { as: owner })).status).toBe(202);
    } finally {
      vi.useRealTimers();
    }
    const resends = await publishFor(invitationPartition(resentId), (records) =>
      records.some((record) => record.dynamodb?.NewImage?.delivery?.M?.sendNumber?.N === '2'),
    );
    expect(types(resends.events)).toEqual(['invitation.created', 'invitation.resent']);
    expect(resends.events[1]?.detail).toMatchObject({
      actor: { userId: owner.sub },
      invitation: { status: 'PENDING' },
    });

    expect((await api.patch(`/api/workspaces/${workspaceId}`, { as: owner, body: { name: 'After' } })).status).toBe(
      200,
    );
    const workspace = await publishFor(workspacePartition(workspaceId), (records) =>
      records.some((record) => record.dynamodb?.NewImage?.name?.S === 'After'),
    );
    expect(types(workspace.events)).toEqual(['workspace.created', 'member.added', 'workspace.updated']);
    expect(workspace.events[2]?.detail).toMatchObject({
      actor: { userId: owner.sub },
      changed: ['name'],
      workspace: { id: workspaceId, name: 'After' },
    });
    await expectValidEvents([...declined.events, ...resends.events, ...workspace.events]);
  });

  it('email outcomes: sent, then bounced; failed and held', async () => {
    const owner = user('owner');
    const workspaceId = await createWorkspace(owner);
    const [sentId, failedId, heldId] = await Promise.all(
      ['sent', 'failed', 'held'].map(async (label) => {
        const response = await api.post(`/api/workspaces/${workspaceId}/invitations`, {
          as: owner,
          body: { email: user(label).email },
        });
        return response.body.id as string;
      }),
    );
    const now = new Date();
    const settle = async (id: string, result: Parameters<typeof deliveries.recordDelivery>[2]) => {
      const claim = await deliveries.claimDelivery(id, 1, new Date(now.getTime() + 10_000), now);
      expect(claim.claimed).toBe(true);
      expect(await deliveries.recordDelivery(id, 1, result, new Date())).toBe(true);
    };
    await settle(sentId as string, { status: 'SENT', messageId: 'message-1' });
    await settle(failedId as string, { status: 'FAILED', failure: 'MessageRejected' });
    await settle(heldId as string, { status: 'HELD', failure: 'IdentityNotVerified' });
    expect(
      await deliveries.recordDeliveryFeedback(
        {
          invitationId: sentId as string,
          sendNumber: 1,
          messageId: 'message-1',
          status: 'BOUNCED',
          failure: 'Bounce.NoEmail',
        },
        new Date(),
      ),
    ).toBe('recorded');

    const outcome = async (id: string, status: string) =>
      types(
        (
          await publishFor(invitationPartition(id), (records) =>
            records.some((record) => record.dynamodb?.NewImage?.delivery?.M?.status?.S === status),
          )
        ).events,
      );
    expect(await outcome(sentId as string, 'BOUNCED')).toEqual([
      'invitation.created',
      'invitation.email.sent',
      'invitation.email.bounced',
    ]);
    expect(await outcome(failedId as string, 'FAILED')).toEqual(['invitation.created', 'invitation.email.failed']);
    expect(await outcome(heldId as string, 'HELD')).toEqual(['invitation.created', 'invitation.email.held']);
    await expectValidEvents(bus.events.filter((event) => event['detail-type'].startsWith('invitation.email.')));
  });
});

describe('who deleted and who removed', () => {
  const removedMember = (userId: string) => (records: DynamoDBRecord[]) =>
    records.some((record) => record.eventName === 'REMOVE' && record.dynamodb?.OldImage?.userId?.S === userId);

  it('member.removed names the remover or the member who left, the departed creator’s revocations the remover; a redelivery repeats ids and actors', async () => {
    const owner = user('owner');
    const workspaceId = await createWorkspace(owner, { name: 'Removals' });
    const admin = await addMember(owner, workspaceId, 'ADMIN', 'admin');
    const leaver = await addMember(owner, workspaceId, 'MEMBER', 'leaver');
    const sentByAdmin = await invite(admin, workspaceId, user('invited-by-admin').email as string);

    const remove = (as: typeof owner, userId: string) =>
      api.delete(`/api/workspaces/${workspaceId}/members/${encodeURIComponent(userId)}`, { as });
    expect((await remove(owner, admin.sub)).status).toBe(204);
    expect((await remove(leaver, leaver.sub)).status).toBe(204);

    const workspace = await publishFor(workspacePartition(workspaceId), removedMember(leaver.sub));
    const removals = workspace.events.filter((event) => event['detail-type'] === 'member.removed');
    const memberOf = (event: (typeof removals)[number]) => (event.detail.member as { userId: string }).userId;
    expect(removals.map((event) => [memberOf(event), event.detail.actor])).toEqual([
      [admin.sub, { userId: owner.sub }],
      [leaver.sub, { userId: leaver.sub }],
    ]);
    await expectValidEvents(workspace.events);

    // The removal records are in the stream too; neither stream reader's filter lets them in.
    const removalRecords = workspace.records.filter(
      (record) => record.dynamodb?.NewImage?.entity?.S === ENTITY.removal,
    );
    expect(removalRecords).toHaveLength(2);
    for (const record of removalRecords) {
      expect(matchesFilterPatterns(record, EMAIL_SENDER.filterPatterns)).toBe(false);
      expect(matchesFilterPatterns(record, EVENT_PUBLISHER.filterPatterns)).toBe(false);
      expect(Object.keys(record.dynamodb?.NewImage ?? {}).sort()).toEqual([
        'PK',
        'SK',
        'entity',
        'removedAt',
        'removedBy',
        'ttl',
      ]);
    }

    // The name sync hears of the admin's removal and withdraws what the admin sent: by the owner who removed them.
    expect(await deliverToNameSync(workspace.records)).toBe(2);
    const revocation = await publishFor(invitationPartition(sentByAdmin), hasStatus('REVOKED'));
    expect(types(revocation.events)).toEqual(['invitation.created', 'invitation.revoked']);
    expect(revocation.events[1]?.detail).toMatchObject({
      actor: { userId: owner.sub },
      invitation: { id: sentByAdmin, status: 'REVOKED' },
    });
    await expectValidEvents(revocation.events);

    // Redelivered, the removals publish the same event ids with the same actors.
    const before = bus.events.length;
    expect(await publish(workspace.records)).toEqual([]);
    const again = bus.events.slice(before).filter((event) => event['detail-type'] === 'member.removed');
    expect(again.map((event) => [event.detail.eventId, event.detail.actor])).toEqual(
      removals.map((event) => [event.detail.eventId, event.detail.actor]),
    );
  });

  it('a withdrawal that removes the member it made names the withdrawer on member.removed, and a delete its deleter on redelivery too', async () => {
    const owner = user('owner');
    const workspaceId = await createWorkspace(owner);
    const admin = await addMember(owner, workspaceId, 'ADMIN', 'withdrawing-admin');
    const invitee = user('withdrawn');
    const id = await invite(owner, workspaceId, invitee.email as string);
    expect((await api.patch(`/api/invitations/${id}`, { as: invitee })).status).toBe(200);
    expect((await api.put(`/api/invitations/${id}/revoked`, { as: admin })).status).toBe(200);
    expect((await api.delete(`/api/invitations/${id}`, { as: admin })).status).toBe(204);

    const workspace = await publishFor(workspacePartition(workspaceId), removedMember(invitee.sub));
    const removed = workspace.events.find((event) => event['detail-type'] === 'member.removed');
    expect(removed?.detail).toMatchObject({ actor: { userId: admin.sub }, member: { userId: invitee.sub } });

    const invitation = await publishFor(invitationPartition(id), (records) =>
      records.some((record) => record.eventName === 'REMOVE'),
    );
    expect(types(invitation.events)).toEqual([
      'invitation.created',
      'invitation.accepted',
      'invitation.revoked',
      'invitation.deleted',
    ]);
    const deleted = invitation.events[3];
    expect(deleted?.detail).toMatchObject({ actor: { userId: admin.sub }, invitation: { id, status: 'REVOKED' } });
    await expectValidEvents([...workspace.events, ...invitation.events]);

    const before = bus.events.length;
    expect(await publish(invitation.records.filter((record) => record.eventName === 'REMOVE'))).toEqual([]);
    expect(bus.events.slice(before).map((event) => event.detail)).toEqual([deleted?.detail]);
  });
});

describe('expiry', () => {
  it('publishes exactly one invitation.expired for an invitation left PENDING past expiresAt, none for an accepted one', async () => {
    const owner = user('owner');
    const invitee = user('accepting');
    const workspaceId = await createWorkspace(owner);
    const post = (email: string) =>
      api.post(`/api/workspaces/${workspaceId}/invitations`, { as: owner, body: { email } });
    const leftId = (await post(user('left').email as string)).body.id as string;
    const acceptedId = (await post(invitee.email as string)).body.id as string;
    expect((await api.patch(`/api/invitations/${acceptedId}`, { as: invitee })).status).toBe(200);

    const { handler } = await import('../../functions/sweep-expired-invitations');
    const sweep = () =>
      runAs('sweep-expired-invitations', () => handler({}, lambdaContext('sweep-expired-invitations')));
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      // Seven days and a minute later: past the default lifetime; the sweep runs twice.
      vi.setSystemTime(Date.now() + 7 * 86_400_000 + 60_000);
      const first = await sweep();
      expect(first.expired).toBeGreaterThanOrEqual(1);
      await sweep();
    } finally {
      vi.useRealTimers();
    }
    const left = await publishFor(invitationPartition(leftId), (records) =>
      records.some((record) => record.dynamodb?.NewImage?.expiryRecordedAt !== undefined),
    );
    expect(types(left.events)).toEqual(['invitation.created', 'invitation.expired']);
    expect(left.events[1]?.detail).toMatchObject({ invitation: { id: leftId, status: 'EXPIRED' } });
    expect(left.events[1]?.detail).not.toHaveProperty('actor');
    const expiredDetail = left.events[1]?.detail as { time: string; invitation: { expiresAt: string } };
    expect(expiredDetail.time).toBe(expiredDetail.invitation.expiresAt);
    await expectValidEvents(left.events);

    const accepted = await publishFor(invitationPartition(acceptedId), hasStatus('ACCEPTED'));
    expect(types(accepted.events)).toEqual(['invitation.created', 'invitation.accepted']);
    // Nothing more came for either after the second sweep.
    const later = await stream.readFor(invitationPartition(leftId), () => true);
    expect(later).toEqual([]);
  });
});

describe('metadata', () => {
  it('refuses metadata that is not an object or is too big, with a 400 that names it, and stores nothing', async () => {
    const owner = user('owner');
    const workspaceId = await createWorkspace(owner);
    const refused = [
      ['an array', [1, 2]],
      ['a string', 'plan=pro'],
      ['null', null],
      ['over 2 KB', { note: 'x'.repeat(2100) }],
      ['too deep', { a: { b: { c: { d: { e: { f: { g: { h: { i: 1 } } } } } } } } }],
    ] as const;
    for (const [label, metadata] of refused) {
      const response = await api.post(`/api/workspaces/${workspaceId}/invitations`, {
        as: owner,
        body: { email: user('meta').email, metadata },
      });
      expect(response.status, label).toBe(400);
      expect(response.headers['content-type'], label).toContain('application/problem+json');
      expect(response.body.errors, label).toEqual([
        { path: 'body.metadata', message: expect.stringMatching(/^metadata must /) },
      ]);
    }
    // A number JSON cannot hold (1e400 parses as Infinity) is refused, not stored as null.
    const infinite = await api.post(`/api/workspaces/${workspaceId}/invitations`, {
      as: owner,
      rawBody: `{"email":"${user('inf').email}","metadata":{"n":1e400}}`,
      headers: { 'content-type': 'application/json' },
    });
    expect(infinite.status).toBe(400);
    expect(infinite.body.errors).toEqual([{ path: 'body.metadata', message: 'metadata numbers must be finite' }]);
    const list = await api.get(`/api/workspaces/${workspaceId}/invitations`, { as: owner });
    expect(list.body._embedded.invitations).toEqual([]);
  });
});
