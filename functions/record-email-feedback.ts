/**
 * SES's word on a sent invitation email, from EventBridge: a permanent bounce or a complaint
 * becomes the invitation's delivery status (BOUNCED, COMPLAINED), so its inviter sees that the
 * address does not work or does not want the mail. Only the feedback types of
 * functions/email/feedback.ts arrive (the rule's pattern); anything else is logged and left.
 * Throwing asks for the event again: when it came before the send itself was recorded, or when
 * DynamoDB failed.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { feedbackOf, type SesFeedbackDetail } from './email/feedback';
import { logger } from './platform/observability';
import { deliveries } from './services';
import { DeliveryFeedback } from './use-cases/invitation-emails';

type FeedbackEvent = EventBridgeEvent<string, SesFeedbackDetail>;

const deliveryFeedback = new DeliveryFeedback(deliveries);

export const handler = middy<FeedbackEvent, void, Error, Context>({ timeoutEarlyInMillis: 0 })
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    const feedback = feedbackOf(event.detail);
    if (!feedback) {
      logger.info('SES event not acted on', { detailType: event['detail-type'], eventType: event.detail?.eventType });
      return;
    }
    const outcome = await deliveryFeedback.record(feedback);
    logger.info('Invitation email feedback', {
      invitationId: feedback.invitationId,
      sendNumber: feedback.sendNumber,
      status: feedback.status,
      outcome,
    });
  });
