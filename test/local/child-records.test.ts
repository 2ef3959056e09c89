import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { forgetChild, readChildRecords, recordChild, stopRecordedChildren } from '../../local/child-records';

const dirs: string[] = [];
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function recordsFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'child-records-'));
  dirs.push(dir);
  return join(dir, 'children.json');
}

function sleeper(): ChildProcess {
  const child = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
  // Without a pid the records below would name no process, and stopping them would signal the wrong one.
  if (child.pid === undefined) throw new Error('could not start `sleep 300`');
  children.push(child);
  return child;
}

describe('the records of started children', () => {
  it('stops a recorded child that still runs the recorded command, and removes the records', async () => {
    const file = recordsFile();
    const child = sleeper();
    recordChild(file, 'a sleeper', child.pid as number);
    expect(readChildRecords(file)).toEqual([{ part: 'a sleeper', pid: child.pid, command: 'sleep 300' }]);

    const exited = once(child, 'exit');
    const stopped = await stopRecordedChildren(file);
    expect(stopped.map((record) => record.part)).toEqual(['a sleeper']);
    expect(await exited).toEqual([null, 'SIGTERM']);
    expect(existsSync(file)).toBe(false);
  });

  it('leaves alone a process whose pid was recorded for another command', async () => {
    const file = recordsFile();
    const child = sleeper();
    writeFileSync(file, JSON.stringify([{ part: 'DynamoDB Local', pid: child.pid, command: 'java -jar Other.jar' }]));
    expect(await stopRecordedChildren(file)).toEqual([]);
    expect(child.exitCode).toBeNull();
    expect(child.signalCode).toBeNull();
  });

  it('forgets a child that exited, and ignores a file that is not its records', async () => {
    const file = recordsFile();
    const first = sleeper();
    const second = sleeper();
    recordChild(file, 'first', first.pid as number);
    recordChild(file, 'second', second.pid as number);
    forgetChild(file, first.pid as number);
    expect(readChildRecords(file).map((record) => record.part)).toEqual(['second']);
    forgetChild(file, second.pid as number);
    expect(existsSync(file)).toBe(false);

    writeFileSync(file, '{"not": "records"}');
    expect(readChildRecords(file)).toEqual([]);
    expect(await stopRecordedChildren(file)).toEqual([]);
  });
});
