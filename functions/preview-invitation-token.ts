import { linkTokens } from './email/token-key';
import { operations } from './http/contract';
import { invitationLinkPreviewResource } from './http/hal';
import { publicHttpHandler } from './http/wrapper';
import { invitations } from './services';

/** The link is a bearer secret: the answer is neither cached nor passed on as a referrer. */
export const handler = publicHttpHandler(operations['preview-invitation-token'], async ({ params, baseUrl }) => {
  const preview = await invitations.previewByLink(params.token, await linkTokens(params.token));
  return {
    status: 200,
    body: invitationLinkPreviewResource(preview, params.token, baseUrl),
    headers: { 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' },
  };
});
