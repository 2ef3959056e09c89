/**
 * The runner's record of the processes it started (DynamoDB Local, the SES emulator), kept in the
 * data directory. Whatever stops what a dead runner left behind (its watchdog at once, or the next
 * start) reads this file: processes are found by the pids the runner wrote, and a pid is signalled
 * only while its command line is still the one recorded, so a reused pid is never touched.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { writeFileAtomic } from './data-dir';

export interface ChildRecord {
  part: string;
  pid: number;
  /** The command line as the system showed it when the child was recorded. */
  command: string;
}

export function readChildRecords(file: string): ChildRecord[] {
  if (!existsSync(file)) return [];
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return Array.isArray(parsed) ? parsed.filter(isChildRecord) : [];
  } catch {
    return [];
  }
}

export function recordChild(file: string, part: string, pid: number): void {
  const command = commandLineOf(pid);
  if (command === undefined) return;
  const kept = readChildRecords(file).filter((record) => record.pid !== pid);
  writeFileAtomic(file, `${JSON.stringify([...kept, { part, pid, command }], null, 2)}\n`);
}

export function forgetChild(file: string, pid: number): void {
  const kept = readChildRecords(file).filter((record) => record.pid !== pid);
  if (kept.length) writeFileAtomic(file, `${JSON.stringify(kept, null, 2)}\n`);
  else rmSync(file, { force: true });
}

/**
 * Stops every recorded child that still runs the recorded command: SIGTERM to its process group
 * (each child leads its own), SIGKILL after `graceMs`. Removes the file and returns what it stopped.
 */
export async function stopRecordedChildren(file: string, graceMs = 3000): Promise<ChildRecord[]> {
  const alive = readChildRecords(file).filter((record) => commandLineOf(record.pid) === record.command);
  for (const record of alive) signal(record.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (alive.some((record) => isRunning(record.pid)) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  for (const record of alive) if (isRunning(record.pid)) signal(record.pid, 'SIGKILL');
  rmSync(file, { force: true });
  return alive;
}

/** The command line of a running process, or undefined when there is none with that pid. */
export function commandLineOf(pid: number): string | undefined {
  try {
    const line = execFileSync('ps', ['-o', 'args=', '-p', String(pid)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return line || undefined;
  } catch {
    return undefined;
  }
}

function isRunning(pid: number): boolean {
  const command = commandLineOf(pid);
  return command !== undefined && !command.includes('<defunct>');
}

function signal(pid: number, name: NodeJS.Signals): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, name);
      return;
    } catch {
      // not a group leader (or already gone): try the process itself
    }
  }
}

function isChildRecord(value: unknown): value is ChildRecord {
  const record = value as Partial<ChildRecord> | null;
  return (
    typeof record?.part === 'string' &&
    Number.isInteger(record.pid) &&
    (record.pid as number) > 1 &&
    typeof record.command === 'string'
  );
}
