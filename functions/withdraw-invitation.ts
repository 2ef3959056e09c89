import { invitationResource } from './http/hal';
import { httpHandler } from './http/wrapper';
import { withdrawInvitation } from './routes';
import { invitations } from './services';

export const handler = httpHandler(withdrawInvitation, async ({ caller, params, baseUrl }) => {
  const view = await invitations.withdraw(caller, params.invitationId);
  return { status: 200, body: invitationResource(view, baseUrl) };
});
