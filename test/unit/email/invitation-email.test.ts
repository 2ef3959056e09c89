import { describe, expect, it } from 'vitest';
import type { Invitation } from '../../../functions/domain/invitation';
import { LinkTokens } from '../../../functions/domain/link-token';
import {
  acceptLink,
  composeInvitationEmail,
  escapeHtml,
  expiryInWords,
  renderInvitationEmail,
} from '../../../functions/email/invitation-email';

const now = new Date('2026-11-22T04:05:00.000Z');
const invitation = {
  workspaceName: 'Acme Research',
  creatorName: 'Ada Lovelace',
  role: 'ADMIN',
  expiresAt: '2026-11-29T04:05:00.000Z',
} satisfies Partial<Invitation>;
const link = 'https://app.example.com/accept?token=abc_DEF-123';

describe('the invitation email', () => {
  it('has a subject, a text part and an HTML part with the same content', () => {
    const email = renderInvitationEmail(invitation, link, now);
    expect(email.subject).toBe('Ada Lovelace invited you to join Acme Research');
    expect(email.text).toBe(
      [
        'Hello,',
        '',
        'Ada Lovelace invited you to join the workspace "Acme Research" as an admin.',
        '',
        'Accept the invitation:',
        link,
        '',
        'The invitation expires on Sunday 29 November 2026 at 04:05 UTC (in 7 days).',
        'If you did not expect this invitation, ignore this email; nothing happens unless you accept.',
        '',
      ].join('\n'),
    );
    expect(email.html).toContain(
      '<strong>Ada Lovelace</strong> invited you to join the workspace <strong>Acme Research</strong> as an admin.',
    );
    expect(email.html).toContain(`<a href="${link}" style=`);
    expect(email.html).toContain(`Or open this link: <a href="${link}">${link}</a>`);
    expect(email.html).toContain('The invitation expires on Sunday 29 November 2026 at 04:05 UTC (in 7 days).');
    expect(email.html).toMatch(/^<!doctype html>/);
  });

  it('names each role in words', () => {
    expect(renderInvitationEmail({ ...invitation, role: 'MEMBER' }, link, now).text).toContain('as a member.');
    expect(renderInvitationEmail({ ...invitation, role: 'OWNER' }, link, now).text).toContain('as an owner.');
  });

  it('escapes every interpolated value in the HTML part: a workspace named <script> renders as text', () => {
    const hostile = {
      ...invitation,
      workspaceName: '<script>alert("x")</script>',
      creatorName: `Eve & "Mallory" <img src=x onerror='y'>`,
    };
    const email = renderInvitationEmail(hostile, 'https://app.example.com/accept?a=1&token="><b>', now);
    expect(email.html).not.toContain('<script>');
    expect(email.html).not.toContain('<img');
    expect(email.html).not.toContain('"><b>');
    // Names lose their markup characters (the display-name policy), and what is left is escaped.
    expect(email.html).toContain('<strong>scriptalert(&quot;x&quot;)/script</strong>');
    expect(email.html).toContain('<strong>Eve &amp; &quot;Mallory&quot; img src=x onerror=&#39;y&#39;</strong>');
    expect(email.html).toContain('href="https://app.example.com/accept?a=1&amp;token=&quot;&gt;&lt;b&gt;"');
    expect(email.html.match(/<[a-z!/]/gi)?.length).toBe(
      renderInvitationEmail(invitation, link, now).html.match(/<[a-z!/]/gi)?.length,
    );
  });

  it('keeps line breaks and control characters out of the subject', () => {
    const email = renderInvitationEmail(
      { ...invitation, workspaceName: 'Acme\r\nBcc: someone@example.com' },
      link,
      now,
    );
    expect(email.subject).toBe('Ada Lovelace invited you to join Acme Bcc: someone[at]example[.]com');
  });

  it('shows names that carry addresses inert, beside the one real link', () => {
    const email = renderInvitationEmail(
      {
        ...invitation,
        workspaceName: 'Log in at https://evil.test/login to accept',
        creatorName: 'Ada \u202Eevil.test\u200B help@evil.test',
      },
      link,
      now,
    );
    const workspace = 'Log in at hxxps[:]//evil[.]test/login to accept';
    const inviter = 'Ada evil[.]test help[at]evil[.]test';
    expect(email.subject).toBe(`${inviter} invited you to join ${workspace}`);
    expect(email.text).toContain(`${inviter} invited you to join the workspace "${workspace}" as an admin.`);
    expect(email.html).toContain(
      `<strong>${inviter}</strong> invited you to join the workspace <strong>${workspace}</strong>`,
    );
    for (const part of [email.subject, email.text, email.html]) {
      expect(part).not.toMatch(/evil\.test|https:\/\/evil|@evil|\u202E|\u200B/);
    }
  });

  it('says the expiry in words, in days or, under two days, in hours', () => {
    expect(expiryInWords('2026-11-23T10:05:00.000Z', now)).toBe('Monday 23 November 2026 at 10:05 UTC (in 30 hours)');
    expect(expiryInWords('2026-12-22T04:05:00.000Z', now)).toBe('Tuesday 22 December 2026 at 04:05 UTC (in 30 days)');
    const sevenDaysLessSeconds = new Date(now.getTime() + 7 * 86_400_000 - 3_000).toISOString();
    expect(expiryInWords(sevenDaysLessSeconds, now)).toMatch(/\(in 7 days\)$/);
  });

  it('builds the accept link from ACCEPT_URL, keeping its own query', () => {
    expect(acceptLink('https://app.example.com/invitations/accept', 'T0k_en-')).toBe(
      'https://app.example.com/invitations/accept?token=T0k_en-',
    );
    expect(acceptLink('http://localhost:3000/accept?lang=en', 'abc')).toBe(
      'http://localhost:3000/accept?lang=en&token=abc',
    );
  });

  it('escapes the five HTML-significant characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  it('is composed for the invitee with a link whose token verifies to the invitation and its version', () => {
    const tokens = new LinkTokens(Buffer.from('k'.repeat(32)));
    const compose = composeInvitationEmail(tokens, 'https://app.example.com/accept');
    const id = '0b7e1a52-3c4d-4e5f-8a9b-0c1d2e3f4a5b';
    const delivery = { status: 'SENDING', sendNumber: 4, requestedAt: now.toISOString(), updatedAt: now.toISOString() };
    const email = compose(
      { ...invitation, id, email: 'grace@example.com', tokenVersion: 3, delivery } as Invitation,
      now,
    );
    expect(email.to).toBe('grace@example.com');
    // SES copies the tags into its bounce and complaint events: they name the invitation and the send.
    expect(email.tags).toEqual({ invitation: id, send: '4' });
    const token = new URL(email.text.split('\n')[5] as string).searchParams.get('token') as string;
    expect(tokens.read(token)).toEqual({ invitationId: id, version: 3, keyVersion: 1 });
    expect(email.html).toContain(`https://app.example.com/accept?token=${token}`);
  });
});
