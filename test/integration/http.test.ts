import { describe, expect, it } from 'vitest';
import { handler as createWorkspaceHandler } from '../../functions/create-workspace';
import { handler as getInvitationHandler } from '../../functions/get-invitation';
import { api, apiEvent, call, lambdaContext, user } from '../support/api';
import { createWorkspace, invite } from '../support/fixtures';

describe('HTTP details', () => {
  it('accepts the reference client’s request: mixed-case headers, HAL content type with a charset', async () => {
    const owner = user('owner');
    const workspaceId = await createWorkspace(owner);
    const response = await call('POST', `/api/workspaces/${workspaceId}/invitations`, {
      as: owner,
      rawBody: '{\n  "email" : "Mixed.Case@Example.com"\n}',
      headers: { 'Content-Type': 'application/hal+json; charset=ISO-8859-1', Accept: 'application/json' },
    });
    expect(response.status, response.raw).toBe(202);
    expect(response.headers['content-type']).toBe('application/hal+json');
    expect(response.body.email).toBe('mixed.case@example.com');
  });

  it('decodes base64 bodies as API Gateway delivers binary-looking payloads', async () => {
    const owner = user('owner');
    const { event } = apiEvent('POST', '/api/workspaces', { as: owner, body: { name: 'Base64 Inc' } });
    event.body = Buffer.from(event.body as string).toString('base64');
    event.isBase64Encoded = true;
    const result = await createWorkspaceHandler(event, lambdaContext());
    expect(result.statusCode).toBe(201);
    expect(JSON.parse(result.body as string).name).toBe('Base64 Inc');
  });

  it('tolerates an empty JSON object, or nothing, on operations without a body', async () => {
    const owner = user('owner');
    const first = user('first');
    const second = user('second');
    const workspaceId = await createWorkspace(owner);
    const one = await invite(owner, workspaceId, first.email as string);
    const two = await invite(owner, workspaceId, second.email as string);
    expect(
      (
        await call('PATCH', `/api/invitations/${one}`, {
          as: first,
          rawBody: '{}',
          headers: { 'content-type': 'application/json' },
        })
      ).status,
    ).toBe(200);
    expect(
      (await call('PATCH', `/api/invitations/${two}`, { as: second, headers: { 'content-type': 'application/json' } }))
        .status,
    ).toBe(200);
  });

  it('answers 401 problem+json when no authorizer claims reach an authenticated handler', async () => {
    const response = await api.get('/api/workspaces');
    expect(response.status).toBe(401);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.body).toEqual({
      type: 'urn:problem:invitations:unauthorized',
      title: 'Unauthorized',
      status: 401,
      detail: 'A valid bearer token is required.',
    });
  });

  it('treats a system-admin scope in either claim form', async () => {
    const owner = user('owner');
    const workspaceId = await createWorkspace(owner);
    const invitationId = await invite(owner, workspaceId, user('x').email as string);
    const { event } = apiEvent('GET', `/api/invitations/${invitationId}`, {
      as: user('admin'),
    });
    const claims = (event.requestContext.authorizer.jwt as { claims: Record<string, unknown> }).claims;
    claims.scope = '[openid invitations:admin]';
    expect((await getInvitationHandler(event, lambdaContext())).statusCode).toBe(200);
  });
});
