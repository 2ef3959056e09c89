/**
 * The table stream's second consumer: when a workspace is renamed, its invitations take the new
 * name, so lists, link previews and later emails show it. Only workspace modifications reach it
 * (functions/stream/filters.ts); one that left the name as it was changes nothing. A record whose
 * invitations could not all be renamed is reported in batchItemFailures and retried; renaming is
 * idempotent and ignores renames older than the one an invitation already carries.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { logger } from './observability';
import { workspaces } from './services';
import { ENTITY } from './store/keys';
import type { WorkspaceNameChange } from './use-cases/workspaces';

const processor = new BatchProcessor(EventType.DynamoDBStreams);

export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse, Error, Context>({ timeoutEarlyInMillis: 0 })
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event, context) =>
    processPartialResponse(event, propagate, processor, { context, throwOnFullBatchFailure: false }),
  );

async function propagate(record: DynamoDBRecord): Promise<void> {
  const change = nameChangeOf(record);
  if (!change) {
    logger.warn('Stream record is not a workspace modification', { eventID: record.eventID });
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
