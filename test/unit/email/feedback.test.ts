import { describe, expect, it } from 'vitest';
import { emailFeedbackEventPattern, feedbackOf, type SesFeedbackDetail } from '../../../functions/email/feedback';

const invitationId = '0b7e1a52-3c4d-4e5f-8a9b-0c1d2e3f4a5b';

function detail(overrides: SesFeedbackDetail = {}): SesFeedbackDetail {
  return {
    eventType: 'Bounce',
    mail: {
      messageId: '0100018f-message',
      tags: { 'ses:configuration-set': ['invitations'], invitation: [invitationId], send: ['2'] },
    },
    bounce: { bounceType: 'Permanent', bounceSubType: 'NoEmail' },
    ...overrides,
  };
}

describe('SES feedback on an invitation email', () => {
  it('reads a permanent bounce as BOUNCED, for the invitation and send its tags name', () => {
    expect(feedbackOf(detail())).toEqual({
      invitationId,
      sendNumber: 2,
      messageId: '0100018f-message',
      status: 'BOUNCED',
      failure: 'Bounce.NoEmail',
    });
  });

  it('reads a complaint as COMPLAINED, with its feedback type when SES gives one', () => {
    const complaint = { eventType: 'Complaint', bounce: undefined };
    expect(feedbackOf(detail({ ...complaint, complaint: { complaintFeedbackType: 'abuse' } }))).toMatchObject({
      status: 'COMPLAINED',
      failure: 'Complaint.abuse',
    });
    expect(feedbackOf(detail({ ...complaint, complaint: {} }))?.failure).toBe('Complaint');
  });

  it('leaves transient bounces, other events and mail that is not an invitation email', () => {
    expect(feedbackOf(detail({ bounce: { bounceType: 'Transient', bounceSubType: 'MailboxFull' } }))).toBeUndefined();
    expect(feedbackOf(detail({ eventType: 'Delivery' }))).toBeUndefined();
    expect(feedbackOf(detail({ mail: { messageId: 'm', tags: { 'ses:configuration-set': ['x'] } } }))).toBeUndefined();
    expect(feedbackOf(detail({ mail: { messageId: 'm', tags: { invitation: [invitationId], send: ['two'] } } }))).toBe(
      undefined,
    );
    expect(feedbackOf(detail({ mail: { tags: { invitation: [invitationId], send: ['1'] } } }))).toBeUndefined();
    expect(feedbackOf(undefined)).toBeUndefined();
  });

  it('keeps free text out of the failure code', () => {
    const odd = detail({ bounce: { bounceType: 'Permanent', bounceSubType: 'user x@example.com unknown' } });
    expect(feedbackOf(odd)?.failure).toBe('Bounce');
  });

  it('is matched by a pattern on the configuration set the service sends through', () => {
    expect(emailFeedbackEventPattern('invitations-mail')).toEqual({
      source: ['aws.ses'],
      'detail-type': ['Email Bounced', 'Email Complaint Received'],
      detail: { mail: { tags: { 'ses:configuration-set': ['invitations-mail'] } } },
    });
  });
});
