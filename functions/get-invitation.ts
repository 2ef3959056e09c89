import { invitationResource } from './http/hal';
import { httpHandler } from './http/wrapper';
import { route } from './routes';
import { invitations } from './services';

export const handler = httpHandler(route('get-invitation'), async ({ caller, params, baseUrl }) => {
  const view = await invitations.get(caller, params.invitationId);
  return { status: 200, body: invitationResource(view, baseUrl) };
});
