import { operations } from './http/contract';
import { openApiDocument } from './http/openapi';
import { publicHttpHandler } from './http/wrapper';

export const handler = publicHttpHandler(operations['get-openapi'], async ({ baseUrl }) => ({
  status: 200,
  body: openApiDocument(baseUrl),
  headers: { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' },
}));
