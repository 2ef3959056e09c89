/**
 * The invitation email: a plain-text and an HTML part with the same content. Every value that
 * comes from users (workspace and inviter names) is escaped in the HTML part, so a workspace
 * named `<script>` shows as text.
 */
import { inertDisplayName } from '../domain/display-name';
import type { Invitation } from '../domain/invitation';
import { FIRST_TOKEN_VERSION, type LinkTokens } from '../domain/link-token';
import type { Role } from '../domain/roles';
import type { Compose } from '../use-cases/invitation-emails';
import { EMAIL_TAGS } from './feedback';

export interface InvitationEmailContent {
  subject: string;
  text: string;
  html: string;
}

const ROLE_IN_WORDS: Record<Role, string> = { OWNER: 'an owner', ADMIN: 'an admin', MEMBER: 'a member' };

// Spelled out here rather than with Intl, whose output differs between ICU versions.
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** `<ACCEPT_URL>?token=<token>`, keeping any query the configured URL already has. */
export function acceptLink(acceptUrl: string, token: string): string {
  const url = new URL(acceptUrl);
  url.searchParams.set('token', token);
  return url.toString();
}

/** "Sunday 29 November 2026 at 04:05 UTC (in 7 days)". */
export function expiryInWords(expiresAt: string, now: Date): string {
  const expiry = new Date(expiresAt);
  const time = `${pad(expiry.getUTCHours())}:${pad(expiry.getUTCMinutes())}`;
  const date = `${WEEKDAYS[expiry.getUTCDay()]} ${expiry.getUTCDate()} ${MONTHS[expiry.getUTCMonth()]} ${expiry.getUTCFullYear()}`;
  return `${date} at ${time} UTC (${timeLeft(expiry.getTime() - now.getTime())})`;
}

/** Rounded, not truncated: an email sent seconds after a 7-day invitation was created says "in 7 days". */
function timeLeft(ms: number): string {
  const hours = Math.round(ms / 3_600_000);
  if (hours >= 48) return `in ${Math.round(hours / 24)} days`;
  if (hours >= 2) return `in ${hours} hours`;
  return hours === 1 ? 'in 1 hour' : 'in less than an hour';
}

const pad = (value: number) => String(value).padStart(2, '0');

export function renderInvitationEmail(
  invitation: Pick<Invitation, 'workspaceName' | 'creatorName' | 'role' | 'expiresAt'>,
  link: string,
  now: Date,
): InvitationEmailContent {
  // Names reach a reader outside the workspace: shown by the display-name policy, inert.
  const workspace = inertDisplayName(invitation.workspaceName);
  const inviter = inertDisplayName(invitation.creatorName);
  const role = ROLE_IN_WORDS[invitation.role];
  const expiry = expiryInWords(invitation.expiresAt, now);
  const subject = `${inviter} invited you to join ${workspace}`;
  const text = [
    'Hello,',
    '',
    `${inviter} invited you to join the workspace "${workspace}" as ${role}.`,
    '',
    'Accept the invitation:',
    link,
    '',
    `The invitation expires on ${expiry}.`,
    'If you did not expect this invitation, ignore this email; nothing happens unless you accept.',
    '',
  ].join('\n');
  const html = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="font-family: sans-serif; line-height: 1.5; color: #1f2933;">
<p>Hello,</p>
<p><strong>${escapeHtml(inviter)}</strong> invited you to join the workspace <strong>${escapeHtml(workspace)}</strong> as ${escapeHtml(role)}.</p>
<p><a href="${escapeHtml(link)}" style="display: inline-block; padding: 10px 18px; background: #2563eb; color: #ffffff; text-decoration: none; border-radius: 4px;">Accept the invitation</a></p>
<p>Or open this link: <a href="${escapeHtml(link)}">${escapeHtml(link)}</a></p>
<p>The invitation expires on ${escapeHtml(expiry)}.</p>
<p style="color: #52606d; font-size: 0.9em;">If you did not expect this invitation, ignore this email; nothing happens unless you accept.</p>
</body>
</html>
`;
  return { subject, text, html };
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character] as string);
}

/** The complete message for one invitation: its link token minted with the current token version. */
export function composeInvitationEmail(links: LinkTokens, acceptUrl: string): Compose {
  return (invitation, now) => {
    const token = links.mint(invitation.id, invitation.tokenVersion ?? FIRST_TOKEN_VERSION);
    return {
      to: invitation.email,
      tags: {
        [EMAIL_TAGS.invitation]: invitation.id,
        [EMAIL_TAGS.send]: String(invitation.delivery?.sendNumber ?? invitation.sendCount + 1),
      },
      ...renderInvitationEmail(invitation, acceptLink(acceptUrl, token), now),
    };
  };
}
