/**
 * Logged errors point at TypeScript lines, in a real bundle built with the stack's esbuild
 * settings and run without --enable-source-maps, as deployed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { esbuildBuildOptions } from '../../../lib/bundling/options';

const FIXTURE = 'test/unit/observability/logs-an-error.ts';
const dir = mkdtempSync(join(tmpdir(), 'source-stack-'));
const bundle = join(dir, 'index.mjs');

interface LoggedError {
  name: string;
  location: string;
  message: string;
  stack: string;
  cause: { name: string; stack: string };
}

function runBundle(): LoggedError {
  const child = spawnSync(process.execPath, [bundle], {
    env: { PATH: process.env.PATH, POWERTOOLS_SERVICE_NAME: 'invitations' },
    encoding: 'utf8',
  });
  expect(child.status, child.stderr).toBe(0);
  // Error-level lines go to stderr, as console.error would.
  const line = JSON.parse(child.stderr.trim());
  expect(line).toMatchObject({ level: 'ERROR', message: 'Request failed' });
  return line.error;
}

beforeAll(async () => {
  await build({ ...esbuildBuildOptions(join(__dirname, 'logs-an-error.ts'), bundle), logLevel: 'silent' });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('logged stacks in a bundle', () => {
  it('name the TypeScript file, line and column, for the error and its cause', () => {
    const error = runBundle();
    expect(error.location).toMatch(new RegExp(`(^|/)${FIXTURE}:5$`));
    expect(error.stack.split('\n')[1]).toMatch(new RegExp(`at \\S+ \\((.*/)?${FIXTURE}:5:9\\)$`));
    expect(error.stack).toContain(`${FIXTURE}:9:3`);
    expect(error.cause.name).toBe('TypeError');
    expect(error.cause.stack.split('\n')[1]).toMatch(new RegExp(`${FIXTURE}:5:\\d+\\)$`));
    expect(error.stack).not.toContain('index.mjs:');
  });

  it('keep the bundle positions when the map is missing', () => {
    rmSync(`${bundle}.map`);
    const error = runBundle();
    expect(error.stack.split('\n')[1]).toMatch(/index\.mjs:\d+:\d+\)$/);
    expect(error.stack).not.toContain(FIXTURE);
  });
});
