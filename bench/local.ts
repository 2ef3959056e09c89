/**
 * `npm run bench:local`: load on the service `npm start` runs (same PORT, SES_PORT and
 * LOCAL_DATA_DIR). Measures, with autocannon, requests/s and latency percentiles for creating,
 * listing and accepting invitations, and separately the time from a create to its email being in
 * the SES emulator's store, idle and under a steady load (BENCH_EMAIL_RATE creates/s, default 10),
 * and the emails per second the sender sustains while it works off the load phases' backlog.
 * BENCH_SECONDS (default 10) and BENCH_CONNECTIONS (default 10) tune it.
 */

import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { cpus, totalmem } from 'node:os';
import { createInvitationsClient } from '../client/index';
import { loadOrCreateKey, mintToken } from '../local/identity';
import { loadSettings } from '../local/settings';

interface Histogram {
  average: number;
  p50: number;
  p99: number;
  max: number;
}
interface Result {
  requests: Histogram & { total: number };
  latency: Histogram;
  duration: number;
  non2xx: number;
  errors: number;
  statusCodeStats: Record<string, { count: number }>;
}
interface RawRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
}
interface Options {
  url: string;
  connections: number;
  /** Requests per second across all connections. */
  overallRate?: number;
  duration?: number;
  amount?: number;
  headers?: Record<string, string>;
  method?: string;
  requests?: Array<
    RawRequest & {
      setupRequest?: (request: RawRequest, context: Record<string, string>) => RawRequest | undefined;
      onResponse?: (status: number, body: string, context: Record<string, string>) => void;
    }
  >;
}
const autocannon = createRequire(import.meta.url)('autocannon') as (options: Options) => Promise<Result>;

const settings = loadSettings();
const api = `http://localhost:${settings.port}`;
const store = `http://localhost:${settings.sesPort}`;
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
/** Creates per second in the steady email phase: a load the sender keeps up with. */
const emailRate = Number(process.env.BENCH_EMAIL_RATE ?? 10);
/** The local stream poller's wait after a read that found nothing (local/stream-poller.ts). */
const POLL_INTERVAL_MS = 250;
const run = randomUUID().slice(0, 8);
const json = { 'content-type': 'application/json' };

/** The service's own client, as the given caller. */
const as = (token: string) => createInvitationsClient({ baseUrl: api, token });

async function invite(token: string, workspaceId: string, email: string): Promise<void> {
  const client = as(token);
  await client.ok(
    client.api.POST('/api/workspaces/{workspaceId}/invitations', {
      params: { path: { workspaceId } },
      body: { email },
    }),
  );
}

