/**
 * The table stream's workspace-side consumer. When a workspace is renamed, its invitations take
 * the new name, so lists, link previews and later emails show it; a modification that left the
 * name as it was changes nothing. When a membership ends (the member left or was removed), the
 * PENDING invitations it sent are withdrawn. Only those records reach it
 * (functions/stream/filters.ts). A record whose work could not all be done is reported in
 * batchItemFailures and retried; both jobs are idempotent, and renaming ignores renames older
 * than the one an invitation already carries.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { logger } from './platform/observability';
import { workspaces } from './services';
import { ENTITY } from './store/keys';
import type { EndedMembership } from './use-cases/ports';
import type { WorkspaceNameChange } from './use-cases/workspaces';

const processor = new BatchProcessor(EventType.DynamoDBStreams);

export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse, Error, Context>({ timeoutEarlyInMillis: 0 })
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event, context) =>
    processPartialResponse(event, propagate, processor, { context, throwOnFullBatchFailure: false }),
  );

async function propagate(record: DynamoDBRecord): Promise<void> {
  const ended = endedMembershipOf(record);
  if (ended) {
    const revoked = await workspaces.revokeInvitationsOf(ended);
    if (revoked > 0)
      logger.info('Invitations of a departed member withdrawn', { workspaceId: ended.workspaceId, revoked });
    return;
  }
  const change = nameChangeOf(record);
  if (!change) {
    logger.warn('Stream record is neither a workspace modification nor a removed membership', {
      eventID: record.eventID,
    });
    return;
  }
  const renamed = await workspaces.propagateName(change);
  if (renamed > 0)
    logger.info('Workspace name carried to its invitations', { workspaceId: change.workspaceId, renamed });
}

/** The change the record reports, read off its old and new images. */
function nameChangeOf(record: DynamoDBRecord): WorkspaceNameChange | undefined {
  const image = record.dynamodb?.NewImage;
  const workspaceId = image?.id?.S;
  const name = image?.name?.S;
  const version = image?.lastModified?.S;
  if (image?.entity?.S !== ENTITY.workspace || !workspaceId || !name || !version) return undefined;
  return { workspaceId, name, version, previousName: record.dynamodb?.OldImage?.name?.S };
}

/** The membership a REMOVE record reports the end of, read off its old image. */
function endedMembershipOf(record: DynamoDBRecord): EndedMembership | undefined {
  if (record.eventName !== 'REMOVE') return undefined;
  const image = record.dynamodb?.OldImage;
  const workspaceId = image?.workspaceId?.S;
  const userId = image?.userId?.S;
  const joinedAt = image?.joinedAt?.S;
  if (image?.entity?.S !== ENTITY.member || !workspaceId || !userId || !joinedAt) return undefined;
  return { workspaceId, userId, joinedAt };
}
