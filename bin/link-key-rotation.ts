/**
 * Rotating the link-token key: the ring in the secret (or, locally, the key file) gains a new
 * current key, and the key it replaces keeps verifying the links it signed for a grace period.
 * Functions pick the new ring up within minutes (functions/email/token-key.ts), without a deploy.
 */
import { readFileSync } from 'node:fs';
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { generateTokenKey, type KeyRing, parseKeyRing, rotateKeyRing } from '../functions/domain/link-token';
import { writeFileAtomic } from '../local/data-dir';

/** Where a ring is kept. */
export interface KeyRingStore {
  read(): Promise<string>;
  write(text: string): Promise<void>;
}

/** The deployed secret. PutSecretValue keeps the value it replaces as the secret's AWSPREVIOUS version. */
export function secretStore(client: SecretsManagerClient, secretId: string): KeyRingStore {
  return {
    async read() {
      const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
      if (SecretString === undefined) throw new Error('The link-token secret holds no text value.');
      return SecretString;
    },
    async write(text) {
      await client.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: text }));
    },
  };
}

/** The local key file (`<data dir>/token-key`). */
export function fileStore(file: string): KeyRingStore {
  return {
    read: async () => readFileSync(file, 'utf8'),
    write: async (text) => writeFileAtomic(file, text),
  };
}

/**
 * As long as the longest an invitation can live (invitationTtlDays is at most 30): every link
 * emailed before a rotation keeps working for as long as its invitation could.
 */
export const DEFAULT_GRACE_DAYS = 30;
const DAY_MS = 86_400_000;

export interface Rotation {
  readonly now?: Date;
  readonly graceDays?: number;
  /** Fresh key material unless given. */
  readonly newKey?: string;
}

/** Rotates the ring in `store` and returns it. */
export async function rotateLinkKey(store: KeyRingStore, rotation: Rotation = {}): Promise<KeyRing> {
  const graceDays = rotation.graceDays ?? DEFAULT_GRACE_DAYS;
  if (!Number.isFinite(graceDays) || graceDays < 0) throw new Error('The grace period is a number of days, 0 or more.');
  const ring = rotateKeyRing(
    parseKeyRing(await store.read()),
    rotation.newKey ?? generateTokenKey(),
    rotation.now ?? new Date(),
    graceDays * DAY_MS,
  );
  await store.write(JSON.stringify(ring));
  return ring;
}

/** What a rotation did, without any key material. */
export function describeRing(ring: KeyRing): string {
  return ring.keys
    .map((entry) =>
      entry.version === ring.current
        ? `key version ${entry.version}: current, signs new links`
        : `key version ${entry.version}: verifies its links until ${entry.retiresAt}`,
    )
    .join('\n');
}
