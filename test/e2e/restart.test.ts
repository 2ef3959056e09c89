/**
 * The runner as a process: SIGTERM stops every child, a restart keeps the data and the stream
 * position, and a part that cannot start fails the start with a message that names it.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../local/dynamodb-local';
import {
  answers,
  consumedStreamEnd,
  emails,
  emailsTo,
  http,
  leftoverProcesses,
  newDataDir,
  type Runner,
  removeDataDir,
  runUntilExit,
  startRunner,
} from './support/runner';

const dataDir = newDataDir();
const started: Runner[] = [];

afterAll(async () => {
  for (const runner of started) await runner.stop();
  removeDataDir(dataDir);
});

async function start(ports?: Runner['ports']): Promise<Runner> {
  const runner = await startRunner({ dataDir, ports });
  started.push(runner);
  return runner;
}

describe('stopping and restarting the service', () => {
  it('keeps workspaces, invitations and the stream position across a restart; SIGTERM leaves nothing running', async () => {
    const first = await start();
    const owner = await first.token({ sub: 'owner-r', email: 'owner-r@example.com', name: 'Rita' });
    const workspace = await http(first, 'POST', '/api/workspaces', { token: owner, body: { name: 'Durable' } });
    const invited = await http(first, 'POST', `/api/workspaces/${workspace.body.id}/invitations`, {
      token: owner,
      body: { email: 'before@example.com' },
    });
    expect(invited.status).toBe(202);
    await emailsTo(first, 'before@example.com');

    expect(await first.stop()).toBe(0);
    expect(first.output()).toContain('stopped');
    expect(leftoverProcesses(dataDir, first.ports.ses)).toEqual([]);
    for (const port of Object.values(first.ports))
      expect(await answers(`http://127.0.0.1:${port}/`), `port ${port}`).toBe(false);
    // The email sender's files keep the names they had when it was the only stream consumer.
    const positionFile = join(dataDir, 'stream-position.json');
    const before = JSON.parse(readFileSync(positionFile, 'utf8'));
    expect(Object.keys(before.shards).length).toBeGreaterThan(0);
    // The event publisher reads the same stream from its own position.
    const own = JSON.parse(readFileSync(join(dataDir, 'publish-events.stream-position.json'), 'utf8'));
    expect(own.streamArn).toBe(before.streamArn);
    expect(Object.keys(own.shards).length).toBeGreaterThan(0);

    const second = await start(first.ports);
    const again = await second.token({ sub: 'owner-r', email: 'owner-r@example.com', name: 'Rita' });
    expect(owner).not.toBe(again);
    // A token minted before the restart still verifies: the identity key lives in the data directory.
    const kept = await http(second, 'GET', `/api/workspaces/${workspace.body.id}`, { token: owner });
    expect(kept.status).toBe(200);
    expect(kept.body.name).toBe('Durable');
    const invitation = await http(second, 'GET', `/api/invitations/${invited.body.id}`, { token: again });
    expect(invitation.status).toBe(200);
    expect(invitation.body).toMatchObject({ status: 'PENDING', email: 'before@example.com', sendCount: 1 });

    const afterRestart = await http(second, 'POST', `/api/workspaces/${workspace.body.id}/invitations`, {
      token: again,
      body: { email: 'after@example.com' },
    });
    expect(afterRestart.status).toBe(202);
    await emailsTo(second, 'after@example.com');
    // The new emulator's outbox starts empty: once the sender has handled the whole stream, the
    // email sent before the restart was not sent again.
    await consumedStreamEnd(second, 'stream-position.json');
    expect((await emails(second)).map((email) => email.destination.to)).toEqual([['after@example.com']]);
    for (const deadLetters of [
      'dead-letters.jsonl',
      'publish-events.dead-letters.jsonl',
      'sync-workspace-names.dead-letters.jsonl',
    ]) {
      expect(existsSync(join(dataDir, deadLetters))).toBe(false);
    }
    // The poller resumed from the saved position of the same stream instead of starting over.
    const after = JSON.parse(readFileSync(positionFile, 'utf8'));
    expect(after.streamArn).toBe(before.streamArn);
    for (const [shardId, { sequenceNumber }] of Object.entries<{ sequenceNumber: string }>(before.shards)) {
      expect(BigInt(after.shards[shardId].sequenceNumber), `shard ${shardId}`).toBeGreaterThan(BigInt(sequenceNumber));
    }

    // A part that dies while the service runs takes the rest down with it, with a message.
    const java = leftoverProcesses(dataDir, second.ports.ses).find((line) => line.includes('DynamoDBLocal'));
    process.kill(Number(java?.trim().split(/\s+/)[0]), 'SIGKILL');
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain('DynamoDB Local stopped unexpectedly');
    expect(leftoverProcesses(dataDir, second.ports.ses)).toEqual([]);
  });
});

describe('a part that cannot start', () => {
  it('names the part and the reason, exits 1 and stops the parts already running', async () => {
    const ports = {
      PORT: await freePort(),
      DYNAMODB_PORT: await freePort(),
      SES_PORT: await freePort(),
      SES_FAULTS_PORT: await freePort(),
    };
    const env = Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, String(port)]));
    const failingDir = newDataDir();
    try {
      // The table name is invalid, so the start fails after DynamoDB Local and the emulator run.
      const invalidTable = await runUntilExit({ ...env, LOCAL_DATA_DIR: failingDir, TABLE_NAME: 'no spaces allowed' });
      expect(invalidTable.code).toBe(1);
      expect(invalidTable.output).toContain('DynamoDB Local failed to start');
      expect(leftoverProcesses(failingDir, ports.SES_PORT)).toEqual([]);

      const blocker = await import('node:net').then(({ createServer }) => createServer().listen(ports.SES_PORT));
      try {
        const busy = await runUntilExit({ ...env, LOCAL_DATA_DIR: failingDir });
        expect(busy.code).toBe(1);
        expect(busy.output).toContain(`the SES emulator failed to start: port ${ports.SES_PORT} is already in use`);
      } finally {
        blocker.close();
      }

      const noJava = await runUntilExit({ ...env, LOCAL_DATA_DIR: failingDir, PATH: '/nonexistent' });
      expect(noJava.code).toBe(1);
      expect(noJava.output).toMatch(/needs Java 17 or newer[\s\S]*apt-get install/);
      expect(leftoverProcesses(failingDir, ports.SES_PORT)).toEqual([]);
    } finally {
      removeDataDir(failingDir);
    }
  });
});

describe('the data directory', () => {
  it('holds the generated secrets with owner-only permissions', () => {
    for (const name of ['cursor-secret', 'token-key', 'identity-key.json']) {
      const file = join(dataDir, name);
      expect(readFileSync(file, 'utf8').trim().length, name).toBeGreaterThanOrEqual(43);
      expect(statSync(file).mode & 0o077, name).toBe(0);
    }
  });
});
