/**
 * `npm start` stopped the ways a process manager, an IDE or a crash stops it: SIGTERM to npm
 * alone, and SIGKILL of the runner. Either way, within 5 s nothing it started runs or holds a port.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assertPortFree } from '../../local/child-process';
import type { ChildRecord } from '../../local/child-records';
import { answers, descendantsOf, newDataDir, type Runner, removeDataDir, startRunner } from './support/runner';

const dataDirs: string[] = [];
const started: Runner[] = [];

afterAll(async () => {
  for (const runner of started) await runner.stop();
  for (const dataDir of dataDirs) removeDataDir(dataDir);
});

async function startWithNpm(): Promise<Runner> {
  const dataDir = newDataDir();
  dataDirs.push(dataDir);
  const runner = await startRunner({ dataDir, launch: 'npm' });
  started.push(runner);
  return runner;
}

function recordedChildren(runner: Runner): ChildRecord[] {
  return JSON.parse(readFileSync(join(runner.dataDir, 'children.json'), 'utf8')) as ChildRecord[];
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function portFree(port: number): Promise<boolean> {
  try {
    await assertPortFree(port, 'PORT');
    return true;
  } catch {
    return false;
  }
}

/** Whether, within 5 s, none of `pids` runs and none of the runner's ports is held. */
async function allGoneWithin5s(runner: Runner, pids: number[]): Promise<{ alive: number[]; held: number[] }> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const alive = pids.filter(isAlive);
    const held: number[] = [];
    for (const port of Object.values(runner.ports)) if (!(await portFree(port))) held.push(port);
    if ((!alive.length && !held.length) || Date.now() > deadline) return { alive, held };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('stopping `npm start`', () => {
  it('SIGTERM to the npm process alone stops every part within 5 s', async () => {
    const runner = await startWithNpm();
    const npmPid = runner.child.pid as number;
    const below = descendantsOf(npmPid);
    const children = recordedChildren(runner);
    expect(children.map((record) => record.part).sort()).toEqual(['DynamoDB Local', 'the SES emulator']);
    expect(await answers(`${runner.api}/api/openapi.json`)).toBe(true);

    process.kill(npmPid, 'SIGTERM');
    expect(await allGoneWithin5s(runner, [...below, ...children.map((record) => record.pid)])).toEqual({
      alive: [],
      held: [],
    });
    expect(await answers(`${runner.api}/api/openapi.json`)).toBe(false);
  });

  it('SIGKILL of the runner: its children notice and exit, freeing every port within 5 s', async () => {
    const runner = await startWithNpm();
    const children = recordedChildren(runner);
    // npm → sh → node: the node process running the entry point, not the shell that names it.
    const runnerPid = descendantsOf(runner.child.pid as number).find((pid) => {
      const [program, ...args] = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      return program?.endsWith('node') && args.includes('bin/local.ts');
    });
    expect(runnerPid).toBeDefined();
    expect(children.filter((record) => !isAlive(record.pid))).toEqual([]);

    process.kill(runnerPid as number, 'SIGKILL');
    expect(
      await allGoneWithin5s(
        runner,
        children.map((record) => record.pid),
      ),
    ).toEqual({ alive: [], held: [] });
    await runner.exited;
  });

  it('the next start stops what a runner killed with its watchdog left, by its records', async () => {
    const dataDir = newDataDir();
    dataDirs.push(dataDir);
    const first = await startRunner({ dataDir });
    started.push(first);
    const children = recordedChildren(first);
    const runnerPid = first.child.pid as number;
    const watchdog = descendantsOf(runnerPid).find((pid) =>
      readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('orphan-watchdog'),
    );
    expect(watchdog).toBeDefined();
    process.kill(watchdog as number, 'SIGKILL');
    process.kill(runnerPid, 'SIGKILL');
    await first.exited;
    // Nothing watched them, so no event says they stay: a bounded wait is all that can show it.
    await new Promise((resolve) => setTimeout(resolve, 500));
    // They still run and hold their ports.
    expect(children.filter((record) => isAlive(record.pid))).toHaveLength(2);

    const second = await startRunner({ dataDir, ports: first.ports });
    started.push(second);
    for (const record of children) {
      expect(second.output()).toContain(`Stopped ${record.part} (pid ${record.pid}), left running by a start`);
      expect(isAlive(record.pid)).toBe(false);
    }
    expect(await answers(`${second.api}/api/openapi.json`)).toBe(true);
    expect(await second.stop()).toBe(0);
  });
});
