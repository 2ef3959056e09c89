/**
 * The email path under the faults production brings, end to end through `npm start`'s entry
 * point: SES throttling, failing, dropping connections before and after accepting, hanging; the
 * SES sandbox; unrenderable records; and a SIGKILL of every process while sends are in flight.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../functions/store/keys';
import { TABLE as TABLE_DEFINITION } from '../../functions/store/table-definition';
import { LOCAL_CREDENTIALS } from '../../local/dynamodb-local';
import {
  consumedStreamEnd,
  emails,
  eventually,
  http,
  leftoverProcesses,
  newDataDir,
  ROOT,
  type Runner,
  removeDataDir,
  type StoredEmail,
  startRunner,
} from './support/runner';

const SEND_TIMEOUT_MS = 1_500;
/** The claim's lease for that timeout (functions/domain/delivery.ts, leaseFor). */
const LEASE_MS = SEND_TIMEOUT_MS + 5_000;
const RUNNER_ENV = { SES_SEND_TIMEOUT_MS: String(SEND_TIMEOUT_MS) };
/** The runner inherits the test environment, table name included. */
const TABLE = process.env.TABLE_NAME ?? 'invitations-local';

async function control(runner: Runner, path: string, body: unknown) {
  const response = await fetch(`${runner.sesFaults}${path}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
  return response.json() as Promise<{ counts: Record<string, number> }>;
}

async function faultCounts(runner: Runner): Promise<Record<string, number>> {
  return ((await (await fetch(`${runner.sesFaults}/faults`)).json()) as { counts: Record<string, number> }).counts;
}

async function owner(runner: Runner, label: string) {
  const token = await runner.token({ sub: `${label}-owner`, email: `${label}-owner@example.com`, name: 'Olive' });
  const workspace = await http(runner, 'POST', '/api/workspaces', { token, body: { name: `Faults ${label}` } });
  expect(workspace.status).toBe(201);
  return { token, workspaceId: workspace.body.id as string };
}

async function inviteAll(runner: Runner, who: { token: string; workspaceId: string }, addresses: string[]) {
  const ids = new Map<string, string>();
  for (const email of addresses) {
    const invited = await http(runner, 'POST', `/api/workspaces/${who.workspaceId}/invitations`, {
      token: who.token,
      body: { email },
    });
    expect(invited.status).toBe(202);
    ids.set(email, invited.body.id);
  }
  return ids;
}

function byRecipient(all: StoredEmail[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const email of all) for (const to of email.destination.to) counts.set(to, (counts.get(to) ?? 0) + 1);
  return counts;
}

async function emailedAll(runner: Runner, addresses: string[], timeoutMs: number) {
  return eventually(
    async () => byRecipient(await emails(runner)),
    (counts) => addresses.every((address) => (counts.get(address) ?? 0) >= 1),
    timeoutMs,
  );
}

function dynamoOf(runner: Runner) {
  return DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: `http://127.0.0.1:${runner.ports.dynamo}`,
      region: 'us-east-1',
      credentials: LOCAL_CREDENTIALS,
    }),
  );
}

