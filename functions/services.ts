import { config } from './config';
import { dynamo, tableName } from './store/client';
import { CursorCodec } from './store/cursor';
import { DynamoStore } from './store/dynamo-store';
import { EmailDeliveryStore } from './store/email-delivery-store';
import { Invitations } from './use-cases/invitations';
import { Workspaces } from './use-cases/workspaces';

/** The use cases, wired to the DynamoDB store once per cold start. */
export const store = new DynamoStore(
  dynamo,
  tableName,
  config.CURSOR_SECRET === undefined ? undefined : new CursorCodec(config.CURSOR_SECRET),
  {
    workspacesPerUser: config.WORKSPACES_PER_USER,
    membersPerWorkspace: config.MEMBERS_PER_WORKSPACE,
    pendingInvitationsPerWorkspace: config.PENDING_INVITATIONS_PER_WORKSPACE,
    workspaceRenamesPerMinute: config.WORKSPACE_RENAMES_PER_MINUTE,
  },
);
export const invitations = new Invitations(store, undefined, config.INVITATION_EMAILS_PER_USER_PER_DAY);
export const workspaces = new Workspaces(store);
export const deliveries = new EmailDeliveryStore(dynamo, tableName);
