/** The generated OpenAPI document as a whole: valid by the OpenAPI 3.1 schema, every schema named once. */
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../../functions/http/openapi';
import { answersOf } from '../../../functions/http/operation';
import { routes } from '../../../functions/routes';

const document = openApiDocument(routes, 'https://api.test');
type Responses = Record<string, { headers?: Record<string, { required: boolean }>; content?: Record<string, unknown> }>;
const operation = (method: string, path: string) =>
  (document.paths[path] as Record<string, { responses: Responses }>)[method];

/** Every object in `value` with its JSON pointer. */
function* objectsIn(value: unknown, pointer = '#'): Generator<[string, Record<string, unknown>]> {
  if (value === null || typeof value !== 'object') return;
  if (!Array.isArray(value)) yield [pointer, value as Record<string, unknown>];
  for (const [key, child] of Object.entries(value)) yield* objectsIn(child, `${pointer}/${key}`);
}

describe('the OpenAPI document', () => {
  it('has no error by the OpenAPI 3.1 schema, and every $ref resolves', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    expect(() => validator.resolveRefs()).not.toThrow();
  });

  it('refers to named schemas instead of repeating them', () => {
    const schemas = document.components.schemas;
    expect(Object.keys(schemas)).toEqual(
      expect.arrayContaining(['Invitation', 'Workspace', 'Links', 'Link', 'PageInfo', 'Problem', 'GatewayMessage']),
    );
    const invitationCollection = schemas.InvitationCollection as {
      properties: { _embedded: { properties: { invitations: { items: unknown } } } };
    };
    expect(invitationCollection.properties._embedded.properties.invitations.items).toEqual({
      $ref: '#/components/schemas/Invitation',
    });
    // A resource's shape (its `_links` the mark of one) is written out once, in components.schemas.
    const resourceShapes = [...objectsIn(document)].filter(
      ([, object]) => (object.properties as Record<string, unknown> | undefined)?._links !== undefined,
    );
    for (const [pointer] of resourceShapes) expect(pointer).toMatch(/^#\/components\/schemas\/[A-Za-z]+$/);
    for (const [pointer, object] of objectsIn(document)) {
      if (/\/responses\/\w+\/content\/[^/]+\/schema$/.test(pointer)) expect(Object.keys(object)).toEqual(['$ref']);
    }
  });

  it("documents the gateway's own 401 and 404 bodies as API Gateway sends them", () => {
    for (const route of routes.filter((candidate) => candidate.auth === 'jwt')) {
      expect(Object.keys(operation(route.method.toLowerCase(), route.path)?.responses['401']?.content ?? {})).toEqual([
        'application/problem+json',
        'application/json',
      ]);
    }
    expect(document.components.schemas.GatewayMessage).toEqual({
      type: 'object',
      properties: { message: { type: 'string' } },
      required: ['message'],
      additionalProperties: false,
    });
    expect(document.components.responses.UnknownRoute.content).toEqual({
      'application/json': { schema: { $ref: '#/components/schemas/GatewayMessage' } },
    });
  });

  it('documents every status each operation answers, with its Location and Retry-After headers', () => {
    for (const route of routes) {
      const responses = operation(route.method.toLowerCase(), route.path)?.responses ?? {};
      expect(Object.keys(responses).map(Number), route.handler).toEqual(Object.keys(answersOf(route)).map(Number));
      if (responses['503']) expect(responses['503'].headers?.['Retry-After']?.required, route.handler).toBe(true);
    }
    const create = operation('post', '/api/workspaces/{workspaceId}/invitations')?.responses ?? {};
    expect(create['202']?.headers?.Location?.required).toBe(true);
    expect(create['429']?.headers?.['Retry-After']).toMatchObject({ required: false });
    expect(Object.keys(create)).toEqual(expect.arrayContaining(['429', '503']));
    expect(Object.keys(operation('post', '/api/workspaces')?.responses ?? {})).toContain('409');
    expect(Object.keys(operation('patch', '/api/workspaces/{workspaceId}')?.responses ?? {})).toContain('409');
    expect(operation('post', '/api/workspaces')?.responses['201']?.headers?.Location?.required).toBe(true);
  });
});
