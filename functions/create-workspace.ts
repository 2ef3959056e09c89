import { workspaceResource } from './http/hal';
import { httpHandler } from './http/wrapper';
import { createWorkspace } from './routes';
import { workspaces } from './services';

export const handler = httpHandler(createWorkspace, async ({ caller, body, baseUrl }) => {
  const view = await workspaces.create(caller, body);
  const resource = workspaceResource(view, baseUrl);
  return { status: 201, body: resource, headers: { location: resource._links.self.href } };
});
