/**
 * The daily allowance of invitation emails per person, on DynamoDB Local: what counts (a create
 * counts inside its own transaction, warm or cold; a resend beside its reads, given back if it
 * fails), what it answers when used up, and that concurrent requests cannot exceed it.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { TooManyRequests } from '../../functions/domain/errors';
import type { Caller } from '../../functions/domain/permissions';
import { stores } from '../../functions/services';
import { keys } from '../../functions/store/keys';
import { Invitations } from '../../functions/use-cases/invitations';
import { Workspaces } from '../../functions/use-cases/workspaces';
import { user } from '../support/api';
import { documents } from '../support/table';

/** One minute before midnight UTC: a refusal says to retry in 60 s. */
const LATE = new Date('2026-11-22T23:59:00.000Z');

function callerFor(label: string, isSystemAdmin = false): Caller {
  return { userId: user(label).sub, name: label, isSystemAdmin };
}

async function workspaceOf(caller: Caller): Promise<string> {
  return (await new Workspaces(stores).create(caller, { name: 'Allowance' })).workspace.id;
}

const email = (n: number) => `person-${n}-${Math.random().toString(36).slice(2, 8)}@example.com`;

async function countFor(caller: Caller, day: string): Promise<unknown> {
  const { Item } = await documents.send(
    new GetCommand({ TableName: process.env.TABLE_NAME, Key: keys.emailAllowance(caller.userId, day) }),
  );
  return Item;
}

describe('the daily email allowance', () => {
  it('refuses the email past the limit with a 429 that says when the day renews', async () => {
    const owner = callerFor('owner');
    const workspaceId = await workspaceOf(owner);
    const invitations = new Invitations(stores, () => LATE, 3);
    for (let n = 0; n < 3; n++) await invitations.create(owner, workspaceId, { email: email(n) });

    const refused = await invitations.create(owner, workspaceId, { email: email(3) }).catch((error) => error);
    expect(refused).toBeInstanceOf(TooManyRequests);
    expect(refused.extra).toEqual({ retryAfterSeconds: 60 });
    expect(refused.detail).toMatch(/3 invitation emails today/);
    expect(await countFor(owner, '2026-11-22')).toMatchObject({
      emailCount: 3,
      entity: 'EmailAllowance',
      ttl: Date.parse('2026-11-24T00:00:00.000Z') / 1000,
    });

    // Another person's allowance is their own; the next UTC day starts afresh.
    const other = callerFor('other');
    await new Invitations(stores, () => LATE, 3).create(other, await workspaceOf(other), { email: email(4) });
    const nextDay = new Invitations(stores, () => new Date('2026-11-23T00:00:01.000Z'), 3);
    await nextDay.create(owner, workspaceId, { email: email(5) });
  });

  it('counts no email for a create that fails, so only requested emails count', async () => {
    const owner = callerFor('owner');
    const workspaceId = await workspaceOf(owner);
    const invitations = new Invitations(stores, () => LATE, 2);
    const address = email(0);
    await invitations.create(owner, workspaceId, { email: address });
    await expect(invitations.create(owner, workspaceId, { email: address })).rejects.toMatchObject({
      name: 'Refused',
      reason: 'address-already-invited',
    });
    await expect(invitations.create(owner, 'no-such-workspace', { email: email(1) })).rejects.toThrow(/does not exist/);
    expect(await countFor(owner, '2026-11-22')).toMatchObject({ emailCount: 1 });
    await invitations.create(owner, workspaceId, { email: email(2) });
    await expect(invitations.create(owner, workspaceId, { email: email(3) })).rejects.toThrow(TooManyRequests);
  });

  it('counts resends too', async () => {
    const owner = callerFor('owner');
    const workspaceId = await workspaceOf(owner);
    let now = new Date('2026-11-22T10:00:00.000Z');
    const invitations = new Invitations(stores, () => now, 2);
    const { invitation } = await invitations.create(owner, workspaceId, { email: email(0) });
    now = new Date('2026-11-22T10:05:00.000Z');
    await invitations.resend(owner, invitation.id);
    now = new Date('2026-11-22T10:10:00.000Z');
    await expect(invitations.resend(owner, invitation.id)).rejects.toThrow(TooManyRequests);
    await expect(invitations.create(owner, workspaceId, { email: email(1) })).rejects.toThrow(TooManyRequests);
  });

  it('gives a resend’s email back when the resend is refused', async () => {
    const owner = callerFor('owner');
    const workspaceId = await workspaceOf(owner);
    const invitations = new Invitations(stores, () => new Date('2026-11-22T10:00:00.000Z'), 2);
    const { invitation } = await invitations.create(owner, workspaceId, { email: email(0) });
    // Within the cool-down: refused, and its email given back.
    await expect(invitations.resend(owner, invitation.id)).rejects.toThrow(/at most once every/);
    expect(await countFor(owner, '2026-11-22')).toMatchObject({ emailCount: 1 });
  });

  it('holds under concurrent requests: exactly the limit succeeds', async () => {
    const owner = callerFor('owner');
    const workspaceId = await workspaceOf(owner);
    const invitations = new Invitations(stores, () => LATE, 5);
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, (_, n) => invitations.create(owner, workspaceId, { email: email(n) })),
    );
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(5);
    const refusals = results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
    expect(refusals.filter((reason) => !(reason instanceof TooManyRequests))).toEqual([]);
    expect(await countFor(owner, '2026-11-22')).toMatchObject({ emailCount: 5 });
  });

  it('does not limit system administrators', async () => {
    const admin = callerFor('sysadmin', true);
    const workspaceId = await workspaceOf(admin);
    const invitations = new Invitations(stores, () => LATE, 1);
    for (let n = 0; n < 3; n++) await invitations.create(admin, workspaceId, { email: email(n) });
    expect(await countFor(admin, '2026-11-22')).toBeUndefined();
  });
});
