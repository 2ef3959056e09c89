import { invitationResource } from './http/hal';
import { httpHandler } from './http/wrapper';
import { acceptInvitation } from './routes';
import { invitations } from './services';

export const handler = httpHandler(acceptInvitation, async ({ caller, params, baseUrl }) => {
  const view = await invitations.accept(caller, params.invitationId);
  return { status: 200, body: invitationResource(view, baseUrl) };
});
