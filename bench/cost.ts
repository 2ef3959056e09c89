/**
 * `npm run bench:cost`: what each operation costs in DynamoDB capacity, and what a million
 * invitation lifecycles (create with its email, accept) cost on AWS.
 *
 * Runs the use cases in this process against a DynamoDB Local it starts itself, with every
 * request asking for ReturnConsumedCapacity=INDEXES. Two figures per operation:
 * - "local": the capacity DynamoDB Local reports;
 * - "AWS rules": computed from the items as they really are before and after each write (read
 *   back outside the measurement), by AWS's documented billing rules (bench/billing.ts).
 * Then the cost per 1M lifecycles at the prices in bench/prices.ts, which state their date.
 *
 *   npm run bench:cost
 */
import { randomUUID } from 'node:crypto';
import type { Caller } from '../functions/domain/permissions';
import { type Capacity, CapacityMeter, itemSize } from './billing';
import { benchTable } from './local-table';
import { PRICES, type Prices } from './prices';
import { fmt, printTable } from './print';

const TABLE_NAME = 'invitations-cost';
const { raw, stop } = await benchTable(TABLE_NAME);

try {
  // Imported once the environment is set: the store reads its configuration at import.
  const { dynamo: client } = await import('../functions/store/client');
  const { deliveries, stores } = await import('../functions/services');
  const { Invitations } = await import('../functions/use-cases/invitations');
  const { InvitationListing } = await import('../functions/use-cases/invitation-listing');
  const { Workspaces } = await import('../functions/use-cases/workspaces');
  const { invitationCodec } = await import('../functions/store/codecs/invitation');

  let now = new Date();
  const clock = () => now;
  const invitations = new Invitations(stores, clock);
  const listing = new InvitationListing(stores, clock);
  const workspaces = new Workspaces(stores, clock);
  const meter = new CapacityMeter(client, raw, TABLE_NAME);

  const person = (label: string): Caller => {
    const id = randomUUID();
    return {
      userId: id,
      verifiedEmail: `${label}-${id.slice(0, 8)}@example.com`,
      name: `${label} ${id.slice(0, 4)}`,
      isSystemAdmin: false,
    };
  };
  /** The email sender's two writes for one send: its claim, then SES's answer. */
  const sendEmail = async (invitationId: string, sendNumber: number) => {
    const claim = await deliveries.claimDelivery(invitationId, sendNumber, new Date(now.getTime() + 10_000), now);
    if (!claim.claimed) throw new Error(`the email of ${invitationId} could not be claimed: ${claim.reason}`);
    await deliveries.recordDelivery(invitationId, sendNumber, { status: 'SENT', messageId: randomUUID() }, now);
  };
  const invitationSize = async (id: string) => itemSize(await meter.read(invitationCodec.key(id)));

  const owner = person('owner');
  const { workspace } = await workspaces.create(owner, { name: 'Cost' });
  const sizes: [string, number][] = [];

  const rows: [string, Capacity][] = [];
  const measure = async <T>(name: string, operation: () => Promise<T>): Promise<T> => {
    const [result, capacity] = await meter.measure(operation);
    rows.push([name, capacity]);
    return result;
  };

  await measure('create workspace', () => workspaces.create(person('creator'), { name: 'Another' }));
  const invitee = person('invitee');
  const created = await measure('create invitation (with its email allowance)', () =>
    invitations.create(owner, workspace.id, { email: invitee.verifiedEmail as string }),
  );
  const id = created.invitation.id;
  sizes.push(['created', await invitationSize(id)]);
  // The same inviter again: the function remembers the workspace and the membership it just read.
  await measure('create invitation, warm (its reads remembered)', () =>
    invitations.create(owner, workspace.id, { email: `warm-${randomUUID()}@example.com` }),
  );
  await measure('send its email (claim, then SENT)', () => sendEmail(id, 1));
  sizes.push(['emailed', await invitationSize(id)]);
  now = new Date(now.getTime() + 61_000);
  await measure('resend (with its email allowance)', () => invitations.resend(owner, id));
  await measure('send the resent email', () => sendEmail(id, 2));
  await measure('accept', () => invitations.accept(invitee, id));
  sizes.push(['accepted', await invitationSize(id)]);

  const declined = await invitations.create(owner, workspace.id, { email: `d-${randomUUID()}@example.com` });
  const decliner: Caller = { ...person('decliner'), verifiedEmail: declined.invitation.email };
  await measure('decline', () => invitations.decline(decliner, declined.invitation.id));
  const withdrawn = await invitations.create(owner, workspace.id, { email: `w-${randomUUID()}@example.com` });
  await measure('withdraw a pending invitation', () => invitations.withdraw(owner, withdrawn.invitation.id));
  await measure('withdraw an accepted invitation (removes the member)', () => invitations.withdraw(owner, id));

  for (let i = 0; i < 20; i++)
    await invitations.create(owner, workspace.id, { email: `l${i}-${randomUUID()}@example.com` });
  await measure('list workspace invitations (20)', () =>
    listing.listForWorkspace(owner, workspace.id, undefined, { size: 20 }),
  );
  await measure('list workspace invitations, ?status=ACCEPTED', () =>
    listing.listForWorkspace(owner, workspace.id, 'ACCEPTED', { size: 20 }),
  );
  await measure('list sent invitations (20)', () => listing.listSent(owner, { size: 20 }));
  await measure('list received invitations', () =>
    listing.listReceived(invitee, invitee.verifiedEmail as string, { size: 20 }),
  );
  await measure('list members', () => workspaces.listMembers(owner, workspace.id, { size: 20 }));
  await measure('list workspaces', () => workspaces.listMine(owner, { size: 20 }));

  // Handler time of one lifecycle, unmetered: the use cases in this process against DynamoDB Local.
  const timings = { api: [] as number[], sender: [] as number[] };
  for (let i = 0; i < 20; i++) {
    const someone = person('timed');
    let started = performance.now();
    const made = await invitations.create(owner, workspace.id, { email: someone.verifiedEmail as string });
    timings.api.push(performance.now() - started);
    started = performance.now();
    await sendEmail(made.invitation.id, 1);
    timings.sender.push(performance.now() - started);
    started = performance.now();
    await invitations.accept(someone, made.invitation.id);
    timings.api.push(performance.now() - started);
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

  // A cold create (the reads paid): the lifecycle's cost does not count on the function being warm.
  const lifecycle = ['create invitation (with its email allowance)', 'send its email (claim, then SENT)', 'accept'];
  const total = (pick: (capacity: Capacity) => number) =>
    lifecycle.reduce((sum, name) => sum + pick(rows.find(([row]) => row === name)?.[1] as Capacity), 0);

  const table = rows.map(([name, c]) => [
    name,
    fmt(c.local.write),
    fmt(c.local.read),
    fmt(c.aws.write),
    `${fmt(c.aws.indexWrite)}`,
    fmt(c.aws.read),
    String(c.requests),
  ]);
  printTable(
    ['operation', 'WRU local', 'RRU local', 'WRU AWS rules', 'of which index', 'RRU AWS rules', 'requests'],
    table,
  );
  console.log(`\ninvitation item size (AWS rules): ${sizes.map(([when, bytes]) => `${when} ${bytes} B`).join(', ')}`);
  const wru = total((c) => c.aws.write);
  const rru = total((c) => c.aws.read);
  console.log(
    `\nlifecycle (create → email → accept): ${fmt(wru)} WRU (${fmt(total((c) => c.aws.indexWrite))} of them index writes), ${fmt(rru)} RRU by AWS rules; local: ${fmt(total((c) => c.local.write))} WRU, ${fmt(total((c) => c.local.read))} RRU`,
  );
  printCost(PRICES, wru, rru, { apiMs: median(timings.api), senderMs: median(timings.sender) });
  raw.destroy();
} finally {
  await stop();
}

/**
 * One lifecycle is two API requests (create, accept), each one invocation of a 1024 MB function,
 * and one invocation of the 512 MB email sender (a batch of one: the most it costs), at the median
 * handler times measured above; SES sends one email.
 */
function printCost(prices: Prices, wru: number, rru: number, ms: { apiMs: number; senderMs: number }) {
  const million = 1_000_000;
  const gbSeconds = 2 * (1024 / 1024) * (ms.apiMs / 1000) + (512 / 1024) * (ms.senderMs / 1000);
  const lines: [string, number][] = [
    ['DynamoDB writes', wru * prices.dynamodb.perMillionWriteUnits],
    ['DynamoDB reads', rru * prices.dynamodb.perMillionReadUnits],
    ['API Gateway HTTP API (2 requests)', 2 * prices.apiGateway.perMillionRequests],
    ['Lambda requests (3 invocations)', 3 * prices.lambda.perMillionRequests],
    [
      `Lambda compute, arm64 (${ms.apiMs.toFixed(0)} ms × 2 at 1024 MB, ${ms.senderMs.toFixed(0)} ms at 512 MB)`,
      gbSeconds * million * prices.lambda.perGbSecond,
    ],
    ['SES (1 email)', (million / 1000) * prices.ses.perThousandEmails],
  ];
  console.log(
    `\ncost of 1M lifecycles, ${prices.source}; handler times measured in this process against DynamoDB Local`,
  );
  printTable(
    ['item', 'USD'],
    [
      ...lines.map(([item, usd]) => [item, usd.toFixed(2)]),
      ['total', lines.reduce((sum, [, usd]) => sum + usd, 0).toFixed(2)],
    ],
  );
}
