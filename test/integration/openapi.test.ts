import { describe, expect, it } from 'vitest';
import { routes } from '../../functions/routes';
import { api } from '../support/api';

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
      expect(operation, `${route.method} ${route.path}`).toBeDefined();
      expect(operation.operationId).toBe(route.handler);
      if (route.auth === 'public') expect(operation.security).toEqual([]);
      else expect(operation.responses['401']).toBeDefined();
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
