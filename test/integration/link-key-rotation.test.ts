/**
 * Rotating the link-token key as the README's procedure does it (`npm run rotate-link-key`),
 * against the real preview route on DynamoDB Local: a link emailed before the rotation keeps
 * previewing through the grace period and stops after it; links signed after the rotation work
 * at once, even in a function that had read the old ring. The same rotation against Secrets
 * Manager writes the new ring as the secret's next value.
 */
import { readFileSync } from 'node:fs';
import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { describeRing, fileStore, rotateLinkKey, secretStore } from '../../bin/link-key-rotation';
import { LinkTokens, parseKeyRing } from '../../functions/domain/link-token';
import { api, user } from '../support/api';
import { createWorkspace, invite } from '../support/fixtures';

const keyFile = vi.hoisted(() => {
  const { mkdtempSync, writeFileSync } = require('node:fs') as typeof import('node:fs');
  const { tmpdir } = require('node:os') as typeof import('node:os');
  const { join } = require('node:path') as typeof import('node:path');
  const file = join(mkdtempSync(join(tmpdir(), 'link-ring-')), 'token-key');
  // What a first deployment holds: one generated key, as text.
  writeFileSync(file, 'first-link-token-key-0123456789abcdefghijkl\n', { mode: 0o600 });
  process.env.TOKEN_KEY_FILE = file;
  delete process.env.TOKEN_KEY_SECRET_ARN;
  return file;
});

const DAY = 86_400_000;
/** The ring as the key file holds it now, as the email sender would read it. */
const senderTokens = () => new LinkTokens(parseKeyRing(readFileSync(keyFile, 'utf8')));

afterEach(() => {
  vi.useRealTimers();
});

describe('rotating the link-token key', () => {
  it('keeps links emailed before the rotation working through the grace period, and not after', async () => {
    const owner = user('owner');
    const workspaceId = await createWorkspace(owner, { name: 'Rotation' });
    const emailedBefore = await invite(owner, workspaceId, user('before').email as string);
    const oldLink = senderTokens().mint(emailedBefore, 1);
    // The preview function reads (and keeps) the ring of one key.
    expect((await api.get(`/api/invitation-tokens/${oldLink}`)).status).toBe(200);

    const start = Date.now();
    const ring = await rotateLinkKey(fileStore(keyFile), { now: new Date(start), graceDays: 1 });
    expect(describeRing(ring)).toBe(
      `key version 2: current, signs new links\nkey version 1: verifies its links until ${new Date(start + DAY).toISOString()}`,
    );
    expect(
      parseKeyRing(readFileSync(keyFile, 'utf8')).keys.map((key) => [key.version, key.key === ring.keys[0]?.key]),
    ).toEqual([
      [2, true],
      [1, false],
    ]);
    expect(ring.keys[1]?.key).toBe('first-link-token-key-0123456789abcdefghijkl');

    const emailedAfter = await invite(owner, workspaceId, user('after').email as string);
    const newLink = senderTokens().mint(emailedAfter, 1);
    expect(LinkTokens.keyVersionOf(newLink)).toBe(2);

    // Half a minute on: the function that read the old ring meets a key version it does not know, and reads again.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(start + 31_000);
    const fresh = await api.get(`/api/invitation-tokens/${newLink}`);
    expect({ status: fresh.status, workspace: fresh.body.workspace.name }).toEqual({
      status: 200,
      workspace: 'Rotation',
    });
    expect((await api.get(`/api/invitation-tokens/${oldLink}`)).status).toBe(200);

    // Within the grace period, the old link previews; past it, it answers 410 with a reason.
    vi.setSystemTime(start + DAY - 60_000);
    expect((await api.get(`/api/invitation-tokens/${oldLink}`)).status).toBe(200);
    vi.setSystemTime(start + DAY + 60_000);
    const expired = await api.get(`/api/invitation-tokens/${oldLink}`);
    expect({ status: expired.status, body: expired.body }).toEqual({
      status: 410,
      body: {
        type: 'urn:problem:invitations:gone',
        title: 'Gone',
        status: 410,
        detail:
          'This link was sent before the service changed its signing key and no longer works. Ask for the invitation to be sent again.',
      },
    });
    // The invitation itself is still PENDING, and a link from the new key still works.
    expect((await api.get(`/api/invitation-tokens/${newLink}`)).status).toBe(200);
    expect((await api.get(`/api/invitations/${emailedBefore}`, { as: owner })).body.status).toBe('PENDING');
  });

  it('writes the rotated ring to the deployed secret as its next value', async () => {
    const secrets = mockClient(SecretsManagerClient);
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:LinkTokenKey-AbCdEf';
    secrets.on(GetSecretValueCommand, { SecretId: arn }).resolves({ SecretString: 'k'.repeat(64) });
    secrets.on(PutSecretValueCommand).resolves({});
    const now = new Date('2026-12-01T00:00:00.000Z');

    const ring = await rotateLinkKey(secretStore(new SecretsManagerClient({}), arn), { now });

    const puts = secrets.commandCalls(PutSecretValueCommand);
    expect(puts).toHaveLength(1);
    expect(puts[0]?.args[0].input.SecretId).toBe(arn);
    const written = parseKeyRing(puts[0]?.args[0].input.SecretString as string);
    expect(written).toEqual(ring);
    expect(written.current).toBe(2);
    expect(written.keys[1]).toEqual({ version: 1, key: 'k'.repeat(64), retiresAt: '2026-12-31T00:00:00.000Z' });
    secrets.restore();
  });
});
