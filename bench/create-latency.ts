/**
 * `npm run bench:create`: how much of creating an invitation is the transaction itself.
 *
 * Starts the whole local service in this process (what `npm start` runs: the gateway, the real
 * handlers, DynamoDB Local, the stream pollers, the SES emulator), on free ports with a temporary
 * data directory, then, interleaved one request at a time so that machine noise hits both alike:
 * - POST /api/workspaces/{id}/invitations through the local gateway, by one inviter into one
 *   workspace (warm: the function remembers the workspace and the inviter's membership);
 * - the bare TransactWriteItems of the same items (the workspace's version check and pending
 *   count, the inviter's role check, the email allowance, the invitation and its address claim),
 *   built by the store's own code and sent on a DynamoDB client of its own, with no read, no
 *   HTTP and no handler around it.
 * Prints the p50 and p90 of each and the ratio of the p50s (target: ≤ 1.3 × warm).
 *
 *   npm run bench:create                      # 300 of each
 *   BENCH_CREATES=1000 npm run bench:create
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Caller } from '../functions/domain/permissions';
import { freePort, localDynamoClient } from '../local/dynamodb-local';
import { loadOrCreateKey, mintToken } from '../local/identity';
import { startLocalService } from '../local/runner';
import { loadSettings } from '../local/settings';

const creates = Number(process.env.BENCH_CREATES ?? 300);
const WARM_UP = 30;

const dataDir = mkdtempSync(join(tmpdir(), 'bench-create-'));
Object.assign(process.env, {
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  POWERTOOLS_LOG_LEVEL: 'ERROR',
  // One inviter creates every invitation: neither the daily allowance nor the pending limit may stop it.
  INVITATION_EMAILS_PER_USER_PER_DAY: String(10 * creates + 1000),
  PENDING_INVITATIONS_PER_WORKSPACE: String(10 * creates + 1000),
});
const settings = loadSettings({
  ...process.env,
  PORT: String(await freePort()),
  DYNAMODB_PORT: String(await freePort()),
  SES_PORT: String(await freePort()),
  SES_FAULTS_PORT: String(await freePort()),
  LOCAL_DATA_DIR: dataDir,
  REQUEST_LOG: 'off',
});
const service = await startLocalService(settings, { log: () => undefined });

try {
  // Imported once the service has set the handlers' environment.
  const { stores } = await import('../functions/services');
  const { Table } = await import('../functions/store/dynamo/table');
  const { DynamoInvitationStore } = await import('../functions/store/invitation-store');
  const { DEFAULT_WORKSPACE_LIMITS } = await import('../functions/domain/workspace');
  const { newInvitation } = await import('../functions/use-cases/new-invitation');
  const { emailAllowanceCharge } = await import('../functions/use-cases/email-allowance');

  const key = await loadOrCreateKey(settings.dataDir);
  const sub = `bench-inviter-${randomUUID()}`;
  const token = await mintToken(key, { sub, email: `${sub}@example.com`, name: 'Bench' });
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const api = service.urls.api.replace(/\/api\/?$/, '');
  const made = await fetch(`${api}/api/workspaces`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ name: 'Bench' }),
  });
  if (made.status !== 201) throw new Error(`creating the workspace answered ${made.status}: ${await made.text()}`);
  const workspaceId = ((await made.json()) as { id: string }).id;

  const viaGateway = async () => {
    const response = await fetch(`${api}/api/workspaces/${workspaceId}/invitations`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ email: `g-${randomUUID()}@example.com` }),
    });
    if (response.status !== 202) throw new Error(`create answered ${response.status}: ${await response.text()}`);
    await response.arrayBuffer();
  };

  // The bare transaction: the store's own write builders on a client of its own.
  const { workspace, member } = await stores.workspaces.getWorkspaceAndMember(workspaceId, sub);
  if (!workspace || !member) throw new Error('the bench workspace was not found');
  const bareClient = DynamoDBDocumentClient.from(localDynamoClient(service.urls.dynamo), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const bare = new DynamoInvitationStore(new Table(bareClient, settings.tableName), {
    ...DEFAULT_WORKSPACE_LIMITS,
    pendingInvitationsPerWorkspace: Number(process.env.PENDING_INVITATIONS_PER_WORKSPACE),
  });
  const caller: Caller = { userId: sub, name: 'Bench', isSystemAdmin: false };
  const bareTransaction = () => {
    const now = new Date();
    const email = `b-${randomUUID()}@example.com`;
    const invitation = newInvitation({ workspace, member, caller, email, role: 'MEMBER' }, now);
    return bare.createInvitation(
      invitation,
      { workspaceId, userId: sub, roles: ['OWNER', 'ADMIN', 'MEMBER'], joinedAt: member.joinedAt },
      workspace.lastModified,
      now,
      emailAllowanceCharge(caller, now, Number(process.env.INVITATION_EMAILS_PER_USER_PER_DAY)),
    );
  };

  const time = async (operation: () => Promise<unknown>) => {
    const started = performance.now();
    await operation();
    return performance.now() - started;
  };
  for (let i = 0; i < WARM_UP; i++) {
    await viaGateway();
    await bareTransaction();
  }
  const gateway: number[] = [];
  const transaction: number[] = [];
  for (let i = 0; i < creates; i++) {
    // Alternate which goes first, so that neither always follows the other's leftovers.
    if (i % 2) {
      gateway.push(await time(viaGateway));
      transaction.push(await time(bareTransaction));
    } else {
      transaction.push(await time(bareTransaction));
      gateway.push(await time(viaGateway));
    }
  }
  bareClient.destroy();

  const g50 = percentile(gateway, 50);
  const t50 = percentile(transaction, 50);
  console.log(
    `bench:create, ${creates} of each, interleaved after ${WARM_UP} unreported; ${cpus().length} × ${cpus()[0]?.model.trim()}, Node ${process.version}`,
  );
  console.log(
    `create through the local gateway (warm)   p50 ${g50.toFixed(2)} ms   p90 ${percentile(gateway, 90).toFixed(2)} ms`,
  );
  console.log(
    `bare TransactWriteItems, same items       p50 ${t50.toFixed(2)} ms   p90 ${percentile(transaction, 90).toFixed(2)} ms`,
  );
  console.log(`ratio of the p50s: ${(g50 / t50).toFixed(2)} × (target ≤ 1.3 ×)`);
} finally {
  await service.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}
