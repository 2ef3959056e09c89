import { collection, workspaceResource } from './http/hal';
import { httpHandler } from './http/wrapper';
import { listWorkspaces } from './routes';
import { workspaces } from './services';

export const handler = httpHandler(listWorkspaces, async ({ caller, query, baseUrl, path, pageSize }) => {
  const page = await workspaces.listMine(caller, { size: pageSize, cursor: query.cursor });
  const items = page.items.map((view) => workspaceResource(view, baseUrl));
  return { status: 200, body: collection('workspaces', page, items, { baseUrl, path, query, size: pageSize }) };
});
