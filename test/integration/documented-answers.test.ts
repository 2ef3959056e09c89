/**
 * Every answer the route entries document, produced: for each operation and each status its
 * entry lists (answersOf), a request that gets exactly that status, with the headers the entry
 * says always come with it. The other direction, that no handler answers anything its entry does
 * not list, is held by the wrapper itself, which fails any undocumented answer in every test
 * (UNDOCUMENTED_ANSWERS=fail in test/support/env.ts); the first tests here show that it does.
 *
 * Dependency failures are DynamoDB mocked: a throttle (503) and an internal error (500) on every
 * request, and a transaction that keeps losing to concurrent ones (409).
 */
import {
  InternalServerError,
  ProvisionedThroughputExceededException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Answers, answerStatuses, answersOf } from '../../functions/http/operation';
import { httpHandler } from '../../functions/http/wrapper';
import { type HandlerName, type Route, routes } from '../../functions/routes';
import { ENTITY, keys } from '../../functions/store/keys';
import { type ApiResponse, api, apiEvent, call, type Identity, lambdaContext, user } from '../support/api';
import { addMember, createWorkspace, invite } from '../support/fixtures';
import { testLinkTokens } from '../support/link-key';
import { expireInvitation } from '../support/table';

vi.hoisted(() => {
  process.env.WORKSPACES_PER_USER = '2';
  process.env.MEMBERS_PER_WORKSPACE = '3';
  process.env.PENDING_INVITATIONS_PER_WORKSPACE = '2';
  process.env.WORKSPACE_RENAMES_PER_MINUTE = '1';
});

afterEach(() => {
  vi.useRealTimers();
});

type Scenario = () => Promise<ApiResponse>;

const SOME_ID = '0b6b0a43-8f5b-4c52-9d55-3d1f1e9c2a11';
const tableName = () => process.env.TABLE_NAME as string;

/** A request target for the route, its path parameters filled with well-formed values. */
function targetOf(route: Route): string {
  const values: Record<string, string> = {
    workspaceId: SOME_ID,
    invitationId: SOME_ID,
    userId: 'someone',
    token: testLinkTokens.mint(SOME_ID, 1),
  };
  return route.path.replace(/\{(\w+)\}/g, (_, name: string) => values[name] as string);
}

/** A body each operation that reads one accepts, so that what a scenario varies decides the answer. */
const VALID_BODIES: Partial<Record<HandlerName, unknown>> = {
  'create-workspace': { name: 'Any' },
  'update-workspace': { name: 'Any' },
  'create-invitation': { email: 'any@example.com' },
};

const send = (route: Route, request: Parameters<typeof call>[2] = {}) =>
  call(route.method, targetOf(route), { body: VALID_BODIES[route.handler as HandlerName], ...request });
const caller = (route: Route) => (route.auth === 'jwt' ? { as: user('caller') } : {});

/** Every request the route's function sends DynamoDB fails with `error` while `scenario` runs. */
async function withDynamoFailing(error: Error, scenario: Scenario): Promise<ApiResponse> {
  const dynamo = mockClient(DynamoDBDocumentClient);
  dynamo.onAnyCommand().rejects(error);
  try {
    return await scenario();
  } finally {
    dynamo.restore();
  }
}

const throttled = () =>
  new ProvisionedThroughputExceededException({
    message: 'Rate of requests exceeds the allowed throughput',
    $metadata: {},
  });
const broken = () => new InternalServerError({ message: 'Internal server error', $metadata: {} });
/** Every write transaction is cancelled by a concurrent one, as under heavy contention. */
const contended = () =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: [{ Code: 'TransactionConflict' }],
  });

/** The answers that follow from what an operation is (functions/http/operation.ts, sharedProblems). */
function sharedScenarios(route: Route): Record<number, Scenario> {
  const scenarios: Record<number, Scenario> = {
    400: () =>
      route.request.body
        ? send(route, { ...caller(route), body: { notAField: true } })
        : send(route, { ...caller(route), rawBody: 'a body this operation does not take' }),
    413: () =>
      send(route, {
        ...caller(route),
        rawBody: 'x'.repeat(17 * 1024),
        headers: { 'content-type': 'application/json' },
      }),
    415: () => send(route, { ...caller(route), rawBody: '{}', headers: { 'content-type': 'text/plain' } }),
    401: () => send(route),
    500: () => withDynamoFailing(broken(), () => send(route, caller(route))),
    503: () => withDynamoFailing(throttled(), () => send(route, caller(route))),
  };
  return scenarios;
}

