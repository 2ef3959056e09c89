/**
 * The link-token key ring: from Secrets Manager in AWS (TOKEN_KEY_SECRET_ARN), from a generated
 * file locally (TOKEN_KEY_FILE); exactly one of the two. Read during the init phase (importing
 * this module primes it) and again every few minutes, so that a rotation reaches running
 * functions; never logged. Only the functions that mint or verify link tokens import this module.
 */
import { readFile } from 'node:fs/promises';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod/mini';
import { FIRST_TOKEN_VERSION, type KeyRing, LinkTokens, parseKeyRing } from '../domain/link-token';

const schema = z
  .object({
    TOKEN_KEY_SECRET_ARN: z.optional(
      z.string().check(z.regex(/^arn:aws[\w-]*:secretsmanager:/, 'must be a secret ARN')),
    ),
    TOKEN_KEY_FILE: z.optional(z.string().check(z.minLength(1))),
  })
  .check(
    z.refine(
      (env) => (env.TOKEN_KEY_SECRET_ARN === undefined) !== (env.TOKEN_KEY_FILE === undefined),
      'set exactly one of TOKEN_KEY_SECRET_ARN and TOKEN_KEY_FILE',
    ),
  );

export type TokenKeySource = { secretArn: string } | { file: string };

export function tokenKeySource(env: NodeJS.ProcessEnv): TokenKeySource {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'env'}: ${issue.message}`);
    throw new Error(`Invalid link-token key configuration: ${problems.join('; ')}`);
  }
  const { TOKEN_KEY_SECRET_ARN, TOKEN_KEY_FILE } = parsed.data;
  return TOKEN_KEY_SECRET_ARN ? { secretArn: TOKEN_KEY_SECRET_ARN } : { file: TOKEN_KEY_FILE as string };
}

const source = tokenKeySource(process.env);
let secrets: SecretsManagerClient | undefined;

/**
 * How long a function trusts the key ring it read. After a rotation every function signs with
 * the new key within this time; a token signed with a key version the ring does not know yet
 * makes it read the ring again at once (at most once per RELOAD_INTERVAL_MS, so forged key
 * versions cannot turn every request into a Secrets Manager call).
 */
export const RING_MAX_AGE_MS = 5 * 60_000;
const RELOAD_INTERVAL_MS = 30_000;

let loaded: { tokens: Promise<LinkTokens>; at: number } | undefined;

/**
 * The link-token codec with the key ring loaded. The first call reads the ring, later calls reuse
 * it until it is RING_MAX_AGE_MS old; `token`, when given, is the token about to be verified.
 */
export async function linkTokens(token?: string): Promise<LinkTokens> {
  const now = Date.now();
  if (loaded && now - loaded.at >= RING_MAX_AGE_MS) loaded = undefined;
  if (loaded && token !== undefined && now - loaded.at >= RELOAD_INTERVAL_MS) {
    const keyVersion = LinkTokens.keyVersionOf(token);
    const current = await loaded.tokens.catch(() => undefined);
    if (keyVersion !== undefined && current && !current.hasKeyVersion(keyVersion)) loaded = undefined;
  }
  if (!loaded) {
    const tokens = readRing(source).then((ring) => new LinkTokens(ring));
    const entry = { tokens, at: now };
    loaded = entry;
    // A failed read (a throttled Secrets Manager call) must not stick for the container's life.
    tokens.catch(() => {
      if (loaded === entry) loaded = undefined;
    });
  }
  return loaded.tokens;
}

/** The ring as the file or secret holds it: one key as text, or a ring as JSON (functions/domain/link-token.ts). */
export async function readRing(from: TokenKeySource): Promise<KeyRing> {
  return parseKeyRing(await readRingText(from));
}

async function readRingText(from: TokenKeySource): Promise<string> {
  if ('file' in from) return readFile(from.file, 'utf8');
  secrets ??= new SecretsManagerClient({});
  const { SecretString, SecretBinary } = await secrets.send(new GetSecretValueCommand({ SecretId: from.secretArn }));
  if (SecretString !== undefined) return SecretString;
  if (SecretBinary !== undefined) return Buffer.from(SecretBinary).toString('utf8');
  throw new Error('The link-token secret has no value.');
}

/**
 * How long the init phase waits for the ring. Reading it takes a few milliseconds from a file and
 * tens from Secrets Manager; a source that does not answer by then (a network that drops the
 * request) must not hold up the init: the first request then waits for the read still under way.
 */
export const PRIME_WAIT_MS = 2000;
/** An invitation id no invitation has: minting and reading a token for it sets up the HMAC. */
const PRIMING_INVITATION = '00000000-0000-4000-8000-000000000000';

/**
 * Reads the ring during the function's init phase, so that the first request a person waits for
 * finds it loaded (and the HMAC it verifies with set up), as functions/store/client.ts does for
 * DynamoDB. It never fails the init: a ring that cannot be read is read again by the first
 * request, as it would have been anyway.
 */
export async function primeLinkTokens(waitMs = PRIME_WAIT_MS): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const givenUp = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, waitMs);
    timer.unref();
  });
  const loading = linkTokens()
    .then((tokens) => void tokens.read(tokens.mint(PRIMING_INVITATION, FIRST_TOKEN_VERSION)))
    .catch(() => undefined);
  await Promise.race([loading, givenUp]);
  clearTimeout(timer);
}

await primeLinkTokens();
