/** The event publisher's configuration, read once at cold start; it has no table of its own. */
import * as z from 'zod/mini';

export const DEFAULT_EVENT_SOURCE = 'invitations';
/** The header that carries the webhook secret to the operator's endpoint, deployed and locally. */
export const WEBHOOK_SECRET_HEADER = 'x-invitations-webhook-secret';

const schema = z.object({
  EVENT_BUS_NAME: z.string().check(z.minLength(1)),
  EVENT_SOURCE: z._default(z.string().check(z.minLength(1), z.maxLength(256)), DEFAULT_EVENT_SOURCE),
  AWS_REGION: z._default(z.string(), 'us-east-1'),
  /** Set locally: the runner's bus (local/event-bus.ts); unset in AWS. */
  EVENTS_ENDPOINT: z.optional(z.url()),
});

export type EventsConfig = z.infer<typeof schema>;

export function loadEventsConfig(env: NodeJS.ProcessEnv): EventsConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  return parsed.data;
}
