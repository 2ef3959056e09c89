import { httpHandler } from './http/wrapper';
import { deleteInvitation } from './routes';
import { invitations } from './services';

export const handler = httpHandler(deleteInvitation, async ({ caller, params }) => {
  await invitations.delete(caller, params.invitationId);
  return { status: 204 };
});