async function workspaceOf(label = 'owner') {
  const owner = user(label);
  return { owner, workspaceId: await createWorkspace(owner) };
}

async function pendingInvitation() {
  const { owner, workspaceId } = await workspaceOf();
  const invitee = user('invitee');
  const id = await invite(owner, workspaceId, invitee.email as string);
  return { owner, workspaceId, invitee, id, token: testLinkTokens.mint(id, 1) };
}

async function expiredInvitation() {
  const pending = await pendingInvitation();
  await expireInvitation(pending.id, pending.workspaceId, pending.invitee.email as string);
  return pending;
}

async function acceptedInvitation() {
  const pending = await pendingInvitation();
  expect((await api.patch(`/api/invitations/${pending.id}`, { as: pending.invitee })).status).toBe(200);
  return pending;
}

async function declinedInvitation() {
  const pending = await pendingInvitation();
  expect((await api.put(`/api/invitations/${pending.id}/declined`, { as: pending.invitee })).status).toBe(200);
  return pending;
}

async function withdrawnInvitation() {
  const pending = await pendingInvitation();
  expect((await api.put(`/api/invitations/${pending.id}/revoked`, { as: pending.owner })).status).toBe(200);
  return pending;
}

/** A workspace with as many members as it may have, and an invitation to it still pending. */
async function fullWorkspace() {
  const { owner, workspaceId } = await workspaceOf();
  await addMember(owner, workspaceId, 'MEMBER');
  await addMember(owner, workspaceId, 'MEMBER');
  const invitee = user('invitee');
  const id = await invite(owner, workspaceId, invitee.email as string);
  return { invitee, id, token: testLinkTokens.mint(id, 1) };
}

/** A workspace as the table holds it, for the mocked reads of a contended update. */
function workspaceItems(owner: Identity) {
  const workspace = {
    ...keys.workspace(SOME_ID),
    entity: ENTITY.workspace,
    id: SOME_ID,
    name: 'Contended',
    alias: 'abcdefg',
    allowedDomains: [],
    invitationTtlDays: 7,
    ownerCount: 1,
    created: new Date().toISOString(),
    lastModified: new Date().toISOString(),
  };
  const member = { ...keys.member(SOME_ID, owner.sub), entity: ENTITY.member, workspaceId: SOME_ID };
  return [workspace, { ...member, userId: owner.sub, role: 'OWNER', name: 'Owner', joinedAt: workspace.created }];
}

async function contendedWrite(scenario: Scenario, reads: unknown[] = []): Promise<ApiResponse> {
  const dynamo = mockClient(DynamoDBDocumentClient);
  dynamo.on(TransactWriteCommand).rejects(contended());
  dynamo.on(BatchGetCommand).resolves({ Responses: { [tableName()]: reads as Record<string, unknown>[] } });
  try {
    return await scenario();
  } finally {
    dynamo.restore();
  }
}

