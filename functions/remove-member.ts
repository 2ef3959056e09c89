import { httpHandler } from './http/wrapper';
import { route } from './routes';
import { workspaces } from './services';

export const handler = httpHandler(route('remove-member'), async ({ caller, params }) => {
  await workspaces.removeMember(caller, params.workspaceId, params.userId);
  return { status: 204 };
});
