import { httpHandler } from './http/wrapper';
import { route } from './routes';
import { invitations } from './services';

export const handler = httpHandler(route('delete-invitation'), async ({ caller, params }) => {
  await invitations.delete(caller, params.invitationId);
  return { status: 204 };
});
