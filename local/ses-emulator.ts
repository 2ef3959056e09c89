/** Runs the local SES v2 emulator (aws-ses-v2-local) as a child process. */
import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { stopChild } from './child-process';

export interface RunningSes {
  endpoint: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

const CLI = join(dirname(createRequire(import.meta.url).resolve('aws-ses-v2-local')), 'cli.js');

export async function startSesEmulator(options: {
  port: number;
  timeoutMs?: number;
  detached?: boolean;
}): Promise<RunningSes> {
  const child = spawn(process.execPath, [CLI, '--port', String(options.port), '--host', '127.0.0.1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached ?? false,
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk).slice(-2000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const endpoint = `http://127.0.0.1:${options.port}`;
  const stop = () => stopChild(child);
  const exited = new Promise<never>((_, reject) => {
    child.once('error', reject);
    child.once('exit', (code) =>
      reject(new Error(`the SES emulator exited (code ${code}) before it was ready: ${output.trim().slice(-500)}`)),
    );
  });
  exited.catch(() => undefined);
  try {
    await Promise.race([waitForHealth(endpoint, options.timeoutMs ?? 20_000), exited]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, process: child, stop };
}

async function waitForHealth(endpoint: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(`${endpoint}/health-check`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the SES emulator did not answer within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
