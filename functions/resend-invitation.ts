import { invitationResource } from './http/hal';
import { httpHandler } from './http/wrapper';
import { resendInvitation } from './routes';
import { invitations } from './services';

/** 202: the email is queued; the table's stream sends it. */
export const handler = httpHandler(resendInvitation, async ({ caller, params, baseUrl }) => {
  const view = await invitations.resend(caller, params.invitationId);
  return { status: 202, body: invitationResource(view, baseUrl) };
});
