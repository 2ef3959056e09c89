import { collection, invitationResource } from './http/hal';
import { httpHandler } from './http/wrapper';
import { listInvitations } from './routes';
import { invitationListing } from './services';

/**
 * Without `email`: the invitations the caller sent. With it: those the caller received at that
 * (own, verified) address. `status` keeps one status.
 */
export const handler = httpHandler(listInvitations, async ({ caller, query, baseUrl, path, pageSize }) => {
  const page = { size: pageSize, cursor: query.cursor };
  const result = query.email
    ? await invitationListing.listReceived(caller, query.email, page, query.status)
    : await invitationListing.listSent(caller, page, query.status);
  const items = result.items.map((view) => invitationResource(view, baseUrl));
  return { status: 200, body: collection('invitations', result, items, { baseUrl, path, query, size: pageSize }) };
});
