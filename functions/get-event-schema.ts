import { eventDetailJsonSchema } from './events/schemas';
import { httpHandler } from './http/wrapper';
import { getEventSchema } from './routes';

export const handler = httpHandler(getEventSchema, async ({ params, baseUrl }) => ({
  status: 200,
  body: eventDetailJsonSchema(params.eventType, baseUrl),
  headers: { 'content-type': 'application/schema+json', 'cache-control': 'public, max-age=300' },
}));
