import { linkTokens } from './email/token-key';
import { invitationLinkPreviewResource } from './http/hal';
import { httpHandler } from './http/wrapper';
import { previewInvitationToken } from './routes';
import { invitations } from './services';

/** The link is a bearer secret: the answer is neither cached nor passed on as a referrer. */
export const handler = httpHandler(previewInvitationToken, async ({ params, baseUrl }) => {
  const preview = await invitations.previewByLink(params.token, await linkTokens(params.token));
  return {
    status: 200,
    body: invitationLinkPreviewResource(preview, params.token, baseUrl),
    headers: { 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' },
  };
});
