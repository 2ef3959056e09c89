/**
 * Started by the runner in its own process group, reading a pipe from it. When the pipe ends
 * without the runner having said `done` (the runner was killed, SIGKILL included), it stops the
 * children the runner recorded, so no DynamoDB Local or emulator outlives it holding its ports.
 */
import { stopRecordedChildren } from './child-records';

const recordFile = process.argv[2];
if (!recordFile) {
  console.error('usage: orphan-watchdog <child records file>');
  process.exit(2);
}

let released = false;
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  if (chunk.split('\n').includes('done')) released = true;
});
process.stdin.on('end', () => void finish());
process.stdin.on('error', () => void finish());
// The runner stops the children itself on Ctrl-C; only the end of its pipe concerns the watchdog.
for (const signal of ['SIGINT', 'SIGHUP'] as const) process.on(signal, () => undefined);

async function finish(): Promise<void> {
  if (!released) await stopRecordedChildren(recordFile as string);
  process.exit(0);
}
