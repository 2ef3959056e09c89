/**
 * How store failures reach the client, with DynamoDB mocked: conditional failures become the
 * right 4xx, anything unexpected a 500 that says nothing about its cause.
 */
import {
  type CancellationReason,
  InternalServerError,
  ProvisionedThroughputExceededException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { keys } from '../../functions/store/keys';
import { api, user } from '../support/api';

const ddb = mockClient(DynamoDBDocumentClient);
const owner = user('owner');
const invitee = user('invitee');
const workspaceId = '0b6b0a43-8f5b-4c52-9d55-3d1f1e9c2a11';
const invitationId = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const future = new Date(Date.now() + 86_400_000).toISOString();

const workspaceItem = {
  ...keys.workspace(workspaceId),
  entity: 'Workspace',
  id: workspaceId,
  name: 'Acme',
  alias: 'abcdefg',
  allowedDomains: [],
  invitationTtlDays: 7,
  ownerCount: 1,
};
const ownerItem = {
  ...keys.member(workspaceId, owner.sub),
  entity: 'Member',
  workspaceId,
  userId: owner.sub,
  role: 'OWNER',
  name: 'Owner',
};
const invitationItem = (overrides: Record<string, unknown> = {}) => ({
  ...keys.invitation(invitationId),
  entity: 'Invitation',
  id: invitationId,
  workspaceId,
  workspaceName: 'Acme',
  workspaceAlias: 'abcdefg',
  email: invitee.email,
  role: 'MEMBER',
  status: 'PENDING',
  creatorId: owner.sub,
  creatorName: 'Owner',
  created: new Date().toISOString(),
  lastModified: new Date().toISOString(),
  expiresAt: future,
  sendCount: 0,
  ...overrides,
});

const cancelled = (reasons: CancellationReason[]) =>
  new TransactionCanceledException({ message: 'Transaction cancelled', $metadata: {}, CancellationReasons: reasons });
const none: CancellationReason = { Code: 'None' };
const conditionFailed = (item?: Record<string, unknown>): CancellationReason => ({
  Code: 'ConditionalCheckFailed',
  ...(item ? { Item: marshall(item, { removeUndefinedValues: true }) } : {}),
});

/**
 * A cancelled transaction whose writes fail as `reasonFor` says, found by their keys' sort keys
 * (`WORKSPACE`, `MEMBER#…`, `EMAIL#…`, `INVITATION`), whatever order the store sends them in.
 */
const failing =
  (reasonFor: (sortKey: string) => CancellationReason | undefined) =>
  (input: { TransactItems?: Record<string, { Key?: Record<string, unknown>; Item?: Record<string, unknown> }>[] }) => {
    const reasons = (input.TransactItems ?? []).map((entry) => {
      const [write] = Object.values(entry);
      return reasonFor(String((write?.Key ?? write?.Item)?.SK)) ?? none;
    });
    throw cancelled(reasons);
  };

const createInvitation = () =>
  api.post(`/api/workspaces/${workspaceId}/invitations`, { as: owner, body: { email: invitee.email } });
const accept = () => api.patch(`/api/invitations/${invitationId}`, { as: invitee });

beforeEach(() => {
  ddb.reset();
  ddb.on(BatchGetCommand).resolves({ Responses: { 'invitations-test': [workspaceItem, ownerItem] } });
  ddb.on(GetCommand).resolves({ Item: invitationItem() });
});

describe('unexpected failures', () => {
  it('a DynamoDB failure is a 500 with a generic body', async () => {
    ddb.on(BatchGetCommand).rejects(new InternalServerError({ message: 'disk on fire at node 7', $metadata: {} }));
    const response = await createInvitation();
    expect(response.status).toBe(500);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.body).toEqual({
      type: 'urn:problem:invitations:internal',
      title: 'Internal Server Error',
      status: 500,
      detail: 'The request could not be completed. It has been logged; retry later.',
    });
    expect(response.raw).not.toContain('disk on fire');
  });

  it('a plain programming error is a 500 with the same generic body', async () => {
    ddb.on(GetCommand).rejects(new TypeError("Cannot read properties of undefined (reading 'PK')"));
    const response = await accept();
    expect(response.status).toBe(500);
    expect(response.raw).not.toContain('PK');
  });

  it('DynamoDB throttling is a 503 with Retry-After', async () => {
    ddb
      .on(TransactWriteCommand)
      .rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));
    const response = await createInvitation();
    expect(response.status).toBe(503);
    expect(response.headers['retry-after']).toBe('1');
    expect(response.raw).not.toContain('slow down');
  });
});

describe('conditional failures inside transactions', () => {
  it('an address with a live invitation: 409', async () => {
    ddb
      .on(TransactWriteCommand)
      .callsFake(
        failing((sk) =>
          sk.startsWith('EMAIL#')
            ? conditionFailed({ kind: 'INVITED', invitationId: 'x', expiresAt: future })
            : undefined,
        ),
      );
    const response = await createInvitation();
    expect(response.status).toBe(409);
    expect(response.body.detail).toBe('A pending invitation for this address already exists in this workspace.');
  });

  it('an address that belongs to a member: 409', async () => {
    ddb
      .on(TransactWriteCommand)
      .callsFake(
        failing((sk) => (sk.startsWith('EMAIL#') ? conditionFailed({ kind: 'MEMBER', userId: 'u' }) : undefined)),
      );
    const response = await createInvitation();
    expect(response.status).toBe(409);
    expect(response.body.detail).toBe('This address already belongs to a member of the workspace.');
  });

  it('the inviter lost their role meanwhile: 403', async () => {
    ddb.on(TransactWriteCommand).callsFake(failing((sk) => (sk.startsWith('MEMBER#') ? conditionFailed() : undefined)));
    const response = await createInvitation();
    expect(response.status).toBe(403);
  });

  it('accept after someone else accepted: 409', async () => {
    ddb
      .on(TransactWriteCommand)
      .rejects(cancelled([conditionFailed(invitationItem({ status: 'ACCEPTED' })), none, none, none]));
    const response = await accept();
    expect(response.status).toBe(409);
    expect(response.body.detail).toBe('An invitation that is ACCEPTED cannot be accepted.');
  });

  it('accept as the invitation expires: 410', async () => {
    const past = new Date(Date.now() - 1000).toISOString();
    ddb
      .on(TransactWriteCommand)
      .rejects(cancelled([conditionFailed(invitationItem({ expiresAt: past })), none, none, none]));
    const response = await accept();
    expect(response.status).toBe(410);
  });

  it('accept as the invitation is deleted: 404', async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled([conditionFailed(), none, none, none]));
    expect((await accept()).status).toBe(404);
  });

  it('accept when already a member: 409', async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled([none, conditionFailed(), none, none]));
    const response = await accept();
    expect(response.status).toBe(409);
    expect(response.body.detail).toBe('You are already a member of this workspace.');
  });

  it('a transaction conflict is retried, then reported as 409', async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled([{ Code: 'TransactionConflict' }, none, none, none]));
    const response = await accept();
    expect(response.status).toBe(409);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(4);
  });

  it('a transaction conflict that clears on retry succeeds', async () => {
    ddb
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled([{ Code: 'TransactionConflict' }, none, none, none]))
      .resolves({});
    const response = await accept();
    expect(response.status).toBe(200);
    expect(response.body.status).toBe('ACCEPTED');
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 2);
  });
});
