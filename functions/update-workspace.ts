import { workspaceResource } from './http/hal';
import { httpHandler } from './http/wrapper';
import { route } from './routes';
import { workspaces } from './services';

export const handler = httpHandler(route('update-workspace'), async ({ caller, params, body, baseUrl }) => {
  const view = await workspaces.update(caller, params.workspaceId, body);
  return { status: 200, body: workspaceResource(view, baseUrl) };
});
