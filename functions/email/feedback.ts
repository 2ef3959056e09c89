/**
 * What SES reports back about a sent invitation email, through EventBridge: a permanent bounce
 * (the recipient's server refused it for good) or a complaint (the recipient marked it as spam).
 * The CDK rule (its event pattern), the feedback handler and the local mailbox simulator share
 * these definitions.
 */

import type { EmailFeedback } from '../domain/delivery';

/** The EventBridge detail types of the SES events this service acts on. */
export const FEEDBACK_DETAIL_TYPES = { bounce: 'Email Bounced', complaint: 'Email Complaint Received' } as const;

/** The message tags every invitation email carries, which SES copies into its events. */
export const EMAIL_TAGS = { invitation: 'invitation', send: 'send' } as const;

/** The EventBridge pattern for the feedback on emails sent through `configurationSetName`. */
export function emailFeedbackEventPattern(configurationSetName: string) {
  return {
    source: ['aws.ses'],
    'detail-type': Object.values(FEEDBACK_DETAIL_TYPES),
    detail: { mail: { tags: { 'ses:configuration-set': [configurationSetName] } } },
  };
}

/** The part of SES's event record (the EventBridge event's `detail`) this service reads. */
export interface SesFeedbackDetail {
  eventType?: string;
  mail?: { messageId?: string; tags?: Record<string, string[] | undefined> };
  bounce?: { bounceType?: string; bounceSubType?: string };
  complaint?: { complaintFeedbackType?: string };
}

export type { EmailFeedback };

const CODE = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * The feedback an event reports about one invitation email, or undefined for an event this
 * service does not act on: a transient bounce (SES reports those only once it has given up
 * retrying, and they may clear), another kind of event, or a message that is not an invitation's.
 */
export function feedbackOf(detail: SesFeedbackDetail | undefined): EmailFeedback | undefined {
  const messageId = detail?.mail?.messageId;
  const tags = detail?.mail?.tags ?? {};
  const invitationId = tags[EMAIL_TAGS.invitation]?.[0];
  const sendNumber = Number(tags[EMAIL_TAGS.send]?.[0]);
  if (!messageId || !invitationId || !Number.isSafeInteger(sendNumber) || sendNumber < 1) return undefined;
  const base = { invitationId, sendNumber, messageId };
  if (detail?.eventType === 'Bounce' && detail.bounce?.bounceType === 'Permanent') {
    return { ...base, status: 'BOUNCED', failure: code('Bounce', detail.bounce.bounceSubType) };
  }
  if (detail?.eventType === 'Complaint') {
    return { ...base, status: 'COMPLAINED', failure: code('Complaint', detail.complaint?.complaintFeedbackType) };
  }
  return undefined;
}

function code(kind: string, detail: string | undefined): string {
  return detail && CODE.test(detail) ? `${kind}.${detail}` : kind;
}
