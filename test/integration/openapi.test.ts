import { describe, expect, it } from 'vitest';
import { type AnswerStatus, answersOf } from '../../functions/http/operation';
import { responseBodies } from '../../functions/http/responses';
import { getInvitation, type HandlerName, routes } from '../../functions/routes';
import { api, user } from '../support/api';
import { invite } from '../support/fixtures';
import { testLinkTokens } from '../support/link-key';

describe('GET /api/openapi.json', () => {
  it('is public and describes every route of the route table', async () => {
    const response = await api.get('/api/openapi.json');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/json');
    const document = response.body;
    expect(document.openapi).toBe('3.1.0');
    expect(document.servers).toEqual([{ url: 'https://api.test' }]);
    for (const route of routes) {
      const operation = document.paths[route.path]?.[route.method.toLowerCase()];
      const subject = `${route.method} ${route.path}`;
      expect(operation, subject).toBeDefined();
      expect(operation.operationId, subject).toBe(route.handler);
      if (route.auth === 'public') expect(operation.security, subject).toEqual([]);
      else expect(operation.responses['401'], subject).toBeDefined();
    }
  });

  it('carries the validation rules the handlers enforce', async () => {
    const document = (await api.get('/api/openapi.json')).body;
    const create = document.paths['/api/workspaces/{workspaceId}/invitations'].post;
    const body = create.requestBody.content['application/json'].schema;
    expect(body.additionalProperties).toBe(false);
    expect(body.required).toEqual(['email']);
    expect(body.properties.email.maxLength).toBe(254);
    expect(body.properties.role.enum).toEqual(['OWNER', 'ADMIN', 'MEMBER']);
    expect(create.parameters).toEqual([
      expect.objectContaining({
        name: 'workspaceId',
        in: 'path',
        required: true,
        schema: expect.objectContaining({ format: 'uuid' }),
      }),
    ]);
    expect(Object.keys(create.responses)).toEqual(
      expect.arrayContaining(['202', '400', '401', '403', '404', '409', '413', '415', '422']),
    );
    const list = document.paths['/api/workspaces/{workspaceId}/invitations'].get;
    const status = list.parameters.find((p: { name: string }) => p.name === 'status');
    expect(status.schema.enum).toEqual(['PENDING', 'ACCEPTED', 'REVOKED', 'DECLINED', 'EXPIRED']);
    expect(status.required).toBe(false);
  });
});

describe('the documented success responses', () => {
  /** Fails with the paths and messages of every difference between a body and its documented schema. */
  function expectDocumented(handler: HandlerName, status: number, body: unknown) {
    const entry = routes.find((candidate) => candidate.handler === handler);
    const answer = entry && answersOf(entry)[status as AnswerStatus];
    expect(answer, `${handler} documents ${status}`).toBeDefined();
    if (!answer?.body) return expect(body ?? '').toBe('');
    const result = responseBodies[answer.body].schema.safeParse(body);
    expect(result.success ? [] : result.error.issues, handler).toEqual([]);
  }

  it('are what the handlers send', async () => {
    const owner = user('owner');
    const invitee = user('invitee');
    const created = await api.post('/api/workspaces', { as: owner, body: { name: 'Documented' } });
    expectDocumented('create-workspace', created.status, created.body);
    const workspaceId: string = created.body.id;
    const id = await invite(owner, workspaceId, invitee.email as string);
    const calls: [HandlerName, Promise<{ status: number; body: unknown }>][] = [
      ['list-workspaces', api.get('/api/workspaces', { as: owner })],
      ['get-workspace', api.get(`/api/workspaces/${workspaceId}`, { as: owner })],
      ['list-members', api.get(`/api/workspaces/${workspaceId}/members`, { as: owner })],
      ['list-invitations', api.get('/api/invitations', { as: invitee })],
      ['list-workspace-invitations', api.get(`/api/workspaces/${workspaceId}/invitations`, { as: owner })],
      ['get-invitation', api.get(`/api/invitations/${id}`, { as: owner })],
      ['preview-invitation-token', api.get(`/api/invitation-tokens/${testLinkTokens.mint(id, 1)}`)],
    ];
    for (const [handler, call] of calls) {
      const response = await call;
      expectDocumented(handler, response.status, response.body);
    }
    const accepted = await api.post(`/api/invitation-tokens/${testLinkTokens.mint(id, 1)}/accept`, { as: invitee });
    expectDocumented('accept-invitation-token', accepted.status, accepted.body);
    const updated = await api.patch(`/api/workspaces/${workspaceId}`, { as: owner, body: { name: 'Renamed' } });
    expectDocumented('update-workspace', updated.status, updated.body);
    const withdrawn = await api.put(`/api/invitations/${id}/revoked`, { as: owner });
    expectDocumented('withdraw-invitation', withdrawn.status, withdrawn.body);
    const deleted = await api.delete(`/api/invitations/${id}`, { as: owner });
    expectDocumented('delete-invitation', deleted.status, deleted.body);
  });

  it('catch a body that is not as documented', () => {
    expect(answersOf(getInvitation)[200]?.body).toBe('Invitation');
    const schema = responseBodies.Invitation.schema;
    expect(schema.safeParse({ id: 'not-a-uuid', _links: {} }).success).toBe(false);
  });
});
