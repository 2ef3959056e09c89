import { httpHandler } from './http/wrapper';
import { removeMember } from './routes';
import { workspaces } from './services';

export const handler = httpHandler(removeMember, async ({ caller, params }) => {
  await workspaces.removeMember(caller, params.workspaceId, params.userId);
  return { status: 204 };
});