function report(name: string, result: Result): void {
  const ok = Object.entries(result.statusCodeStats)
    .map(([status, { count }]) => `${status}×${count}`)
    .join(' ');
  console.log(
    `${name.padEnd(8)} ${result.requests.average.toFixed(0).padStart(6)} req/s   p50 ${String(result.latency.p50).padStart(4)} ms   p99 ${String(result.latency.p99).padStart(4)} ms   (${result.requests.total} requests in ${result.duration} s, ${ok}${result.errors ? `, ${result.errors} errors` : ''})`,
  );
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

/** Creates an invitation and resolves with the milliseconds until its email is in the store. */
async function createAndAwaitEmail(ownerToken: string, workspaceId: string, address: string, timeoutMs: number) {
  const since = Math.floor(Date.now() / 1000) - 1;
  const started = performance.now();
  await invite(ownerToken, workspaceId, address);
  for (;;) {
    const { emails } = (await (await fetch(`${store}/store?since=${since}`)).json()) as {
      emails: Array<{ destination: { to: string[] } }>;
    };
    if (emails.some((email) => email.destination.to.includes(address))) return performance.now() - started;
    if (performance.now() - started > timeoutMs) throw new Error(`no email to ${address} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Emails go out in stream order: once a fresh invitation's email is out, every earlier one is. */
async function drainEmails(ownerToken: string, workspaceId: string): Promise<number> {
  return createAndAwaitEmail(ownerToken, workspaceId, `drain-${randomUUID()}@example.com`, 15 * 60_000);
}

/**
 * Watches the SES store and notes when each address's first email appears, until stopped.
 * Polling every 20 ms adds at most that much to each latency it measures.
 */
function watchArrivals(sinceSeconds: number) {
  const arrived = new Map<string, number>();
  let watching = true;
  const done = (async () => {
    while (watching) {
      const { emails } = (await (await fetch(`${store}/store?since=${sinceSeconds}`)).json()) as {
        emails: Array<{ destination: { to: string[] } }>;
      };
      const now = performance.now();
      for (const email of emails) for (const to of email.destination.to) if (!arrived.has(to)) arrived.set(to, now);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  return {
    arrived,
    stop: async () => {
      watching = false;
      await done;
    },
  };
}

/** Emails the store received between two moments (epoch ms); the store keeps whole seconds. */
async function emailsBetween(fromMs: number, toMs: number): Promise<number> {
  const from = Math.floor(fromMs / 1000);
  const { emails } = (await (await fetch(`${store}/store?since=${from}`)).json()) as { emails: Array<{ at: number }> };
  return emails.filter((email) => email.at >= from && email.at <= Math.ceil(toMs / 1000)).length;
}

async function emailCount(sinceSeconds: number): Promise<number> {
  const { emails } = (await (await fetch(`${store}/store?since=${sinceSeconds}`)).json()) as { emails: unknown[] };
  return emails.length;
}

async function main(): Promise<void> {
  const key = await loadOrCreateKey(settings.dataDir);
  const owner = await mintToken(key, { sub: `bench-owner-${run}`, email: `owner-${run}@example.com`, name: 'Bench' });
  const auth = (token: string) => ({ authorization: `Bearer ${token}` });
  const workspace = await as(owner).ok(as(owner).api.POST('/api/workspaces', { body: { name: `Bench ${run}` } }));
  await fetch(`${store}/clear-store`, { method: 'POST' });

  console.log(`bench:local against ${api} (${seconds} s per phase, ${connections} connections)`);
  console.log(
    `machine: ${cpus().length} × ${cpus()[0]?.model.trim()}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}\n`,
  );

  // On a quiet service first, so the emails measured do not queue behind the load phases' emails
  // (nor behind those of an earlier run still going out).
  await drainEmails(owner, workspace.id);
  const latencies: number[] = [];
  for (let i = 0; i < 30; i++) {
    latencies.push(await createAndAwaitEmail(owner, workspace.id, `latency-${run}-${i}@example.com`, 30_000));
  }

  // Create → email under a steady load the sender keeps up with: each create's 202 to its email.
  const steadyStarted = Math.floor(Date.now() / 1000) - 1;
  const watcher = watchArrivals(steadyStarted);
  const createdAt = new Map<string, number>();
  let steady = 0;
  const steadyLoad = await autocannon({
    url: api,
    connections,
    overallRate: emailRate,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        setupRequest: (request, context) => {
          context.address = `steady-${run}-${steady++}@example.com`;
          return {
            ...request,
            headers: { ...auth(owner), ...json },
            path: `/api/workspaces/${workspace.id}/invitations`,
            body: JSON.stringify({ email: context.address }),
          };
        },
        onResponse: (status, _body, context) => {
          if (status === 202) createdAt.set(context.address as string, performance.now());
        },
      },
    ],
  });
  const waitUntil = performance.now() + 30_000;
  while ([...createdAt.keys()].some((address) => !watcher.arrived.has(address)) && performance.now() < waitUntil) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await watcher.stop();
  const steadyLatencies = [...createdAt].flatMap(([address, at]) => {
    const arrival = watcher.arrived.get(address);
    return arrival === undefined ? [] : [arrival - at];
  });
  const loadStarted = Math.floor(Date.now() / 1000);

  // Each connection invites as a person of its own, as many users of a real deployment would (and
  // as the daily email allowance, counted per person, expects). First every inviter in a workspace
  // of their own, then all of them, as ADMINs, in one workspace: every create's transaction checks
  // that workspace's items, so the second run shows creates that share them.
  const inviters = await Promise.all(
    Array.from({ length: connections }, async (_, i) => {
      const email = `inviter-${run}-${i}@example.com`;
      const token = await mintToken(key, { sub: `bench-inviter-${run}-${i}`, email, name: `Inviter ${i}` });
      const inviter = as(token);
      const own = await inviter.ok(inviter.api.POST('/api/workspaces', { body: { name: `Bench ${run} ${i}` } }));
      const invitation = await as(owner).ok(
        as(owner).api.POST('/api/workspaces/{workspaceId}/invitations', {
          params: { path: { workspaceId: workspace.id } },
          body: { email, role: 'ADMIN' },
        }),
      );
      await inviter.ok(
        inviter.api.PATCH('/api/invitations/{invitationId}', { params: { path: { invitationId: invitation.id } } }),
      );
      return { token, workspaceId: own.id };
    }),
  );
  let next = 0;
  let assigned = 0;
  /** Every created invitation, with the token of someone who may read it. */
  const invitees: { id: string; readableBy: string }[] = [];
  const createIn = (workspaceOf: (inviter: (typeof inviters)[number]) => string) =>
    autocannon({
      url: api,
      connections,
      duration: seconds,
      requests: [
        {
          method: 'POST',
          setupRequest: (request, context) => {
            next += 1;
            context.inviter ??= String(assigned++ % inviters.length);
            const inviter = inviters[Number(context.inviter)] as (typeof inviters)[number];
            return {
              ...request,
              headers: { ...auth(inviter.token), ...json },
              path: `/api/workspaces/${workspaceOf(inviter)}/invitations`,
              body: JSON.stringify({ email: `invitee-${run}-${next}@example.com` }),
            };
          },
          onResponse: (status, body, context) => {
            const inviter = inviters[Number(context.inviter)] as (typeof inviters)[number];
            if (status === 202) invitees.push({ id: JSON.parse(body).id, readableBy: inviter.token });
          },
        },
      ],
    });
  // A short unreported round first, so that the JIT of Node and of DynamoDB Local is warm.
  await autocannon({
    url: api,
    connections,
    duration: Math.min(3, seconds),
    method: 'GET',
    headers: auth(owner),
    requests: [{ path: `/api/workspaces/${workspace.id}/invitations?size=20` }],
  });
  const createsStarted = Date.now();
  const created = await createIn((inviter) => inviter.workspaceId);
  const createdInOne = await createIn(() => workspace.id);
  const createsEnded = Date.now();
  // What the sender sent while the creates ran: under this load it keeps up (or not) with them.
  const sentDuringCreates = await emailsBetween(createsStarted, createsEnded);

  const listed = await autocannon({
    url: api,
    connections,
    duration: seconds,
    method: 'GET',
    headers: auth(owner),
    requests: [{ path: `/api/workspaces/${workspace.id}/invitations?size=20` }],
  });

  // Each accept needs its own pending invitation and a token for its invitee.
  const accepts = invitees.slice(0, 3000);
  const pending = await Promise.all(
    accepts.map(async ({ id, readableBy }) => {
      const reader = as(readableBy);
      const invitation = await reader.ok(
        reader.api.GET('/api/invitations/{invitationId}', { params: { path: { invitationId: id } } }),
      );
      const token = await mintToken(key, { sub: `invitee-${id}`, email: invitation.email });
      return { id, token };
    }),
  );
  let taken = 0;
  const accepted = await autocannon({
    url: api,
    connections,
    amount: pending.length,
    requests: [
      {
        method: 'PATCH',
        setupRequest: (request) => {
          const item = pending[taken++ % pending.length] as { id: string; token: string };
          return { ...request, path: `/api/invitations/${item.id}`, headers: auth(item.token) };
        },
      },
    ],
  });

  console.log('');
  report('create', created);
  report('create¹', createdInOne);
  report('list', listed);
  report('accept', accepted);
  console.log(
    `email    p50 ${percentile(latencies, 50).toFixed(0)} ms   p99 ${percentile(latencies, 99).toFixed(0)} ms from create (202) to the email in the SES store (${latencies.length} sequential samples, idle service)`,
  );
  const p50 = percentile(steadyLatencies, 50);
  console.log(
    `email¹   p50 ${p50.toFixed(0)} ms   p99 ${percentile(steadyLatencies, 99).toFixed(0)} ms from create (202) to the email in the SES store, ${steadyLatencies.length} of ${createdAt.size} creates at ${emailRate}/s for ${seconds} s (${steadyLoad.non2xx} non-2xx)`,
  );
  console.log(
    `         the poller's ${POLL_INTERVAL_MS} ms wait after an empty read explains on average ${POLL_INTERVAL_MS / 2} ms of it (${((POLL_INTERVAL_MS / 2 / p50) * 100).toFixed(0)} % of p50)`,
  );
  const drainStarted = performance.now();
  await drainEmails(owner, workspace.id);
  const backlog = (performance.now() - drainStarted) / 1000;
  const sent = await emailCount(loadStarted);
  console.log(
    `emails   ${sent} sent for the load phases' invitations (none for those accepted before their turn came); the stream was caught up ${backlog.toFixed(0)} s after the phases ended`,
  );
  const createSeconds = (createsEnded - createsStarted) / 1000;
  console.log(
    `         the sender sent ${(sentDuringCreates / createSeconds).toFixed(1)} emails/s while the create phases made ${((created.requests.total + createdInOne.requests.total) / createSeconds).toFixed(1)} invitations/s`,
  );
  console.log('¹ create¹: all connections create in the same workspace; email¹: a steady load below capacity');
}

main().catch((error: unknown) => {
  console.error(`bench:local failed: ${error instanceof Error ? error.message : String(error)}`);
  console.error('Is the service running? Start it with `npm start` (same PORT, SES_PORT and LOCAL_DATA_DIR).');
  process.exit(1);
});
