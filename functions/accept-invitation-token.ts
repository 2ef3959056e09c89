import { linkTokens } from './email/token-key';
import { invitationResource } from './http/hal';
import { httpHandler } from './http/wrapper';
import { acceptInvitationToken } from './routes';
import { invitations } from './services';

export const handler = httpHandler(acceptInvitationToken, async ({ caller, params, baseUrl }) => {
  const view = await invitations.acceptByLink(caller, params.token, await linkTokens(params.token));
  return { status: 200, body: invitationResource(view, baseUrl), headers: { 'cache-control': 'no-store' } };
});
