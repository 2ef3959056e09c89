/**
 * The data directory: everything the local service keeps between runs. Secrets are generated on
 * first use, written with owner-only permissions, and reused afterwards.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EMAIL_SENDER } from '../functions/consumers';

export function dataPaths(dataDir: string) {
  return {
    root: dataDir,
    /** DynamoDB Local's database files. */
    dynamo: join(dataDir, 'dynamodb'),
    cursorSecret: join(dataDir, 'cursor-secret'),
    /** The HMAC key for invitation link tokens (TOKEN_KEY_FILE). */
    tokenKey: join(dataDir, 'token-key'),
    /** The private key that signs local identity tokens. */
    identityKey: join(dataDir, 'identity-key.json'),
    /** The processes the running service started (local/child-records.ts). */
    children: join(dataDir, 'children.json'),
  };
}

/** The stream consumer whose files keep the names they had when it was the stream's only consumer. */
const FIRST_STREAM_CONSUMER = EMAIL_SENDER.handler;

/**
 * Where a stream consumer (named after its handler) keeps its position in the stream and the
 * records it gave up on. The first consumer's files have no prefix, so that a data directory
 * from before there were several consumers resumes where it was.
 */
export function streamConsumerPaths(dataDir: string, consumer: string) {
  const prefix = consumer === FIRST_STREAM_CONSUMER ? '' : `${consumer}.`;
  return {
    position: join(dataDir, `${prefix}stream-position.json`),
    deadLetters: join(dataDir, `${prefix}dead-letters.jsonl`),
  };
}

export type DataPaths = ReturnType<typeof dataPaths>;

export function prepareDataDir(dataDir: string): DataPaths {
  const paths = dataPaths(dataDir);
  mkdirSync(paths.dynamo, { recursive: true });
  ensureSecret(paths.cursorSecret);
  ensureSecret(paths.tokenKey);
  return paths;
}

/** A random secret (32 bytes, base64url) in `file`, created if missing. */
export function ensureSecret(file: string): string {
  if (!existsSync(file)) writeFileAtomic(file, `${randomBytes(32).toString('base64url')}\n`);
  return readFileSync(file, 'utf8').trim();
}

/** Readers never see a half-written file: write beside it, then rename over it. */
export function writeFileAtomic(file: string, content: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, content, { mode: 0o600 });
  renameSync(temporary, file);
}
