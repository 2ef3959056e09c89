// The invitee's page: what an invitation link opens. It reads the public preview, signs the
// invitee in (locally through the runner's identity), then accepts or declines through the API.
// No framework, no inline script: it runs under `script-src 'self'`.

const ROLE_WORDS = { OWNER: 'an owner', ADMIN: 'an admin', MEMBER: 'a member' };
const linkToken = new URLSearchParams(location.search).get('token') ?? '';
const tokenPath = `/api/invitation-tokens/${encodeURIComponent(linkToken)}`;
const session = { accessToken: '', invitationId: '', email: '' };
let preview;

const byId = (id) => document.getElementById(id);

function fill(name, text) {
  for (const element of document.querySelectorAll(`[data-field="${name}"]`)) element.textContent = text;
}

function showOnly(id) {
  for (const section of ['loading', 'invitation', 'outcome']) byId(section).hidden = section !== id;
}

function outcome(label, title, detail) {
  fill('outcome-label', label);
  fill('outcome-title', title);
  fill('outcome-detail', detail);
  document.body.dataset.state = label.toLowerCase().replace(/\s+/g, '-');
  showOnly('outcome');
}

function expiryInWords(iso) {
  const when = new Date(iso);
  const days = Math.round((when.getTime() - Date.now()) / 86_400_000);
  const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
  const hours = Math.round((when.getTime() - Date.now()) / 3_600_000);
  const soon = Math.abs(days) < 1 ? relative.format(hours, 'hour') : relative.format(days, 'day');
  const date = new Intl.DateTimeFormat('en', { dateStyle: 'long', timeStyle: 'short' }).format(when);
  return `${soon} (${date})`;
}

async function problemOf(response) {
  const body = await response.json().catch(() => ({}));
  return { status: response.status, detail: body.detail ?? body.title ?? response.statusText };
}

/** A link that no longer leads to a pending invitation: a screen for each reason the API gives. */
function finalState({ status, detail }) {
  if (status === 404 || status === 400) {
    return outcome('Bad link', 'This link does not work', `${detail} Check that you opened the whole link.`);
  }
  if (/accepted/i.test(detail)) return outcome('Accepted', 'This invitation has been accepted', detail);
  if (/declined/i.test(detail)) return outcome('Declined', 'This invitation was declined', detail);
  if (/withdrawn/i.test(detail)) {
    return outcome('Withdrawn', 'This invitation was withdrawn', `${detail} Ask the person who invited you.`);
  }
  if (/expired/i.test(detail)) return outcome('Expired', 'This invitation has expired', detail);
  return outcome('Unavailable', 'This invitation cannot be used', detail);
}

function problem(text) {
  const element = byId('problem');
  element.textContent = text;
  element.hidden = !text;
}

async function load() {
  if (!linkToken) return finalState({ status: 404, detail: 'The link has no invitation token.' });
  const response = await fetch(tokenPath);
  if (!response.ok) return finalState(await problemOf(response));
  preview = await response.json();
  fill('workspace', preview.workspace.name);
  fill('inviter', preview.inviter.name);
  fill('email', preview.email);
  fill('role', ROLE_WORDS[preview.role] ?? preview.role);
  fill('expires', expiryInWords(preview.expiresAt));
  document.body.dataset.state = 'pending';
  showOnly('invitation');
}

async function signIn() {
  problem('');
  const response = await fetch('/_local/sign-in', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: linkToken }),
  });
  if (!response.ok) return problem((await problemOf(response)).detail);
  Object.assign(session, await response.json());
  fill('signed-in', session.email);
  byId('sign-in').hidden = true;
  byId('decide').hidden = false;
}

async function decide(action) {
  problem('');
  for (const button of document.querySelectorAll('#decide button')) button.disabled = true;
  const headers = { authorization: `Bearer ${session.accessToken}` };
  const response =
    action === 'accept'
      ? await fetch(`${tokenPath}/accept`, { method: 'POST', headers })
      : await fetch(`/api/invitations/${encodeURIComponent(session.invitationId)}/declined`, {
          method: 'PUT',
          headers,
        });
  for (const button of document.querySelectorAll('#decide button')) button.disabled = false;
  if (!response.ok) {
    const failed = await problemOf(response);
    return failed.status === 409 || failed.status === 410 ? finalState(failed) : problem(failed.detail);
  }
  const invitation = await response.json();
  if (action === 'decline') {
    return outcome('Declined', 'You declined the invitation', `You did not join ${invitation.workspace.name}.`);
  }
  return outcome(
    'Member',
    `You are now a member of ${invitation.workspace.name}`,
    `${session.email} joined as ${ROLE_WORDS[invitation.role] ?? invitation.role} on ${new Intl.DateTimeFormat('en', {
      dateStyle: 'long',
      timeStyle: 'short',
    }).format(new Date(invitation.acceptedAt))}.`,
  );
}

byId('continue').addEventListener('click', () => void signIn());
byId('accept').addEventListener('click', () => void decide('accept'));
byId('decline').addEventListener('click', () => void decide('decline'));
load().catch((error) => outcome('Unavailable', 'The invitation could not be loaded', String(error)));
