import * as z from 'zod/mini';
import { DEFAULT_EMAILS_PER_USER_PER_DAY } from '../domain/delivery';
import { DEFAULT_WORKSPACE_LIMITS } from '../domain/workspace';

const limit = (fallback: number) => z._default(z.coerce.number().check(z.int(), z.positive()), fallback);

/**
 * Configuration, read from the environment once at cold start. A missing or malformed value
 * stops the function before it serves anything, with a message that names the variable.
 */
const schema = z.object({
  TABLE_NAME: z.string().check(z.minLength(3)),
  AWS_REGION: z._default(z.string(), 'us-east-1'),
  /** The declared reads that prime the DynamoDB client during init, comma-separated (functions/access.ts); unset: no priming. */
  DYNAMODB_PRIME: z.optional(
    z.string().check(z.regex(/^(GetItem|BatchGetItem)(,(GetItem|BatchGetItem))*$/, 'must list GetItem, BatchGetItem')),
  ),
  /** How many reads it sends at once, to open as many connections (functions/access.ts); at least one of each. */
  DYNAMODB_PRIME_CONNECTIONS: z._default(
    z.string().check(z.regex(/^([1-9]|10)$/, 'must be a whole number from 1 to 10')),
    '1',
  ),
  /** Set locally (DynamoDB Local); unset in AWS. */
  DYNAMODB_ENDPOINT: z.optional(z.url()),
  /**
   * Signs pagination cursors so that they cannot be forged or moved to another collection. Only
   * the functions that list (their routes declare `cursorKey`) are given it.
   */
  CURSOR_SECRET: z.optional(z.string().check(z.minLength(32))),
  /** Invitation emails (new invitations and resends) one person may ask for per UTC day. */
  INVITATION_EMAILS_PER_USER_PER_DAY: limit(DEFAULT_EMAILS_PER_USER_PER_DAY),
  /** The abuse limits (functions/domain/workspace.ts); each function is given those its route declares. */
  WORKSPACES_PER_USER: limit(DEFAULT_WORKSPACE_LIMITS.workspacesPerUser),
  MEMBERS_PER_WORKSPACE: limit(DEFAULT_WORKSPACE_LIMITS.membersPerWorkspace),
  PENDING_INVITATIONS_PER_WORKSPACE: limit(DEFAULT_WORKSPACE_LIMITS.pendingInvitationsPerWorkspace),
  WORKSPACE_RENAMES_PER_MINUTE: limit(DEFAULT_WORKSPACE_LIMITS.workspaceRenamesPerMinute),
});

export type Config = z.infer<typeof schema>;

export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  return parsed.data;
}

export const config: Config = loadConfig(process.env);
