import { operations } from './http/contract';
import { httpHandler } from './http/wrapper';
import { workspaces } from './services';

export const handler = httpHandler(operations['remove-member'], async ({ caller, params }) => {
  await workspaces.removeMember(caller, params.workspaceId, params.userId);
  return { status: 204 };
});
