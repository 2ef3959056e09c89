import { openApiDocument } from './http/openapi';
import { httpHandler } from './http/wrapper';
import { getOpenapi, routes } from './routes';

export const handler = httpHandler(getOpenapi, async ({ baseUrl }) => ({
  status: 200,
  body: openApiDocument(routes, baseUrl),
  headers: { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' },
}));
