import * as z from 'zod/mini';
import { routes } from '../routes';
import { type OperationSpec, operations } from './contract';
import { operationResponses, Problem } from './responses';

const PROBLEM_TITLES: Record<number, string> = {
  400: 'Malformed input; `errors` names each field',
  401: 'Missing or invalid bearer token',
  403: 'Visible, but not allowed to the caller',
  404: 'Unknown, or not visible to the caller',
  409: 'Conflicting state',
  410: 'Expired',
  413: 'Body larger than 16 KiB',
  415: 'Body is not JSON',
  422: 'Business rule (e.g. email domain not allowed)',
  429: 'Quota or cool-down; see Retry-After',
  500: 'Unexpected failure; nothing about it is disclosed',
};

const jsonSchema = (schema: z.ZodMiniType, io: 'input' | 'output') =>
  z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' });

function parameters(schema: z.ZodMiniType | undefined, location: 'path' | 'query') {
  if (!schema) return [];
  const { properties = {}, required = [] } = jsonSchema(schema, 'input') as {
    properties?: Record<string, unknown>;
    required?: string[];
  };
  return Object.entries(properties).map(([name, propertySchema]) => ({
    name,
    in: location,
    required: location === 'path' || required.includes(name),
    schema: propertySchema,
  }));
}

function operationObject(route: (typeof routes)[number], spec: OperationSpec) {
  const responses: Record<string, unknown> = {};
  for (const [status, schema] of Object.entries(operationResponses[route.handler])) {
    responses[status] = schema
      ? { description: 'Success', content: { 'application/hal+json': { schema: jsonSchema(schema, 'output') } } }
      : { description: 'Success' };
  }
  const problems = [400, ...(route.auth === 'jwt' ? [401] : []), ...spec.problems, 500];
  for (const status of problems) {
    responses[status] = {
      description: PROBLEM_TITLES[status],
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
    };
  }
  return {
    operationId: route.handler,
    summary: route.summary,
    tags: [route.tag],
    ...(route.auth === 'jwt' ? {} : { security: [] }),
    parameters: [...parameters(spec.params, 'path'), ...parameters(spec.query, 'query')],
    ...(spec.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(spec.body, 'input') } } } }
      : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document, generated from the route table and the schemas the handlers validate with. */
export function openApiDocument(serverUrl: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    paths[route.path] ??= {};
    (paths[route.path] as Record<string, unknown>)[route.method.toLowerCase()] = operationObject(
      route,
      operations[route.handler],
    );
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Invitations API',
      version: '1.0.0',
      description:
        'Invite people by email into private workspaces, with roles, expiry, withdrawal and acceptance. ' +
        'Responses are HAL+JSON; errors are RFC 9457 problem details.',
    },
    servers: [{ url: serverUrl }],
    security: [{ bearer: [] }],
    tags: [{ name: 'Workspaces' }, { name: 'Invitations' }, { name: 'API' }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Problem: jsonSchema(Problem, 'output') },
    },
  };
}
