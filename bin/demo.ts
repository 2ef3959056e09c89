/**
 * `npm run demo`: a short walkthrough against the service `npm start` runs: create a workspace,
 * invite someone, watch the email arrive, open its link's preview and accept through it.
 */
import { randomUUID } from 'node:crypto';
import { createInvitationsClient, type MemberCollection } from '../client/index';
import { loadOrCreateKey, mintToken } from '../local/identity';
import { loadSettings } from '../local/settings';

const settings = loadSettings();
const api = `http://localhost:${settings.port}`;
const inbox = `http://localhost:${settings.sesPort}`;
let step = 0;

function say(title: string, detail?: unknown): void {
  step += 1;
  console.log(`\n${step}. ${title}`);
  if (detail !== undefined)
    console.log(typeof detail === 'string' ? `   ${detail}` : indent(JSON.stringify(detail, null, 2)));
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `   ${line}`)
    .join('\n');
}

interface StoredEmail {
  destination: { to: string[] };
  subject: string;
  body: { text?: string; html?: string };
  at: number;
}

async function waitForEmail(address: string, since: number): Promise<StoredEmail> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const { emails } = (await (await fetch(`${inbox}/store?since=${since}`)).json()) as { emails: StoredEmail[] };
    const email = emails.find((candidate) => candidate.destination.to.some((to) => to.includes(address)));
    if (email) return email;
    if (Date.now() > deadline) throw new Error(`no email to ${address} arrived within 15 s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function main(): Promise<void> {
  try {
    await fetch(`${api}/api/openapi.json`);
  } catch {
    console.error(
      `Nothing answers at ${api}. Start the service first with \`npm start\` (same PORT and LOCAL_DATA_DIR).`,
    );
    process.exit(1);
  }
  const run = randomUUID().slice(0, 8);
  const key = await loadOrCreateKey(settings.dataDir);
  const alice = { sub: `alice-${run}`, email: `alice-${run}@example.com`, name: 'Alice Owner' };
  const bob = { sub: `bob-${run}`, email: `bob-${run}@example.com`, name: 'Bob Invitee' };
  const asAlice = createInvitationsClient({ baseUrl: api, token: await mintToken(key, alice) });
  const asBob = createInvitationsClient({ baseUrl: api, token: await mintToken(key, bob) });
  const anyone = createInvitationsClient({ baseUrl: api });
  say('Tokens minted by the local identity (as `npm run token` does)', `${alice.email} and ${bob.email}`);

  const workspace = await asAlice.ok(asAlice.api.POST('/api/workspaces', { body: { name: `Demo workspace ${run}` } }));
  say(`Alice creates a workspace: POST /api/workspaces → ${workspace.id}`, {
    name: workspace.name,
    role: workspace.role,
  });

  const since = Math.floor(Date.now() / 1000) - 1;
  const invitation = await asAlice.ok(
    asAlice.api.POST('/api/workspaces/{workspaceId}/invitations', {
      params: { path: { workspaceId: workspace.id } },
      body: { email: bob.email, role: 'MEMBER' },
    }),
  );
  say(`Alice invites Bob: POST /api/workspaces/${workspace.id}/invitations → 202`, {
    id: invitation.id,
    status: invitation.status,
    email: invitation.email,
    expiresAt: invitation.expiresAt,
  });

  const started = Date.now();
  const email = await waitForEmail(bob.email, since);
  const link = /https?:\/\/[^\s"'<>]+token=[^\s"'<>&]+/.exec(email.body.text ?? email.body.html ?? '')?.[0];
  if (!link) throw new Error('the email has no invitation link');
  say(`The email arrives in the local SES outbox after ${Date.now() - started} ms (open ${inbox}/)`, {
    to: email.destination.to,
    subject: email.subject,
    link,
  });

  const token = new URL(link).searchParams.get('token') as string;
  const preview = await anyone.ok(anyone.api.GET('/api/invitation-tokens/{token}', { params: { path: { token } } }));
  const { _links, ...shown } = preview;
  say('Anyone with the link sees a preview, without signing in: GET /api/invitation-tokens/{token}', shown);

  const accepted = await asBob.ok(
    asBob.api.POST('/api/invitation-tokens/{token}/accept', { params: { path: { token } } }),
  );
  say('Bob, signed in, accepts through the link: POST /api/invitation-tokens/{token}/accept', {
    status: accepted.status,
    acceptedAt: accepted.acceptedAt,
  });

  // The workspace's own link to its members, followed as any HAL client would.
  const bobsView = await asBob.ok(
    asBob.api.GET('/api/workspaces/{workspaceId}', { params: { path: { workspaceId: workspace.id } } }),
  );
  const members: MemberCollection = await asBob.follow(bobsView, 'members');
  say(
    `Bob is now a member: GET /api/workspaces/${workspace.id}/members`,
    members._embedded.members.map((member) => `${member.userId} (${member.role})`),
  );
  console.log(`\nDone. Explore the rest at ${api}/docs/`);
  // fetch keeps idle connections open for seconds after the last answer; nothing is left to wait for.
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(`\nThe demo stopped: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
