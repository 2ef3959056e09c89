import { openApiDocument } from './http/openapi';
import { httpHandler } from './http/wrapper';
import { route } from './routes';

export const handler = httpHandler(route('get-openapi'), async ({ baseUrl }) => ({
  status: 200,
  body: openApiDocument(baseUrl),
  headers: { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' },
}));
