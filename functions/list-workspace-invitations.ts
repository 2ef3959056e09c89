import { collection, invitationResource } from './http/hal';
import { httpHandler } from './http/wrapper';
import { listWorkspaceInvitations } from './routes';
import { invitationListing } from './services';

export const handler = httpHandler(
  listWorkspaceInvitations,
  async ({ caller, params, query, baseUrl, path, pageSize }) => {
    const result = await invitationListing.listForWorkspace(caller, params.workspaceId, query.status, {
      size: pageSize,
      cursor: query.cursor,
    });
    const items = result.items.map((view) => invitationResource(view, baseUrl));
    return { status: 200, body: collection('invitations', result, items, { baseUrl, path, query, size: pageSize }) };
  },
);
