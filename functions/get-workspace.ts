import { workspaceResource } from './http/hal';
import { httpHandler } from './http/wrapper';
import { getWorkspace } from './routes';
import { workspaces } from './services';

export const handler = httpHandler(getWorkspace, async ({ caller, params, baseUrl }) => {
  const view = await workspaces.get(caller, params.workspaceId);
  return { status: 200, body: workspaceResource(view, baseUrl) };
});
