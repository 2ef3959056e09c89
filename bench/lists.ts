/**
 * `npm run bench:lists`: what one list page costs as its partition grows. Starts DynamoDB Local,
 * writes a small workspace (10 invitations) and a large one (`--invitations N`, default 100,000),
 * each with exactly one ACCEPTED invitation among PENDING ones (a quarter of them expired), all
 * sent by one person per workspace, then reads the first page (20) of each list through the store:
 * DynamoDB requests, index entries and items read, read units by AWS's rules, whether the page is
 * full or empty while a next link exists, and the median time of `--runs` reads; last, large ÷
 * small side by side.
 *
 *   npm run bench:lists -- --invitations 100000 --runs 20
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Invitation } from '../functions/domain/invitation';
import { CapacityMeter } from './billing';
import { benchTable } from './local-table';
import { fmt, printTable } from './print';

const { values: options } = parseArgs({
  options: { invitations: { type: 'string', default: '100000' }, runs: { type: 'string', default: '20' } },
});
const large = Number(options.invitations);
const runs = Number(options.runs);
const TABLE_NAME = 'invitations-lists';
const { raw, stop } = await benchTable(TABLE_NAME);

try {
  // Imported once the environment is set: the store reads its configuration at import.
  const { dynamo: client } = await import('../functions/store/client');
  const { invitationCodec } = await import('../functions/store/codecs/invitation');
  const { listSortKey } = await import('../functions/store/keys');
  const { TABLE } = await import('../functions/store/table-definition');
  const { Table } = await import('../functions/store/dynamo/table');
  const { CursorCodec } = await import('../functions/store/cursor');
  const { DynamoInvitationLists } = await import('../functions/store/invitation-lists');
  const lists = new DynamoInvitationLists(new Table(client, TABLE_NAME), new CursorCodec(randomUUID() + randomUUID()));
  const now = new Date();

  /** A workspace of `count` invitations by one creator: one ACCEPTED, the rest PENDING, every fourth expired. */
  async function workspaceOf(count: number) {
    const workspaceId = randomUUID();
    const creatorId = randomUUID();
    const items = Array.from({ length: count }, (_, n) => {
      const created = new Date(now.getTime() - (count - n) * 60_000);
      const expiresAt = new Date(created.getTime() + (n % 4 === 0 ? 1 : 8 * 86_400_000)).toISOString();
      const invitation: Invitation = {
        id: randomUUID(),
        workspaceId,
        workspaceName: 'Bench',
        workspaceAlias: 'bench',
        email: `i${n}-${workspaceId.slice(0, 8)}@example.com`,
        role: 'MEMBER',
        status: 'PENDING',
        creatorId,
        creatorName: 'Bench',
        created: created.toISOString(),
        lastModified: created.toISOString(),
        expiresAt,
        tokenVersion: 1,
        sendCount: 1,
      } as Invitation;
      const item = invitationCodec.toItem(invitation, created.toISOString());
      if (n !== Math.floor(count / 2)) return item;
      const { [TABLE.indexes.byExpiry.partitionKey]: _p, [TABLE.indexes.byExpiry.sortKey]: _s, ...accepted } = item;
      return {
        ...accepted,
        status: 'ACCEPTED',
        [TABLE.indexes.byWorkspace.sortKey]: listSortKey('ACCEPTED', expiresAt),
      };
    });
    const batches: Record<string, unknown>[][] = [];
    for (let start = 0; start < items.length; start += 25) batches.push(items.slice(start, start + 25));
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < batches.length) {
          const batch = batches[next++] as Record<string, unknown>[];
          let pending = { [TABLE_NAME]: batch.map((Item) => ({ PutRequest: { Item } })) };
          while (pending[TABLE_NAME]?.length) {
            const written = await client.send(new BatchWriteCommand({ RequestItems: pending }));
            pending = (written.UnprocessedItems ?? {}) as typeof pending;
          }
        }
      }),
    );
    return { workspaceId, creatorId };
  }

  const started = performance.now();
  const small = await workspaceOf(10);
  const big = await workspaceOf(large);
  console.log(`wrote ${large + 10} invitations in ${((performance.now() - started) / 1000).toFixed(0)} s\n`);

  let scanned = 0;
  client.middlewareStack.add(
    (next) => async (args) => {
      const output = await next(args);
      const result = output.output as { ScannedCount?: number; Responses?: Record<string, unknown[]> };
      scanned += result.ScannedCount ?? Object.values(result.Responses ?? {}).flat().length;
      return output;
    },
    { step: 'initialize', name: 'scannedCounter' },
  );
  const meter = new CapacityMeter(client, raw, TABLE_NAME);

  const cases: [
    string,
    (space: { workspaceId: string; creatorId: string }) => Promise<{ items: unknown[]; nextCursor?: string }>,
  ][] = [
    ['workspace, all', (s) => lists.listWorkspaceInvitations(s.workspaceId, {}, { size: 20 }, now)],
    [
      'workspace, ?status=ACCEPTED (1 match)',
      (s) => lists.listWorkspaceInvitations(s.workspaceId, { status: 'ACCEPTED' }, { size: 20 }, now),
    ],
    [
      'workspace, ?status=PENDING',
      (s) => lists.listWorkspaceInvitations(s.workspaceId, { status: 'PENDING' }, { size: 20 }, now),
    ],
    [
      'workspace, ?status=EXPIRED',
      (s) => lists.listWorkspaceInvitations(s.workspaceId, { status: 'EXPIRED' }, { size: 20 }, now),
    ],
    [
      "workspace, a MEMBER's own, ?status=ACCEPTED",
      (s) =>
        lists.listWorkspaceInvitations(
          s.workspaceId,
          { status: 'ACCEPTED', creatorId: s.creatorId },
          { size: 20 },
          now,
        ),
    ],
    ['sent, all', (s) => lists.listSentInvitations(s.creatorId, {}, { size: 20 }, now)],
    [
      'sent, ?status=ACCEPTED (1 match)',
      (s) => lists.listSentInvitations(s.creatorId, { status: 'ACCEPTED' }, { size: 20 }, now),
    ],
  ];
  const rows: string[][] = [];
  for (const [name, list] of cases) {
    const measured: Record<
      string,
      { ms: number; requests: number; read: number; rru: number; shown: number; next: boolean }
    > = {};
    for (const [label, space] of [
      ['small', small],
      ['large', big],
    ] as const) {
      scanned = 0;
      const [page, capacity] = await meter.measure(() => list(space));
      const read = scanned;
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t = performance.now();
        await list(space);
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      measured[label] = {
        ms: times[Math.floor(times.length / 2)] as number,
        requests: capacity.requests,
        read,
        rru: capacity.aws.read,
        shown: page.items.length,
        next: page.nextCursor !== undefined,
      };
    }
    const { small: s, large: l } = measured as Record<'small' | 'large', (typeof measured)[string]>;
    rows.push([
      name,
      `${l.requests} (${s.requests})`,
      `${l.read} (${s.read})`,
      `${fmt(l.rru)} (${fmt(s.rru)})`,
      `${l.shown}${l.next ? ' + next' : ''} (${s.shown}${s.next ? ' + next' : ''})`,
      `${l.ms.toFixed(1)} (${s.ms.toFixed(1)})`,
      `${(l.ms / s.ms).toFixed(2)} ×`,
    ]);
  }
  console.log(`first page (20) at ${large} invitations, (at 10) beside; p50 of ${runs} reads`);
  printTable(['list', 'requests', 'entries + items read', 'RRU AWS rules', 'shown', 'p50 ms', 'large ÷ small'], rows);
  raw.destroy();
} finally {
  await stop();
}
