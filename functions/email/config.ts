import * as z from 'zod/mini';
import { DEFAULT_SEND_TIMEOUT_MS } from '../domain/delivery';

/**
 * What the email sender needs, read from the environment once at cold start. Only the stream
 * handler imports this module, so the API functions do not need these variables.
 */
const schema = z.object({
  /** The page invitees land on; the link is `<ACCEPT_URL>?token=<token>`. */
  ACCEPT_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
  /** A verified SES identity, optionally with a display name: `Acme <invitations@acme.example>`. */
  SES_FROM_ADDRESS: z
    .string({ error: 'is required' })
    .check(
      z.maxLength(320, 'is too long'),
      z.regex(/^[^\r\n]*[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+>?$/, 'must be an email address'),
    ),
  SES_CONFIGURATION_SET: z.optional(z.string().check(z.regex(/^[\w-]{1,64}$/, 'must be a configuration set name'))),
  /** Set locally, to the SES v2 emulator; unset in AWS. */
  SES_ENDPOINT: z.optional(z.url()),
  /** How long one SendEmail call may take, connection included, before it counts as a transient failure. */
  SES_SEND_TIMEOUT_MS: z._default(
    z.coerce.number().check(z.int(), z.minimum(100), z.maximum(30_000)),
    DEFAULT_SEND_TIMEOUT_MS,
  ),
});

export type EmailConfig = z.infer<typeof schema>;

export function loadEmailConfig(env: NodeJS.ProcessEnv): EmailConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`Invalid email configuration: ${problems}`);
  }
  return parsed.data;
}

export const emailConfig: EmailConfig = loadEmailConfig(process.env);
