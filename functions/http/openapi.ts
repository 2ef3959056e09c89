/**
 * GET /api/openapi.json: generated from the route entries, their request schemas and the named
 * response schemas of ./responses.ts.
 */
import * as z from 'zod/mini';
import { type Answer, answersOf, type Operation, type ResponseHeader, type ResponseName } from './operation';
import { componentSchemas, responseBodies } from './responses';

const DESCRIPTIONS: Record<number, string> = {
  200: 'Success',
  201: 'Created',
  202: 'Accepted',
  204: 'Success; no body',
  400: 'Malformed input; `errors` names each field',
  401:
    'Missing, expired or forged bearer token (API Gateway answers `{"message":"Unauthorized"}` itself), ' +
    'or one whose claims cannot be used (a problem)',
  403: 'Visible, but not allowed to the caller',
  404: 'Unknown, or not visible to the caller',
  409: 'Conflicting state',
  410: 'Expired',
  413: 'Body larger than 16 KiB',
  415: 'Body is not JSON',
  422: 'Business rule (e.g. email domain not allowed)',
  429: 'Quota or cool-down; see Retry-After when given',
  500: 'Unexpected failure of a dependency; nothing about it is disclosed',
  503: 'A dependency is throttling; retry after Retry-After',
};

const HEADERS: Record<ResponseHeader, { description: string; schema: Record<string, unknown> }> = {
  Location: { description: 'The URL of the created resource', schema: { type: 'string', format: 'uri' } },
  'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer', minimum: 1 } },
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

function responseObject(status: number, answer: Answer) {
  const headers = Object.entries(answer.headers ?? {}).map(([name, presence]) => [
    name,
    { ...HEADERS[name as ResponseHeader], required: presence === 'always' },
  ]);
  return {
    description: DESCRIPTIONS[status],
    ...(headers.length ? { headers: Object.fromEntries(headers) } : {}),
    ...(answer.body ? { content: Object.fromEntries(contentOf([answer.body, answer.gatewayBody])) } : {}),
  };
}

/** Media type → schema reference, for each body an answer may carry. */
function contentOf(bodies: readonly (ResponseName | undefined)[]) {
  return bodies
    .filter((body) => body !== undefined)
    .map((body) => [responseBodies[body].mediaType, { schema: { $ref: `#/components/schemas/${body}` } }] as const);
}

/** The named schemas, each referring to the others by `$ref` rather than repeating them. */
function namedSchemas(): Record<string, unknown> {
  const { schemas } = z.toJSONSchema(componentSchemas, {
    target: 'draft-2020-12',
    io: 'output',
    unrepresentable: 'any',
    uri: (id) => `#/components/schemas/${id}`,
  });
  // Each is a schema inside the document, not a document of its own: no $schema, no $id.
  return Object.fromEntries(
    Object.entries(schemas).map(([name, { $schema: _dialect, $id: _id, ...schema }]) => [name, schema]),
  );
}

function operationObject(route: Operation) {
  const { params, query, body } = route.request;
  return {
    operationId: route.handler,
    summary: route.summary,
    tags: [route.tag],
    ...(route.auth === 'jwt' ? {} : { security: [] }),
    parameters: [...parameters(params, 'path'), ...parameters(query, 'query')],
    ...(body
      ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(body, 'input') } } } }
      : {}),
    responses: Object.fromEntries(
      Object.entries(answersOf(route)).map(([status, answer]) => [status, responseObject(Number(status), answer)]),
    ),
  };
}

/** The OpenAPI 3.1 document of the given routes (the route table, functions/routes.ts). */
export function openApiDocument(routes: readonly Operation[], serverUrl: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    paths[route.path] ??= {};
    (paths[route.path] as Record<string, unknown>)[route.method.toLowerCase()] = operationObject(route);
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
      schemas: namedSchemas(),
      responses: {
        UnknownRoute: {
          description:
            'What API Gateway answers, before any function runs, to a method and path no operation has ' +
            '(also `/api` itself): 404 with this body',
          content: Object.fromEntries(contentOf(['GatewayMessage'])),
        },
      },
    },
  };
}
