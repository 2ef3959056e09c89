import { collection, memberResource } from './http/hal';
import { httpHandler } from './http/wrapper';
import { listMembers } from './routes';
import { workspaces } from './services';

export const handler = httpHandler(listMembers, async ({ caller, params, query, baseUrl, path, pageSize }) => {
  const page = await workspaces.listMembers(caller, params.workspaceId, { size: pageSize, cursor: query.cursor });
  const items = page.items.map((member) => memberResource(member, caller, page.member.role, baseUrl));
  return { status: 200, body: collection('members', page, items, { baseUrl, path, query, size: pageSize }) };
});
