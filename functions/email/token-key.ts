/**
 * The link-token key: from Secrets Manager in AWS (TOKEN_KEY_SECRET_ARN), from a generated file
 * locally (TOKEN_KEY_FILE); exactly one of the two. Read once per cold start, never logged.
 * Only the functions that mint or verify link tokens import this module.
 */
import { readFile } from 'node:fs/promises';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod/mini';
import { LinkTokens } from '../domain/link-token';

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
let loading: Promise<LinkTokens> | undefined;

/** The link-token codec with the key loaded; the first call reads the key, later calls reuse it. */
export function linkTokens(): Promise<LinkTokens> {
  loading ??= readKey(source).then(
    (key) => new LinkTokens(key),
    (error: unknown) => {
      // A failed read (a throttled Secrets Manager call) must not stick for the container's life.
      loading = undefined;
      throw error;
    },
  );
  return loading;
}

async function readKey(from: TokenKeySource): Promise<Uint8Array> {
  if ('file' in from) return keyBytes(await readFile(from.file, 'utf8'));
  secrets ??= new SecretsManagerClient({});
  const { SecretString, SecretBinary } = await secrets.send(new GetSecretValueCommand({ SecretId: from.secretArn }));
  if (SecretString !== undefined) return keyBytes(SecretString);
  if (SecretBinary !== undefined) return SecretBinary;
  throw new Error('The link-token secret has no value.');
}

/** Key files and secrets hold text (a generated key is base64url); its bytes are the HMAC key. */
function keyBytes(text: string): Uint8Array {
  return Buffer.from(text.trim(), 'utf8');
}
