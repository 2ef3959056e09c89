import { invitationResource } from './http/hal';
import { httpHandler } from './http/wrapper';
import { declineInvitation } from './routes';
import { invitations } from './services';

export const handler = httpHandler(declineInvitation, async ({ caller, params, baseUrl }) => {
  const view = await invitations.decline(caller, params.invitationId);
  return { status: 200, body: invitationResource(view, baseUrl) };
});
