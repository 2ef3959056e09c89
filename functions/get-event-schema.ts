import { NotFound } from './domain/errors';
import { EVENT_TYPES, type EventType } from './domain/events';
import { eventDetailJsonSchema } from './events/schemas';
import { httpHandler } from './http/wrapper';
import { getEventSchema } from './routes';

const isEventType = (type: string): type is EventType => (EVENT_TYPES as readonly string[]).includes(type);

export const handler = httpHandler(getEventSchema, async ({ params, baseUrl }) => {
  if (!isEventType(params.eventType)) {
    throw new NotFound(`There is no event type ${params.eventType}; the types are ${EVENT_TYPES.join(', ')}.`);
  }
  return {
    status: 200,
    body: eventDetailJsonSchema(params.eventType, baseUrl),
    headers: { 'content-type': 'application/schema+json', 'cache-control': 'public, max-age=300' },
  };
});
