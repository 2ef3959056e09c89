import { workspaceResource } from './http/hal';
import { httpHandler } from './http/wrapper';
import { updateWorkspace } from './routes';
import { workspaces } from './services';

export const handler = httpHandler(updateWorkspace, async ({ caller, params, body, baseUrl }) => {
  const view = await workspaces.update(caller, params.workspaceId, body);
  return { status: 200, body: workspaceResource(view, baseUrl) };
});
