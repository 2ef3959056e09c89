/**
 * Priming the link-token key at init: importing functions/email/token-key.ts reads the ring
 * before the import completes, so the first request finds it loaded; a source that refuses, cannot
 * be reached or does not answer never fails or holds up the import, and the first request then
 * reads the ring itself.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runFreshModule } from '../../support/fresh-process';

const TOKEN_KEY = new URL('../../../functions/email/token-key.ts', import.meta.url).pathname;
const KEY = 'a-link-token-key-of-more-than-32-bytes-0123456789';
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:link-token-key-AbCdEf';

/**
 * Imports the module in a fresh process and reports when the import completed; then, as a first
 * request would, asks for the ring (`afterImport` runs in between, e.g. to remove the key file).
 */
const script = (afterImport = '') => `
const tokenKey = await import(${JSON.stringify(TOKEN_KEY)});
console.log('imported ' + Date.now());
${afterImport}
const tokens = await tokenKey.linkTokens().catch((error) => undefined);
console.log('first request ' + (tokens ? 'has the ring' : 'has no ring'));
process.exit(0);`;

let server: Server | undefined;
afterEach(() => {
  server?.closeAllConnections();
  server?.close();
  server = undefined;
});

/** A Secrets Manager that answers each GetSecretValue with the next of `answers` (the last one repeats); `hang` never answers. */
async function fakeSecretsManager(
  answers: (200 | 400 | 'hang')[],
): Promise<{ endpoint: string; requests: { target: string; at: number }[] }> {
  const requests: { target: string; at: number }[] = [];
  server = createServer((request: IncomingMessage, response) => {
    const answer = answers[Math.min(requests.length, answers.length - 1)] ?? 200;
    requests.push({ target: String(request.headers['x-amz-target']), at: Date.now() });
    request.resume();
    if (answer === 'hang') return;
    request.on('end', () => {
      response.writeHead(answer, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(
        answer === 200
          ? JSON.stringify({ ARN: SECRET_ARN, Name: 'link-token-key', SecretString: KEY })
          : '{"__type":"AccessDeniedException","message":"no"}',
      );
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

async function importTokenKey(env: Record<string, string>, afterImport?: string) {
  const stdout = await runFreshModule(script(afterImport), env);
  return {
    importedAt: Number(/imported (\d+)/.exec(stdout)?.[1]),
    firstRequest: /first request (.*)/.exec(stdout)?.[1],
  };
}

const fromSecret = (endpoint: string) => ({
  TOKEN_KEY_SECRET_ARN: SECRET_ARN,
  AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint,
});

describe('priming the link-token key at init', () => {
  it('reads the secret once, before the import completes; the first request reads nothing more', async () => {
    const secrets = await fakeSecretsManager([200]);
    const { importedAt, firstRequest } = await importTokenKey(fromSecret(secrets.endpoint));
    expect(firstRequest).toBe('has the ring');
    expect(secrets.requests.map((request) => request.target)).toEqual(['secretsmanager.GetSecretValue']);
    expect(secrets.requests[0]?.at).toBeLessThanOrEqual(importedAt);
  });

  it('reads the key file during the import: the first request has the ring though the file is gone', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'token-key-')), 'token-key');
    writeFileSync(file, KEY);
    const { firstRequest } = await importTokenKey(
      { TOKEN_KEY_FILE: file },
      `(await import('node:fs')).rmSync(${JSON.stringify(file)});`,
    );
    expect(firstRequest).toBe('has the ring');
  });

  it('completes the import when the secret is refused; the first request reads it again', async () => {
    const secrets = await fakeSecretsManager([400, 200]);
    const { importedAt, firstRequest } = await importTokenKey(fromSecret(secrets.endpoint));
    expect(importedAt).toBeGreaterThan(0);
    expect(firstRequest).toBe('has the ring');
    expect(secrets.requests).toHaveLength(2);
  });

  it('completes the import when Secrets Manager cannot be reached', async () => {
    const { importedAt, firstRequest } = await importTokenKey(fromSecret('http://127.0.0.1:9'));
    expect(importedAt).toBeGreaterThan(0);
    expect(firstRequest).toBe('has no ring');
  });

  it('completes the import when Secrets Manager does not answer', async () => {
    const secrets = await fakeSecretsManager(['hang']);
    const { importedAt } = await importTokenKey(
      fromSecret(secrets.endpoint),
      // The read is still under way: a first request would wait for it. Here the process ends.
      'process.exit(0);',
    );
    expect(importedAt).toBeGreaterThan(0);
    expect(secrets.requests).toHaveLength(1);
  });

  it('completes the import when the key file is missing', async () => {
    const { importedAt, firstRequest } = await importTokenKey({ TOKEN_KEY_FILE: '/nonexistent/token-key' });
    expect(importedAt).toBeGreaterThan(0);
    expect(firstRequest).toBe('has no ring');
  });
});
