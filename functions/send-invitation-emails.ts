/**
 * The table stream's consumer: sends the invitation email each new invitation and each resend
 * asks for. Only records that pass functions/stream/filters.ts arrive here. A record whose email
 * should be retried (SES throttling or failing) is reported in batchItemFailures; the others in
 * the batch are still processed.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { ses } from './email/client';
import { emailConfig } from './email/config';
import { composeInvitationEmail } from './email/invitation-email';
import { SesMailer } from './email/ses-mailer';
import { linkTokens } from './email/token-key';
import { logger } from './observability';
import { store } from './services';
import { ENTITY } from './store/keys';
import { InvitationEmails, type SendRequest } from './use-cases/invitation-emails';

const processor = new BatchProcessor(EventType.DynamoDBStreams);
const mailer = new SesMailer(ses, emailConfig.SES_FROM_ADDRESS, emailConfig.SES_CONFIGURATION_SET);
/** The shortest lease a send is claimed for, should the runtime report almost no time left. */
const MIN_LEASE_MS = 1_000;

export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse, Error, Context>({ timeoutEarlyInMillis: 0 })
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event, context) => {
    const emails = new InvitationEmails(
      store,
      mailer,
      composeInvitationEmail(await linkTokens(), emailConfig.ACCEPT_URL),
    );
    return processPartialResponse(event, (record: DynamoDBRecord) => deliver(emails, record, context), processor, {
      context,
      throwOnFullBatchFailure: false,
    });
  });

async function deliver(emails: InvitationEmails, record: DynamoDBRecord, context: Context): Promise<void> {
  const request = sendRequestOf(record);
  if (!request) {
    logger.warn('Stream record is not an invitation email request', { eventID: record.eventID });
    return;
  }
  const lease = Math.max(context.getRemainingTimeInMillis(), MIN_LEASE_MS);
  try {
    const result = await emails.deliver(request, lease);
    if (result.outcome === 'sent' && !result.recorded) {
      logger.warn('Invitation email sent, but its delivery state could not be recorded', { ...request });
    } else {
      logger.info('Invitation email processed', { ...request, ...result });
    }
  } catch (error) {
    logger.warn('Invitation email will be retried', { ...request, reason: (error as Error).name });
    throw error;
  }
}

/** Which email the record asks for, read off its new image. */
function sendRequestOf(record: DynamoDBRecord): SendRequest | undefined {
  const image = record.dynamodb?.NewImage;
  const invitationId = image?.id?.S;
  const sendNumber = Number(image?.delivery?.M?.sendNumber?.N);
  if (image?.entity?.S !== ENTITY.invitation || !invitationId || !Number.isSafeInteger(sendNumber)) return undefined;
  return { invitationId, sendNumber };
}
