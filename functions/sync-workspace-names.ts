/**
 * The workspace-side consumer of the service's own events (the bus's rule hands it
 * workspace.updated and member.removed). When a workspace is renamed, its invitations take the
 * new name, so lists, link previews and later emails show it; an update that left the name as
 * it was changes nothing. When a membership ends (the member left or was removed), the PENDING
 * invitations it sent are withdrawn. Both are idempotent and indifferent to order: renaming
 * ignores renames older than the one an invitation already carries. A failure is thrown, so that
 * Lambda's retries and then the failure queue take the event.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { logger } from './platform/observability';
import { workspaces } from './services';

interface WorkspaceUpdated {
  workspace: { id: string; name: string; lastModified: string };
  changed: string[];
}
interface MemberRemoved {
  workspaceId: string;
  member: { userId: string; joinedAt: string };
  /** Who ended the membership; the invitations it withdraws name them too. */
  actor?: { userId: string };
}

type ServiceEvent =
  | EventBridgeEvent<'workspace.updated', WorkspaceUpdated>
  | EventBridgeEvent<'member.removed', MemberRemoved>;

export const handler = middy<ServiceEvent, void, Error, Context>({ timeoutEarlyInMillis: 0 })
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    if (event['detail-type'] === 'member.removed') {
      const { workspaceId, member, actor } = event.detail;
      const revoked = await workspaces.revokeInvitationsOf({
        workspaceId,
        userId: member.userId,
        joinedAt: member.joinedAt,
        ...(actor ? { endedBy: actor.userId } : {}),
      });
      if (revoked > 0) logger.info('Invitations of a departed member withdrawn', { workspaceId, revoked });
      return;
    }
    if (event['detail-type'] === 'workspace.updated') {
      const { workspace, changed } = event.detail;
      if (!changed.includes('name')) return;
      const renamed = await workspaces.propagateName({
        workspaceId: workspace.id,
        name: workspace.name,
        version: workspace.lastModified,
      });
      if (renamed > 0) logger.info('Workspace name carried to its invitations', { workspaceId: workspace.id, renamed });
      return;
    }
    logger.warn('Event is neither a workspace update nor a removed membership', {
      detailType: (event as { 'detail-type'?: string })['detail-type'],
    });
  });
