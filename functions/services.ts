import { config } from './platform/config';
import { dynamo, tableName } from './store/client';
import { CursorCodec } from './store/cursor';
import { dynamoDeliveries, dynamoStores } from './store/stores';
import { InvitationListing } from './use-cases/invitation-listing';
import { Invitations } from './use-cases/invitations';
import { Workspaces } from './use-cases/workspaces';

/** The stores and use cases, wired to DynamoDB once per cold start. */
export const stores = dynamoStores(dynamo, tableName, {
  cursors: config.CURSOR_SECRET === undefined ? undefined : new CursorCodec(config.CURSOR_SECRET),
  limits: {
    workspacesPerUser: config.WORKSPACES_PER_USER,
    membersPerWorkspace: config.MEMBERS_PER_WORKSPACE,
    pendingInvitationsPerWorkspace: config.PENDING_INVITATIONS_PER_WORKSPACE,
    workspaceRenamesPerMinute: config.WORKSPACE_RENAMES_PER_MINUTE,
  },
});
export const invitations = new Invitations(stores, undefined, config.INVITATION_EMAILS_PER_USER_PER_DAY);
export const invitationListing = new InvitationListing(stores);
export const workspaces = new Workspaces(stores);
/** Marked pure: a bundle that does not send, sweep or record email feedback leaves the store out. */
export const deliveries = /* @__PURE__ */ dynamoDeliveries(dynamo, tableName);
