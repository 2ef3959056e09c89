/**
 * The service called from a product's code: create a workspace, invite someone, list what is
 * pending page by page, withdraw through the invitation's own link.
 * INVITATIONS_API_URL and INVITATIONS_TOKEN say where and as whom.
 */
import { createInvitationsClient, type Invitation, ProblemError } from 'invitations-service/client';

const client = createInvitationsClient({
  baseUrl: process.env.INVITATIONS_API_URL ?? 'http://localhost:3000/',
  token: () => process.env.INVITATIONS_TOKEN,
});

const workspace = await client.ok(client.api.POST('/api/workspaces', { body: { name: 'Acme Research' } }));
for (const email of ['bob@example.com', 'carol@example.com', 'dan@example.com']) {
  await client.ok(
    client.api.POST('/api/workspaces/{workspaceId}/invitations', {
      params: { path: { workspaceId: workspace.id } },
      body: { email, role: 'MEMBER' },
    }),
  );
}

const pending: Invitation[] = [];
const first = client.api.GET('/api/workspaces/{workspaceId}/invitations', {
  params: { path: { workspaceId: workspace.id }, query: { status: 'PENDING', size: 2 } },
});
for await (const page of client.pages(first)) pending.push(...page._embedded.invitations);

const [withdrawn] = pending;
if (!withdrawn) throw new Error('no pending invitation');
const revoked: Invitation = await client.follow(withdrawn, 'withdraw invitation');

let refusal: ProblemError | undefined;
try {
  await client.ok(
    client.api.POST('/api/workspaces/{workspaceId}/invitations', {
      params: { path: { workspaceId: workspace.id } },
      body: { email: 'not an address' },
    }),
  );
} catch (error) {
  if (!(error instanceof ProblemError)) throw error;
  refusal = error;
}

console.log(
  JSON.stringify({
    workspace: workspace.id,
    pending: pending.map((invitation) => invitation.email).sort(),
    revoked: revoked.status,
    refusal: refusal && { status: refusal.status, fields: refusal.errors.map((error) => error.path) },
  }),
);
