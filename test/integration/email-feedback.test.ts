/**
 * SES's bounce and complaint events, as EventBridge delivers them, recorded on invitations in
 * DynamoDB Local: on the send they are about, never on a newer one, and retried while the send
 * itself is not recorded yet.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { EventBridgeEvent } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import type { SesFeedbackDetail } from '../../functions/email/feedback';
import { handler } from '../../functions/record-email-feedback';
import { deliveries } from '../../functions/services';
import { keys } from '../../functions/store/keys';
import { api, type Identity, lambdaContext, user } from '../support/api';
import { createWorkspace, invite } from '../support/fixtures';
import { documents } from '../support/table';
import { waitFor } from '../support/wait-for';

type Feedback = 'bounce' | 'complaint';

function sesEvent(kind: Feedback, invitationId: string, sendNumber: number, messageId: string) {
  const detail: SesFeedbackDetail = {
    eventType: kind === 'bounce' ? 'Bounce' : 'Complaint',
    mail: {
      messageId,
      tags: {
        'ses:configuration-set': ['invitations'],
        invitation: [invitationId],
        send: [String(sendNumber)],
      },
    },
    ...(kind === 'bounce'
      ? { bounce: { bounceType: 'Permanent', bounceSubType: 'General' } }
      : { complaint: { complaintFeedbackType: 'abuse' } }),
  };
  return {
    version: '0',
    id: crypto.randomUUID(),
    'detail-type': kind === 'bounce' ? 'Email Bounced' : 'Email Complaint Received',
    source: 'aws.ses',
    account: '123456789012',
    time: new Date().toISOString(),
    region: 'eu-west-1',
    resources: [],
    detail,
  } as EventBridgeEvent<string, SesFeedbackDetail>;
}

const deliver = (event: EventBridgeEvent<string, SesFeedbackDetail>) =>
  handler(event, lambdaContext('record-email-feedback'));

/** Puts the invitation's current send in `status`, with SES's message id once sent. */
async function setSend(invitationId: string, sendNumber: number, status: string, messageId?: string) {
  await documents.send(
    new UpdateCommand({
      TableName: process.env.TABLE_NAME,
      Key: keys.invitation(invitationId),
      UpdateExpression: `SET delivery.sendNumber = :send, delivery.#status = :status${messageId ? ', delivery.messageId = :id' : ''}`,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':send': sendNumber, ':status': status, ...(messageId ? { ':id': messageId } : {}) },
    }),
  );
}

async function deliveryOf(invitationId: string, as: Identity) {
  return (await api.get(`/api/invitations/${invitationId}`, { as })).body.delivery;
}

async function sentInvitation() {
  const owner = user('owner');
  const id = await invite(owner, await createWorkspace(owner), user('invitee').email as string);
  await setSend(id, 1, 'SENT', 'message-1');
  return { owner, id };
}

describe('SES feedback on invitation emails', () => {
  it('records a permanent bounce and a complaint on the send they are about', async () => {
    const bounced = await sentInvitation();
    await deliver(sesEvent('bounce', bounced.id, 1, 'message-1'));
    expect(await deliveryOf(bounced.id, bounced.owner)).toMatchObject({ status: 'BOUNCED', failure: 'Bounce.General' });
    // Delivered again (EventBridge delivers at least once): the same outcome.
    await deliver(sesEvent('bounce', bounced.id, 1, 'message-1'));
    expect(await deliveryOf(bounced.id, bounced.owner)).toMatchObject({ status: 'BOUNCED' });

    const complained = await sentInvitation();
    await deliver(sesEvent('complaint', complained.id, 1, 'message-1'));
    expect(await deliveryOf(complained.id, complained.owner)).toMatchObject({
      status: 'COMPLAINED',
      failure: 'Complaint.abuse',
    });
  });

  it('leaves a newer send alone when the feedback is about an older one', async () => {
    const { owner, id } = await sentInvitation();
    await setSend(id, 2, 'SENT', 'message-2');
    await deliver(sesEvent('bounce', id, 1, 'message-1'));
    expect(await deliveryOf(id, owner)).toMatchObject({ status: 'SENT' });
  });

  it('waits a moment for its send to be recorded as sent', async () => {
    const { owner, id } = await sentInvitation();
    await setSend(id, 1, 'SENDING');
    const attempts = vi.spyOn(deliveries, 'recordDeliveryFeedback');
    try {
      const recording = deliver(sesEvent('bounce', id, 1, 'message-1'));
      await waitFor(() => attempts.mock.settledResults[0], { what: 'the first attempt to record the bounce' });
      expect(attempts.mock.settledResults[0]).toEqual({ type: 'fulfilled', value: 'not-yet-sent' });
      await setSend(id, 1, 'SENT', 'message-1');
      await recording;
    } finally {
      attempts.mockRestore();
    }
    expect(await deliveryOf(id, owner)).toMatchObject({ status: 'BOUNCED' });
  });

  it('asks for the event again when its send is still not recorded after that', async () => {
    const { owner, id } = await sentInvitation();
    await setSend(id, 1, 'SENDING');
    await expect(deliver(sesEvent('bounce', id, 1, 'message-1'))).rejects.toThrow(/not recorded as sent yet/);
    await setSend(id, 1, 'SENT', 'message-1');
    await deliver(sesEvent('bounce', id, 1, 'message-1'));
    expect(await deliveryOf(id, owner)).toMatchObject({ status: 'BOUNCED' });
  });

  it('ignores feedback on a deleted invitation and on mail that is not an invitation email', async () => {
    const { owner, id } = await sentInvitation();
    expect((await api.put(`/api/invitations/${id}/revoked`, { as: owner })).status).toBe(200);
    expect((await api.delete(`/api/invitations/${id}`, { as: owner })).status).toBe(204);
    await expect(deliver(sesEvent('bounce', id, 1, 'message-1'))).resolves.toBeUndefined();
    const untagged = sesEvent('bounce', id, 1, 'message-1');
    untagged.detail.mail = { messageId: 'other', tags: { 'ses:configuration-set': ['invitations'] } };
    await expect(deliver(untagged)).resolves.toBeUndefined();
  });
});
