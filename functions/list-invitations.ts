import { collection, invitationResource } from './http/hal';
import { httpHandler } from './http/wrapper';
import { listInvitations } from './routes';
import { invitations } from './services';

/** Without `email`: the invitations the caller sent. With it: those the caller received at that (own, verified) address. */
export const handler = httpHandler(listInvitations, async ({ caller, query, baseUrl, path, pageSize }) => {
  const page = { size: pageSize, cursor: query.cursor };
  const result = query.email
    ? await invitations.listReceived(caller, query.email, page)
    : await invitations.listSent(caller, page);
  const items = result.items.map((view) => invitationResource(view, baseUrl));
  return { status: 200, body: collection('invitations', result, items, { baseUrl, path, query, size: pageSize }) };
});
