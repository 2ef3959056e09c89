/**
 * Counts the DynamoDB requests and sequential round trips each operation makes, with a
 * middleware on the store's own client. Create, accept and every list must take at most two
 * round trips; a warm create one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiResponse, api, type Identity, user } from '../support/api';
import { recordDynamoCommands } from '../support/dynamo-requests';
import { addMember, createWorkspace, invite } from '../support/fixtures';

const log = recordDynamoCommands();
const measured: [string, string[]][] = [];
const roundTrips = new Map<string, number>();

afterAll(() => {
  console.info(
    `DynamoDB round trips per operation:\n${measured.map(([name, commands]) => `  ${name}: ${roundTrips.get(name)} (${commands.join(', ')})`).join('\n')}`,
  );
});

async function count(name: string, operation: () => Promise<ApiResponse>, expectedStatus: number) {
  log.clear();
  const response = await operation();
  expect(response.status, response.raw).toBe(expectedStatus);
  const commands = [...log.names];
  roundTrips.set(name, log.roundTrips());
  measured.push([name, commands]);
  return commands;
}

describe('DynamoDB round trips per operation', () => {
  let owner: Identity;
  let admin: Identity;
  let invitee: Identity;
  let workspaceId: string;
  let invitationId: string;

  beforeAll(async () => {
    owner = user('owner');
    invitee = user('invitee');
    workspaceId = await createWorkspace(owner);
    admin = await addMember(owner, workspaceId, 'ADMIN', 'admin');
  });

  it('create workspace: 1', async () => {
    const commands = await count(
      'create workspace',
      () => api.post('/api/workspaces', { as: owner, body: { name: 'x' } }),
      201,
    );
    expect(commands).toEqual(['TransactWriteItemsCommand']);
  });

  it('create invitation: 2 cold, 1 warm', async () => {
    let created: ApiResponse | undefined;
    const commands = await count(
      'create invitation (cold)',
      async () => {
        created = await api.post(`/api/workspaces/${workspaceId}/invitations`, {
          as: admin,
          body: { email: invitee.email },
        });
        return created;
      },
      202,
    );
    invitationId = created?.body.id;
    // Cold: the workspace and the inviter's membership are read, then one transaction writes the
    // invitation, its address claim and the inviter's daily email allowance, and re-checks both reads.
    expect(commands).toEqual(['BatchGetItemCommand', 'TransactWriteItemsCommand']);
    expect(roundTrips.get('create invitation (cold)')).toBe(2);
    // Warm: the function remembers both reads for a minute (use-cases/invitations.ts, CREATE_READS);
    // the transaction's conditions (workspace version, inviter's role and membership) make that safe.
    const warm = await count(
      'create invitation (warm)',
      () => api.post(`/api/workspaces/${workspaceId}/invitations`, { as: admin, body: { email: user('x').email } }),
      202,
    );
    expect(warm).toEqual(['TransactWriteItemsCommand']);
    expect(roundTrips.get('create invitation (warm)')).toBe(1);
  });

  it('list sent, list received, list workspace invitations: 2 each', async () => {
    // One query per stored status, in parallel; then the page's items in one batch (the sent
    // list's with the sender's memberships, which decide what they still see and the links).
    const statusRanges = ['QueryCommand', 'QueryCommand', 'QueryCommand', 'QueryCommand'];
    expect(await count('list sent invitations', () => api.get('/api/invitations', { as: admin }), 200)).toEqual([
      ...statusRanges,
      'BatchGetItemCommand',
    ]);
    expect(
      await count(
        'list received invitations',
        () => api.get(`/api/invitations?email=${invitee.email}`, { as: invitee }),
        200,
      ),
    ).toEqual([...statusRanges, 'BatchGetItemCommand']);
    // The caller's membership is read beside the queries (so the order of the first five varies).
    const workspaceList = await count(
      'list workspace invitations',
      () => api.get(`/api/workspaces/${workspaceId}/invitations`, { as: owner }),
      200,
    );
    expect(workspaceList.sort()).toEqual(['BatchGetItemCommand', 'BatchGetItemCommand', ...statusRanges]);
    // A status filter is one key range.
    const oneStatus = await count(
      'list workspace invitations, one status',
      () => api.get(`/api/workspaces/${workspaceId}/invitations?status=PENDING`, { as: owner }),
      200,
    );
    expect(oneStatus.sort()).toEqual(['BatchGetItemCommand', 'BatchGetItemCommand', 'QueryCommand']);
    for (const name of ['list sent invitations', 'list received invitations', 'list workspace invitations'])
      expect(roundTrips.get(name), name).toBe(2);
  });

  it('list workspaces: 2, list members: 2, get workspace: 1', async () => {
    expect(await count('list workspaces', () => api.get('/api/workspaces', { as: owner }), 200)).toEqual([
      'QueryCommand',
      'BatchGetItemCommand',
    ]);
    expect(
      await count('list members', () => api.get(`/api/workspaces/${workspaceId}/members`, { as: owner }), 200),
    ).toEqual(['BatchGetItemCommand', 'QueryCommand']);
    expect(
      await count('get workspace', () => api.get(`/api/workspaces/${workspaceId}`, { as: owner }), 200),
    ).toHaveLength(1);
  });

  it('get invitation: at most 2', async () => {
    expect(
      await count('get invitation (creator)', () => api.get(`/api/invitations/${invitationId}`, { as: admin }), 200),
    ).toEqual(['GetItemCommand', 'BatchGetItemCommand']);
    expect(
      (await count('get invitation (owner)', () => api.get(`/api/invitations/${invitationId}`, { as: owner }), 200))
        .length,
    ).toBeLessThanOrEqual(2);
  });

  it('accept: 2', async () => {
    const commands = await count(
      'accept invitation',
      () => api.patch(`/api/invitations/${invitationId}`, { as: invitee }),
      200,
    );
    expect(commands).toEqual(['GetItemCommand', 'TransactWriteItemsCommand']);
  });

  it('withdraw, decline, delete: measured', async () => {
    await count(
      'withdraw accepted invitation',
      () => api.put(`/api/invitations/${invitationId}/revoked`, { as: owner }),
      200,
    );
    await count('delete invitation', () => api.delete(`/api/invitations/${invitationId}`, { as: owner }), 204);
    const other = user('other');
    const pending = await invite(owner, workspaceId, other.email as string);
    await count('decline invitation', () => api.put(`/api/invitations/${pending}/declined`, { as: other }), 200);
    const leaving = await addMember(owner, workspaceId, 'MEMBER');
    await count(
      'remove member',
      () => api.delete(`/api/workspaces/${workspaceId}/members/${encodeURIComponent(leaving.sub)}`, { as: owner }),
      204,
    );
    for (const [name, commands] of measured) {
      expect(roundTrips.get(name), name).toBeLessThanOrEqual(3);
      // Every request waits for the one before, except the lists' parallel queries.
      if (!name.startsWith('list ')) expect(roundTrips.get(name), name).toBe(commands.length);
    }
  });
});
