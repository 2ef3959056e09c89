/**
 * The invitee's page in a real Chromium, against `npm start`'s entry point: from the link in the
 * email to membership, and every other state a link can be in, at desktop and phone widths.
 * Screenshots of each state go to test-artifacts/screenshots/.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../functions/store/keys';
import { localDynamoClient } from '../../local/dynamodb-local';
import { loadSettings } from '../../local/settings';
import {
  emailsTo,
  http,
  linkIn,
  ROOT,
  type Runner,
  removeDataDir,
  type StoredEmail,
  startRunner,
} from '../e2e/support/runner';
import { attributeKey } from '../support/attribute-key';
import { chromiumPath } from '../support/chromium';

const executablePath = chromiumPath();
const SCREENSHOTS = join(ROOT, 'test-artifacts', 'screenshots');
const VIEWPORTS = [
  { name: 'desktop', viewport: { width: 1280, height: 800 }, isMobile: false },
  { name: 'phone', viewport: { width: 390, height: 844 }, isMobile: true },
] as const;

let runner: Runner;
let browser: Browser;
let owner: string;
let workspaceId: string;
let sequence = 0;

beforeAll(async () => {
  if (!executablePath) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  [runner, browser] = await Promise.all([
    startRunner(),
    chromium.launch({
      executablePath,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    }),
  ]);
  owner = await runner.token({ sub: 'olivia', email: 'olivia@example.com', name: 'Olivia Owner' });
  const workspace = await http(runner, 'POST', '/api/workspaces', { token: owner, body: { name: 'Acme Research' } });
  workspaceId = workspace.body.id;
});

afterAll(async () => {
  await browser?.close();
  if (runner) {
    await runner.stop();
    removeDataDir(runner.dataDir);
  }
});

/** Invites a new address and returns the invitation id and the link from its email. */
async function invite(label: string): Promise<{ id: string; email: string; link: string }> {
  const email = `${label}-${++sequence}@example.com`;
  const created = await http(runner, 'POST', `/api/workspaces/${workspaceId}/invitations`, {
    token: owner,
    body: { email },
  });
  expect(created.status).toBe(202);
  const [sent] = await emailsTo(runner, email);
  return { id: created.body.id, email, link: linkIn(sent as StoredEmail).href };
}

it('has a Chromium where the tests are required to run it', () => {
  expect({ chromium: Boolean(executablePath) || process.env.CI !== 'true' }).toEqual({ chromium: true });
});

