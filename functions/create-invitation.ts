import { invitationResource } from './http/hal';
import { httpHandler } from './http/wrapper';
import { createInvitation } from './routes';
import { invitations } from './services';

/** 202: the invitation is stored; its email goes out asynchronously from the table's stream. */
export const handler = httpHandler(createInvitation, async ({ caller, params, body, baseUrl }) => {
  const view = await invitations.create(caller, params.workspaceId, body);
  const resource = invitationResource(view, baseUrl);
  return { status: 202, body: resource, headers: { location: resource._links.self.href } };
});