describe('one service under SES faults', () => {
  let runner: Runner;
  beforeAll(async () => {
    runner = await startRunner({ env: RUNNER_ENV });
  });
  afterAll(async () => {
    await runner?.stop();
    if (runner) removeDataDir(runner.dataDir);
  });

  it('loses no email to 30 % faults of every kind; every duplicate is one SES accepted and shows on its invitation', async () => {
    await control(runner, '/faults', {
      rates: { throttle: 0.06, 'server-error': 0.06, 'drop-before': 0.06, 'drop-after': 0.06, hang: 0.06 },
      resetCounts: true,
    });
    const who = await owner(runner, 'load');
    const addresses = Array.from({ length: 100 }, (_, n) => `faulty-${n}@example.com`);
    const ids = await inviteAll(runner, who, addresses);

    const received = await emailedAll(runner, addresses, 150_000);
    await control(runner, '/faults', { rates: {} });
    const counts = await faultCounts(runner);
    expect(counts.requests).toBeGreaterThan(100);
    for (const fault of ['throttle', 'server-error', 'drop-before', 'drop-after', 'hang']) {
      expect(counts[fault], fault).toBeGreaterThan(0);
    }
    const duplicates = addresses.reduce((sum, address) => sum + ((received.get(address) ?? 0) - 1), 0);
    expect(duplicates).toBeLessThanOrEqual(counts['drop-after'] as number);

    for (const address of addresses) {
      const invitation = await eventually(
        () => http(runner, 'GET', `/api/invitations/${ids.get(address)}`, { token: who.token }),
        (answer) => answer.body.delivery?.status === 'SENT',
        10_000,
      );
      const emailed = received.get(address) as number;
      expect(invitation.body.sendCount, address).toBe(1);
      expect(invitation.body.sendAttempts, address).toBeGreaterThanOrEqual(emailed);
      if (emailed > 1) expect(invitation.body.sendAttempts, address).toBeGreaterThan(invitation.body.sendCount);
    }
  }, 240_000);

  it('a call that never answers holds up the emails behind it by no more than the send timeout', async () => {
    const who = await owner(runner, 'hang');
    await control(runner, '/faults', { rates: {}, next: ['hang'] });
    await inviteAll(runner, who, ['hung@example.com']);
    const started = Date.now();
    const later = ['after-hang-1@example.com', 'after-hang-2@example.com', 'after-hang-3@example.com'];
    await inviteAll(runner, who, later);
    await emailedAll(runner, later, SEND_TIMEOUT_MS + 5_000 - (Date.now() - started));
    await emailedAll(runner, ['hung@example.com'], 10_000);
  }, 60_000);

  it('two unrenderable records do not delay five good invitations; they end FAILED with a reason', async () => {
    const who = await owner(runner, 'poison');
    const [template] = (await inviteAll(runner, who, ['template@example.com'])).values();
    const dynamo = dynamoOf(runner);
    const poisons: string[] = [];
    try {
      const { Item } = await dynamo.send(
        new GetCommand({ TableName: TABLE, Key: keys.invitation(template as string) }),
      );
      for (const missing of ['workspaceName', 'creatorName']) {
        const id = crypto.randomUUID();
        const item: Record<string, unknown> = {
          ...Item,
          ...keys.invitation(id),
          id,
          email: `poison-${missing.toLowerCase()}@example.com`,
          delivery: { ...(Item?.delivery as object), status: 'QUEUED', sendNumber: 1 },
        };
        delete item[missing];
        for (const index of ['byUser', 'byEmail', 'byWorkspace'] as const)
          delete item[TABLE_DEFINITION.indexes[index].partitionKey];
        await dynamo.send(new PutCommand({ TableName: TABLE, Item: item }));
        poisons.push(id);
      }
      const started = Date.now();
      const good = Array.from({ length: 5 }, (_, n) => `after-poison-${n}@example.com`);
      await inviteAll(runner, who, good);
      await emailedAll(runner, good, 5_000 - (Date.now() - started));
      for (const [index, field] of ['workspaceName', 'creatorName'].entries()) {
        const stored = await eventually(
          () => dynamo.send(new GetCommand({ TableName: TABLE, Key: keys.invitation(poisons[index] as string) })),
          (answer) => answer.Item?.delivery?.status === 'FAILED',
          5_000,
        );
        expect(stored.Item?.delivery).toMatchObject({ status: 'FAILED', failure: `InvalidItem:${field}` });
      }
    } finally {
      dynamo.destroy();
    }
  }, 60_000);

  it('in sandbox mode holds emails to unverified recipients; once verified, `npm run redrive` sends each once', async () => {
    const who = await owner(runner, 'sandbox');
    await control(runner, '/faults', { rates: {}, next: [] });
    await control(runner, '/sandbox', { enabled: true, verified: ['olive@example.com'] });
    const addresses = ['unverified-1@example.com', 'unverified-2@example.com'];
    const ids = await inviteAll(runner, who, addresses);
    for (const id of ids.values()) {
      const held = await eventually(
        () => http(runner, 'GET', `/api/invitations/${id}`, { token: who.token }),
        (answer) => answer.body.delivery?.status === 'HELD',
        10_000,
      );
      expect(held.body.delivery, id).toMatchObject({ status: 'HELD', failure: 'IdentityNotVerified' });
    }
    expect([...byRecipient(await emails(runner)).keys()].filter((to) => addresses.includes(to))).toEqual([]);

    await control(runner, '/sandbox', { enabled: true, verified: ['olive@example.com', ...addresses] });
    const redrive = await redriveCommand(runner);
    expect(redrive.code).toBe(0);
    expect(JSON.parse(redrive.output.trim().split('\n').pop() as string)).toMatchObject({ requeued: 2 });
    await emailedAll(runner, addresses, 10_000);

    // Re-driving again sends nothing: both are SENT now. (Failed ones would be tried again: the
    // poison records of the test before are, and fail again.)
    const again = await redriveCommand(runner, '--held');
    expect(JSON.parse(again.output.trim().split('\n').pop() as string)).toMatchObject({ requeued: 0, held: 0 });
    await consumedStreamEnd(runner, 'stream-position.json');
    const counts = byRecipient(await emails(runner));
    for (const address of addresses) expect(counts.get(address), address).toBe(1);
    await control(runner, '/sandbox', { enabled: false });
  }, 60_000);

  it('refuses malformed fault settings with a reason and keeps the ones it had', async () => {
    const response = await fetch(`${runner.sesFaults}/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rates: { meteor: 0.5 } }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toMatch(/unknown fault "meteor"/);
  });
});

describe('a crash while sends are in flight', () => {
  const dataDir = newDataDir();
  afterAll(() => removeDataDir(dataDir));

  it('SIGKILL of every process with SES stalled: after a restart on the same data every email goes out, none stays SENDING', async () => {
    const first = await startRunner({ dataDir, env: RUNNER_ENV });
    let second: Runner | undefined;
    try {
      await control(first, '/faults', { rates: { hang: 1 } });
      const who = await owner(first, 'crash');
      const addresses = ['crash-1@example.com', 'crash-2@example.com', 'crash-3@example.com'];
      const ids = [...(await inviteAll(first, who, addresses)).values()];
      await eventually(
        () => Promise.all(ids.map((id) => http(first, 'GET', `/api/invitations/${id}`, { token: who.token }))),
        (answers) => answers.some((answer) => answer.body.delivery?.status === 'SENDING'),
        10_000,
      );
      const accepted = (await faultCounts(first)).accepted as number;

      first.child.kill('SIGKILL');
      for (const line of leftoverProcesses(dataDir, first.ports.ses)) {
        process.kill(Number(line.trim().split(/\s+/)[0]), 'SIGKILL');
      }
      await first.exited;

      second = await startRunner({ dataDir, ports: first.ports, env: RUNNER_ENV });
      const restarted = Date.now();
      const received = await emailedAll(second, addresses, LEASE_MS + 30_000);
      expect(Date.now() - restarted).toBeLessThan(LEASE_MS + 30_000);
      const duplicates = addresses.reduce((sum, address) => sum + ((received.get(address) ?? 0) - 1), 0);
      expect(duplicates).toBeLessThanOrEqual(accepted);
      for (const id of ids) {
        const answer = await eventually(
          () => http(second as Runner, 'GET', `/api/invitations/${id}`, { token: who.token }),
          (value) => value.body.delivery?.status === 'SENT',
          10_000,
        );
        expect(answer.body.delivery.status, id).toBe('SENT');
      }
    } finally {
      await second?.stop();
      await first.stop();
    }
  }, 180_000);
});

/** `npm run redrive` as a developer runs it beside `npm start`: same ports, same data directory. */
async function redriveCommand(runner: Runner, ...args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/redrive.ts', ...args], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(runner.ports.api),
      DYNAMODB_PORT: String(runner.ports.dynamo),
      LOCAL_DATA_DIR: runner.dataDir,
      POWERTOOLS_LOG_LEVEL: 'ERROR',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  const [code] = await once(child, 'exit');
  return { code: code as number | null, output };
}