describe.skipIf(!executablePath)('the accept page in Chromium', () => {
  for (const device of VIEWPORTS) {
    describe(`at ${device.name} width`, () => {
      let context: BrowserContext;
      let page: Page;
      const pageErrors: string[] = [];

      beforeAll(async () => {
        context = await browser.newContext({ viewport: device.viewport, isMobile: device.isMobile });
        page = await context.newPage();
        // Script errors and CSP refusals; a 4xx the page reads and shows is no error of its own.
        page.on('console', (message) => {
          if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
            pageErrors.push(message.text());
          }
        });
        page.on('pageerror', (error) => pageErrors.push(error.message));
      });

      afterAll(async () => {
        await context?.close();
      });

      const shot = (state: string) =>
        page.screenshot({ path: join(SCREENSHOTS, `${device.name}-${state}.png`), fullPage: true });

      async function fitsTheWidth(): Promise<void> {
        // Runs in the page; the test's own types have no DOM.
        const overflow = await page.evaluate('document.documentElement.scrollWidth - window.innerWidth');
        expect(overflow).toBeLessThanOrEqual(0);
      }

      it('email link → page → continue as the invitee → accept → member; a reload shows the final state', async () => {
        const invitation = await invite('bob');
        await page.goto(invitation.link);
        await page.locator('body[data-state="pending"]').waitFor();
        const card = page.locator('#invitation');
        expect(await card.locator('h1').innerText()).toBe('Join Acme Research');
        const text = await card.innerText();
        expect(text).toContain(`Olivia Owner invited b${'*'.repeat(invitation.email.indexOf('@') - 1)}@example.com`);
        expect(text).toContain('to join as a member.');
        expect(text).toMatch(/This invitation expires in 7 days \(\w+ \d{1,2}, \d{4}/);
        expect(text).toContain('Local only');
        expect(text).not.toMatch(/[{}"]|\d{4}-\d{2}-\d{2}T/);
        await fitsTheWidth();
        await shot('pending');

        await page.getByRole('button', { name: /^Continue as / }).click();
        await page.locator('#decide').waitFor();
        expect(await page.locator('#decide').innerText()).toContain(`Signed in as ${invitation.email}`);
        await shot('signed-in');

        await page.getByRole('button', { name: 'Accept' }).click();
        await page.locator('body[data-state="member"]').waitFor();
        expect(await page.locator('#outcome h1').innerText()).toBe('You are now a member of Acme Research');
        expect(await page.locator('#outcome').innerText()).toContain(`${invitation.email} joined as a member on`);
        await fitsTheWidth();
        await shot('accepted');

        const members = await http(runner, 'GET', `/api/workspaces/${workspaceId}/members`, { token: owner });
        const joined = members.body._embedded.members.find(
          (member: { email?: string; userId: string }) => member.email === invitation.email,
        );
        expect(joined).toMatchObject({ role: 'MEMBER' });
        expect((await http(runner, 'GET', `/api/invitations/${invitation.id}`, { token: owner })).body.status).toBe(
          'ACCEPTED',
        );

        await page.reload();
        await page.locator('body[data-state="accepted"]').waitFor();
        expect(await page.locator('#outcome h1').innerText()).toBe('This invitation has been accepted');
        expect(await page.getByRole('button').count()).toBe(0);
        await shot('accepted-reloaded');
        expect(pageErrors).toEqual([]);
      });

      it('declines, and a reload shows the declined state', async () => {
        const invitation = await invite('dora');
        await page.goto(invitation.link);
        await page.getByRole('button', { name: /^Continue as / }).click();
        await page.getByRole('button', { name: 'Decline' }).click();
        await page.locator('body[data-state="declined"]').waitFor();
        expect(await page.locator('#outcome h1').innerText()).toBe('You declined the invitation');
        expect(await page.locator('#outcome').innerText()).toContain('You did not join Acme Research.');
        await shot('declined');
        expect((await http(runner, 'GET', `/api/invitations/${invitation.id}`, { token: owner })).body.status).toBe(
          'DECLINED',
        );

        await page.reload();
        await page.locator('body[data-state="declined"]').waitFor();
        expect(await page.locator('#outcome h1').innerText()).toBe('This invitation was declined');
        expect(await page.getByRole('button').count()).toBe(0);
        await shot('declined-reloaded');
      });

      it('shows a withdrawn invitation as withdrawn, without a form', async () => {
        const invitation = await invite('wes');
        const withdrawn = await http(runner, 'PUT', `/api/invitations/${invitation.id}/revoked`, { token: owner });
        expect(withdrawn.status).toBe(200);
        await page.goto(invitation.link);
        await page.locator('body[data-state="withdrawn"]').waitFor();
        expect(await page.locator('#outcome h1').innerText()).toBe('This invitation was withdrawn');
        expect(await page.locator('#outcome').innerText()).toContain('Ask the person who invited you.');
        expect(await page.getByRole('button').count()).toBe(0);
        await fitsTheWidth();
        await shot('withdrawn');
      });

      it('shows an invitation past its expiry as expired, without a form', async () => {
        const invitation = await invite('eve');
        // Time passes: the invitation's expiry moves into the past, as a week would move it.
        const dynamo = localDynamoClient(`http://127.0.0.1:${runner.ports.dynamo}`);
        try {
          await dynamo.send(
            new UpdateItemCommand({
              TableName: loadSettings().tableName,
              Key: attributeKey(keys.invitation(invitation.id)),
              UpdateExpression: 'SET expiresAt = :past',
              ExpressionAttributeValues: { ':past': { S: new Date(Date.now() - 60_000).toISOString() } },
            }),
          );
        } finally {
          dynamo.destroy();
        }
        await page.goto(invitation.link);
        await page.locator('body[data-state="expired"]').waitFor();
        expect(await page.locator('#outcome h1').innerText()).toBe('This invitation has expired');
        expect(await page.locator('#outcome').innerText()).toContain('Ask for a new one.');
        expect(await page.getByRole('button').count()).toBe(0);
        await shot('expired');
      });

      it('shows a bad link, or a link without a token, as a bad link', async () => {
        for (const [path, state] of [
          ['/accept?token=not-a-real-token', 'bad-link'],
          ['/accept', 'no-token'],
        ] as const) {
          await page.goto(`${runner.api}${path}`);
          await page.locator('body[data-state="bad-link"]').waitFor();
          expect(await page.locator('#outcome h1').innerText(), state).toBe('This link does not work');
          expect(await page.getByRole('button').count(), state).toBe(0);
          await fitsTheWidth();
          await shot(state);
        }
      });
    });
  }
});
