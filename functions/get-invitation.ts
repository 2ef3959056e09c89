import { invitationResource } from './http/hal';
import { httpHandler } from './http/wrapper';
import { getInvitation } from './routes';
import { invitations } from './services';

export const handler = httpHandler(getInvitation, async ({ caller, params, baseUrl }) => {
  const view = await invitations.get(caller, params.invitationId);
  return { status: 200, body: invitationResource(view, baseUrl) };
});
