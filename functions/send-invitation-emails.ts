/**
 * The table stream's consumer: sends the invitation email each new invitation, each resend and
 * each re-drive asks for. Only records that pass functions/stream/filters.ts arrive here. A
 * record whose email should be retried (a transient SES failure, another attempt's live lease)
 * is reported in batchItemFailures; the others in the batch are still processed. A record that
 * can never be sent is settled FAILED at once, so it never holds up the records behind it.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import middy from '@middy/core';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { leaseFor } from './domain/delivery';
import { sesClient } from './email/client';
import { emailConfig } from './email/config';
import { deliveryMetrics } from './email/delivery-metrics';
import { composeInvitationEmail } from './email/invitation-email';
import { SesMailer } from './email/ses-mailer';
import { linkTokens } from './email/token-key';
import { logger, metrics } from './platform/observability';
import { deliveries } from './services';
import { ENTITY, INVITATION_PREFIX } from './store/keys';
import { TABLE } from './store/table-definition';
import { InvitationEmails, type SendRequest } from './use-cases/invitation-emails';

const processor = new BatchProcessor(EventType.DynamoDBStreams);
// Created once per cold start. Locally SES_ENDPOINT points it at the SES fault layer and emulator.
const mailer = new SesMailer(
  sesClient(emailConfig),
  emailConfig.SES_FROM_ADDRESS,
  emailConfig.SES_CONFIGURATION_SET,
  emailConfig.SES_SEND_TIMEOUT_MS,
);
const LEASE_MS = leaseFor(emailConfig.SES_SEND_TIMEOUT_MS);

export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse, Error, Context>({ timeoutEarlyInMillis: 0 })
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event, context) => {
    const emails = new InvitationEmails(
      deliveries,
      mailer,
      composeInvitationEmail(await linkTokens(), emailConfig.ACCEPT_URL),
      { leaseMs: LEASE_MS, metrics: deliveryMetrics },
    );
    // Finish (or give up waiting for another attempt's lease) a little before the runtime's deadline.
    const deadline = Date.now() + context.getRemainingTimeInMillis() - 1_000;
    try {
      return await processPartialResponse(
        event,
        (record: DynamoDBRecord) => deliver(emails, record, deadline),
        processor,
        { context, throwOnFullBatchFailure: false },
      );
    } finally {
      // A batch that sent nothing (every record already settled) publishes nothing, and says nothing of it.
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
  });

async function deliver(emails: InvitationEmails, record: DynamoDBRecord, deadline: number): Promise<void> {
  const request = sendRequestOf(record);
  if (!request) {
    logger.warn('Stream record is not an invitation email request', { eventID: record.eventID });
    return;
  }
  if ('invalid' in request) {
    const result = await emails.failUnclaimable(request.invitationId, request.sendNumber, request.invalid);
    logger.warn('Invitation email request cannot be sent', { invitationId: request.invitationId, ...result });
    return;
  }
  try {
    const result = await emails.deliver(request, deadline);
    if (result.outcome === 'sent' && !result.recorded) {
      logger.warn('Invitation email sent, but its delivery state could not be recorded', { ...request });
    } else if (result.outcome === 'held') {
      logger.error('Invitation email held until SES is fixed', { ...request, ...result });
    } else {
      logger.info('Invitation email processed', { ...request, ...result });
    }
  } catch (error) {
    logger.warn('Invitation email will be retried', { ...request, reason: (error as Error).name });
    throw error;
  }
}

type Request = SendRequest | { invitationId: string; sendNumber: unknown; invalid: string };

/**
 * Which email the record asks for, read off its new image and keys. An invitation whose send
 * number is unusable is still named, so that its send can be failed rather than left QUEUED.
 */
function sendRequestOf(record: DynamoDBRecord): Request | undefined {
  const image = record.dynamodb?.NewImage;
  if (image?.entity?.S !== ENTITY.invitation) return undefined;
  const key = record.dynamodb?.Keys?.[TABLE.partitionKey]?.S;
  const invitationId = key?.startsWith(INVITATION_PREFIX) ? key.slice(INVITATION_PREFIX.length) : '';
  if (!invitationId) return undefined;
  const sendNumber = storedSendNumber(image.delivery?.M as Record<string, AttributeValue> | undefined);
  if (typeof sendNumber !== 'number' || !Number.isSafeInteger(sendNumber) || sendNumber < 1) {
    return { invitationId, sendNumber, invalid: 'InvalidItem:sendNumber' };
  }
  return { invitationId, sendNumber };
}

/** The send number as stored, whatever its type; undefined when absent or not even a JavaScript value. */
function storedSendNumber(delivery: Record<string, AttributeValue> | undefined): unknown {
  try {
    return delivery ? unmarshall(delivery).sendNumber : undefined;
  } catch {
    return undefined;
  }
}