/** Each operation's own answers: its success and the refusals of its rules. */
const ownScenarios: Record<HandlerName, Record<number, Scenario>> = {
  'create-workspace': {
    201: () => api.post('/api/workspaces', { as: user('owner'), body: { name: 'New' } }),
    409: () => contendedWrite(() => api.post('/api/workspaces', { as: user('owner'), body: { name: 'Contended' } })),
    429: async () => {
      const owner = user('owner');
      await createWorkspace(owner);
      await createWorkspace(owner);
      return api.post('/api/workspaces', { as: owner, body: { name: 'One too many' } });
    },
  },
  'list-workspaces': { 200: () => api.get('/api/workspaces', { as: user('caller') }) },
  'get-workspace': {
    200: async () => {
      const { owner, workspaceId } = await workspaceOf();
      return api.get(`/api/workspaces/${workspaceId}`, { as: owner });
    },
    404: () => api.get(`/api/workspaces/${SOME_ID}`, { as: user('stranger') }),
  },
  'update-workspace': {
    200: async () => {
      const { owner, workspaceId } = await workspaceOf();
      return api.patch(`/api/workspaces/${workspaceId}`, { as: owner, body: { invitationTtlDays: 3 } });
    },
    403: async () => {
      const { owner, workspaceId } = await workspaceOf();
      const member = await addMember(owner, workspaceId, 'MEMBER');
      return api.patch(`/api/workspaces/${workspaceId}`, { as: member, body: { name: 'Mine now' } });
    },
    404: () => api.patch(`/api/workspaces/${SOME_ID}`, { as: user('stranger'), body: { name: 'Nowhere' } }),
    409: () => {
      const owner = user('owner');
      return contendedWrite(
        () => api.patch(`/api/workspaces/${SOME_ID}`, { as: owner, body: { invitationTtlDays: 3 } }),
        workspaceItems(owner),
      );
    },
    429: async () => {
      const { owner, workspaceId } = await workspaceOf();
      // One rename a minute: of three in a row, at most two fall in different minutes.
      for (const name of ['First', 'Second', 'Third']) {
        const response = await api.patch(`/api/workspaces/${workspaceId}`, { as: owner, body: { name } });
        if (response.status !== 200) return response;
      }
      throw new Error('three renames in a row all succeeded');
    },
  },
  'list-members': {
    200: async () => {
      const { owner, workspaceId } = await workspaceOf();
      return api.get(`/api/workspaces/${workspaceId}/members`, { as: owner });
    },
    404: () => api.get(`/api/workspaces/${SOME_ID}/members`, { as: user('stranger') }),
  },
  'remove-member': {
    204: async () => {
      const { owner, workspaceId } = await workspaceOf();
      const member = await addMember(owner, workspaceId, 'MEMBER');
      return api.delete(`/api/workspaces/${workspaceId}/members/${encodeURIComponent(member.sub)}`, { as: owner });
    },
    403: async () => {
      const { owner, workspaceId } = await workspaceOf();
      const member = await addMember(owner, workspaceId, 'MEMBER');
      return api.delete(`/api/workspaces/${workspaceId}/members/${encodeURIComponent(owner.sub)}`, { as: member });
    },
    404: async () => {
      const { owner, workspaceId } = await workspaceOf();
      return api.delete(`/api/workspaces/${workspaceId}/members/nobody`, { as: owner });
    },
    409: async () => {
      const { owner, workspaceId } = await workspaceOf();
      return api.delete(`/api/workspaces/${workspaceId}/members/${encodeURIComponent(owner.sub)}`, { as: owner });
    },
  },
  'list-invitations': {
    200: () => api.get('/api/invitations', { as: user('caller') }),
    403: () => api.get('/api/invitations?email=someone-else%40example.com', { as: user('caller') }),
  },
  'list-workspace-invitations': {
    200: async () => {
      const { owner, workspaceId } = await workspaceOf();
      return api.get(`/api/workspaces/${workspaceId}/invitations`, { as: owner });
    },
    404: () => api.get(`/api/workspaces/${SOME_ID}/invitations`, { as: user('stranger') }),
  },
  'create-invitation': {
    202: async () => {
      const { owner, workspaceId } = await workspaceOf();
      return api.post(`/api/workspaces/${workspaceId}/invitations`, { as: owner, body: { email: 'new@example.com' } });
    },
    403: async () => {
      const { owner, workspaceId } = await workspaceOf();
      const member = await addMember(owner, workspaceId, 'MEMBER');
      const body = { email: 'boss@example.com', role: 'ADMIN' };
      return api.post(`/api/workspaces/${workspaceId}/invitations`, { as: member, body });
    },
    404: () =>
      api.post(`/api/workspaces/${SOME_ID}/invitations`, { as: user('stranger'), body: { email: 'x@example.com' } }),
    409: async () => {
      const { owner, workspaceId, invitee } = await pendingInvitation();
      return api.post(`/api/workspaces/${workspaceId}/invitations`, { as: owner, body: { email: invitee.email } });
    },
    422: async () => {
      const owner = user('owner');
      const workspaceId = await createWorkspace(owner, { allowedDomains: ['example.org'] });
      return api.post(`/api/workspaces/${workspaceId}/invitations`, { as: owner, body: { email: 'x@example.com' } });
    },
    429: async () => {
      const { owner, workspaceId } = await workspaceOf();
      await invite(owner, workspaceId, 'first@example.com');
      await invite(owner, workspaceId, 'second@example.com');
      return api.post(`/api/workspaces/${workspaceId}/invitations`, {
        as: owner,
        body: { email: 'third@example.com' },
      });
    },
  },
  'get-invitation': {
    200: async () => {
      const { owner, id } = await pendingInvitation();
      return api.get(`/api/invitations/${id}`, { as: owner });
    },
    404: () => api.get(`/api/invitations/${SOME_ID}`, { as: user('stranger') }),
  },
  'accept-invitation': {
    200: async () => {
      const { invitee, id } = await pendingInvitation();
      return api.patch(`/api/invitations/${id}`, { as: invitee });
    },
    403: async () => {
      const { owner, id } = await pendingInvitation();
      return api.patch(`/api/invitations/${id}`, { as: owner });
    },
    404: () => api.patch(`/api/invitations/${SOME_ID}`, { as: user('stranger') }),
    409: async () => {
      const { invitee, id } = await declinedInvitation();
      return api.patch(`/api/invitations/${id}`, { as: invitee });
    },
    410: async () => {
      const { invitee, id } = await expiredInvitation();
      return api.patch(`/api/invitations/${id}`, { as: invitee });
    },
    429: async () => {
      const { invitee, id } = await fullWorkspace();
      return api.patch(`/api/invitations/${id}`, { as: invitee });
    },
  },
  'withdraw-invitation': {
    200: async () => {
      const { owner, id } = await pendingInvitation();
      return api.put(`/api/invitations/${id}/revoked`, { as: owner });
    },
    403: async () => {
      const { invitee, id } = await pendingInvitation();
      return api.put(`/api/invitations/${id}/revoked`, { as: invitee });
    },
    404: () => api.put(`/api/invitations/${SOME_ID}/revoked`, { as: user('stranger') }),
    409: async () => {
      const { owner, id } = await declinedInvitation();
      return api.put(`/api/invitations/${id}/revoked`, { as: owner });
    },
  },
  'decline-invitation': {
    200: async () => {
      const { invitee, id } = await pendingInvitation();
      return api.put(`/api/invitations/${id}/declined`, { as: invitee });
    },
    403: async () => {
      const { owner, id } = await pendingInvitation();
      return api.put(`/api/invitations/${id}/declined`, { as: owner });
    },
    404: () => api.put(`/api/invitations/${SOME_ID}/declined`, { as: user('stranger') }),
    409: async () => {
      const { invitee, id } = await acceptedInvitation();
      return api.put(`/api/invitations/${id}/declined`, { as: invitee });
    },
    410: async () => {
      const { invitee, id } = await expiredInvitation();
      return api.put(`/api/invitations/${id}/declined`, { as: invitee });
    },
  },
  'delete-invitation': {
    204: async () => {
      const { owner, id } = await withdrawnInvitation();
      return api.delete(`/api/invitations/${id}`, { as: owner });
    },
    403: async () => {
      const { invitee, id } = await pendingInvitation();
      return api.delete(`/api/invitations/${id}`, { as: invitee });
    },
    404: () => api.delete(`/api/invitations/${SOME_ID}`, { as: user('stranger') }),
    409: async () => {
      const { owner, id } = await acceptedInvitation();
      return api.delete(`/api/invitations/${id}`, { as: owner });
    },
  },
  'get-openapi': { 200: () => api.get('/api/openapi.json') },
  'get-event-schema': {
    200: () => api.get('/api/event-schemas/invitation.accepted'),
    404: () => api.get('/api/event-schemas/invitation.forgotten'),
  },
  'resend-invitation': {
    202: async () => {
      const { owner, id } = await pendingInvitation();
      // Past the cool-down since the invitation's first email.
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(Date.now() + 5 * 60_000);
      return api.post(`/api/invitations/${id}/resend`, { as: owner });
    },
    403: async () => {
      const { invitee, id } = await pendingInvitation();
      return api.post(`/api/invitations/${id}/resend`, { as: invitee });
    },
    404: () => api.post(`/api/invitations/${SOME_ID}/resend`, { as: user('stranger') }),
    409: async () => {
      const { owner, id } = await acceptedInvitation();
      return api.post(`/api/invitations/${id}/resend`, { as: owner });
    },
    410: async () => {
      const { owner, id } = await expiredInvitation();
      return api.post(`/api/invitations/${id}/resend`, { as: owner });
    },
    429: async () => {
      const { owner, id } = await pendingInvitation();
      return api.post(`/api/invitations/${id}/resend`, { as: owner });
    },
  },
  'preview-invitation-token': {
    200: async () => api.get(`/api/invitation-tokens/${(await pendingInvitation()).token}`),
    404: () => api.get('/api/invitation-tokens/not-a-token'),
    409: async () => api.get(`/api/invitation-tokens/${(await acceptedInvitation()).token}`),
    410: async () => api.get(`/api/invitation-tokens/${(await withdrawnInvitation()).token}`),
  },
  'accept-invitation-token': {
    200: async () => {
      const { invitee, token } = await pendingInvitation();
      return api.post(`/api/invitation-tokens/${token}/accept`, { as: invitee });
    },
    403: async () => {
      const { token } = await pendingInvitation();
      return api.post(`/api/invitation-tokens/${token}/accept`, { as: user('someone-else') });
    },
    404: () => api.post('/api/invitation-tokens/not-a-token/accept', { as: user('caller') }),
    409: async () => {
      const { invitee, token } = await acceptedInvitation();
      return api.post(`/api/invitation-tokens/${token}/accept`, { as: invitee });
    },
    410: async () => {
      const { invitee, token } = await withdrawnInvitation();
      return api.post(`/api/invitation-tokens/${token}/accept`, { as: invitee });
    },
    429: async () => {
      const { invitee, token } = await fullWorkspace();
      return api.post(`/api/invitation-tokens/${token}/accept`, { as: invitee });
    },
  },
};

