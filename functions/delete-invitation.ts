import { operations } from './http/contract';
import { httpHandler } from './http/wrapper';
import { invitations } from './services';

export const handler = httpHandler(operations['delete-invitation'], async ({ caller, params }) => {
  await invitations.delete(caller, params.invitationId);
  return { status: 204 };
});