/** The scenarios for exactly the statuses the route documents: shared ones by the rule, then its own. */
function scenariosFor(route: Route): Record<number, Scenario> {
  const shared = sharedScenarios(route);
  const documented = answerStatuses(route);
  return {
    ...Object.fromEntries(documented.filter((status) => status in shared).map((status) => [status, shared[status]])),
    ...ownScenarios[route.handler as HandlerName],
  };
}

function expectAnswer(answers: Answers, status: number, response: ApiResponse) {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  const answer = answers[status as keyof Answers];
  for (const [header, presence] of Object.entries(answer?.headers ?? {})) {
    if (presence === 'always') expect(response.headers[header.toLowerCase()], header).toBeTruthy();
  }
  if (answer?.body === 'Problem') expect(response.headers['content-type']).toBe('application/problem+json');
}

describe('the wrapper', () => {
  const entry = (handler: HandlerName) => routes.find((route) => route.handler === handler) as Route;

  it('fails an answer whose status the route entry does not document', async () => {
    const withoutRefusals = { ...entry('get-workspace'), refusals: [] } as Route;
    const handler = httpHandler(withoutRefusals, async () => ({ status: 404, body: { detail: 'not here' } }));
    const { event } = apiEvent('GET', `/api/workspaces/${SOME_ID}`, { as: user('caller') });
    await expect(handler(event, lambdaContext())).rejects.toThrow(
      'get-workspace answered what its route entry does not document: status 404 is not documented',
    );
  });

  it('fails a documented status without the header or the body its entry promises', async () => {
    const { event } = apiEvent('POST', '/api/workspaces', { as: user('owner'), body: { name: 'Somewhere' } });
    const withoutLocation = httpHandler(entry('create-workspace'), async () => ({ status: 201, body: { id: 'x' } }));
    await expect(withoutLocation(event, lambdaContext())).rejects.toThrow('201 without its Location header');
    const { event: again } = apiEvent('POST', '/api/workspaces', { as: user('owner'), body: { name: 'Somewhere' } });
    const withoutBody = httpHandler(entry('create-workspace'), async () => ({
      status: 201,
      headers: { location: 'https://api.test/api/workspaces/x' },
    }));
    await expect(withoutBody(again, lambdaContext())).rejects.toThrow('201 without its Workspace body');
  });
});

describe.each(routes.map((route) => [route.handler, route] as const))('%s', (handler, route) => {
  const answers = answersOf(route);
  const scenarios = scenariosFor(route);

  it('has a scenario for each documented status, and for no other', () => {
    expect(Object.keys(scenarios).map(Number).sort()).toEqual(answerStatuses(route));
  });

  it.each(answerStatuses(route))(`${handler} answers %i`, async (status) => {
    const scenario = scenarios[status];
    if (!scenario) throw new Error(`no scenario for ${status}`);
    expectAnswer(answers, status, await scenario());
  });
});
