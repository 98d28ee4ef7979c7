/**
 * J13 (WEBAPP.md §6.5, §6.6) for the pages that exist so far: every page at 375×740 and
 * 1280×800, light and dark — axe-core finds 0 violations and nothing scrolls sideways; at 375 px
 * the "Menu" drawer opens and closes by keyboard and gives focus back. Pages are added to the
 * lists below as they are built; a team's Team secrets and Usage sections, the admin Usage tab
 * and the Logs "Status" field's error state are swept too.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { axeViolations, describeViolations, launchBrowser, logInThroughPage, openPage, overflowsHorizontally } from './harness.js';

const PASSWORD = 'correct horse battery staple';
const SIGNED_OUT = ['/login', '/signup', '/forgot-password', '/reset-password?token=x', '/verify-email', '/no-such-page'];
const SIGNED_IN: Array<[path: string, heading: string]> = [
  ['/', 'Overview'],
  ['/quickstart', 'Quick start'],
  ['/integrations', 'Integrations'],
  ['/keys', 'API keys'],
  ['/usage', 'Usage'],
  ['/logs', 'Logs'],
  ['/budgets', 'Budgets'],
  ['/teams', 'Teams'],
  ['/routes', 'Routes'],
  ['/settings', 'Settings'],
  ['/admin', 'Admin'],
  ['/admin?tab=usage', 'Admin'],
];
const TEAM = 'Sweep team';
const SIZES = [
  { width: 375, height: 740 },
  { width: 1280, height: 800 },
];

let server: TestServer;
let browser: Browser;
let adminEmail: string;

beforeAll(async () => {
  server = await startTestServer();
  adminEmail = `sweep-admin-${Date.now()}@example.com`;
  await server.running.services.accounts.createUser({ email: adminEmail, password: PASSWORD, isAdmin: true, verified: true });
  // Some content, so tables render (and must not push the page sideways at 375 px).
  const login = await server.api('/api/auth/login', { body: { email: adminEmail, password: PASSWORD } });
  const token = ((await login.json()) as { access_token: string }).access_token;
  expect((await server.api('/api/keys', { token, body: { name: 'a key with a rather long name for narrow screens', models: ['openai/gpt-4o-mini'] } })).status).toBe(201);
  // A team, for its sections that reuse other pages' views (Team secrets = Integrations, Usage = the dashboard).
  const team = await server.api('/api/teams', { token, body: { name: TEAM } });
  expect(team.status).toBe(201);
  const teamId = ((await team.json()) as { id: string }).id;
  for (const tab of ['secrets', 'usage']) SIGNED_IN.push([`/teams/${teamId}?tab=${tab}`, TEAM]);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function expectClean(page: Page, where: string): Promise<void> {
  expect(describeViolations(await axeViolations(page)), `axe at ${where}`).toBe('');
  expect(await overflowsHorizontally(page), `horizontal scroll at ${where}`).toBe(false);
}

async function logIn(page: Page): Promise<void> {
  await logInThroughPage(page, server.url, { email: adminEmail, password: PASSWORD });
  await page.getByRole('heading', { level: 1 }).waitFor();
}

describe('J13: responsive and accessibility sweep', () => {
  for (const viewport of SIZES) {
    for (const colorScheme of ['light', 'dark'] as const) {
      it(`signed-out pages at ${viewport.width}px, ${colorScheme}`, async () => {
        const { page, context } = await openPage(browser, { viewport, colorScheme });
        for (const path of SIGNED_OUT) {
          await page.goto(`${server.url}${path}`);
          await page.getByRole('heading', { level: 1 }).waitFor();
          await expectClean(page, `${path} ${viewport.width}px ${colorScheme}`);
        }
        await context.close();
      });

      it(`signed-in pages at ${viewport.width}px, ${colorScheme}`, { timeout: 120_000 }, async () => {
        const { page, context } = await openPage(browser, { viewport, colorScheme });
        await logIn(page);
        for (const [path, heading] of SIGNED_IN) {
          await page.goto(`${server.url}${path}`);
          await page.getByRole('heading', { level: 1, name: heading }).waitFor();
          expect(await page.title()).toBe(`${heading} · Switchboard`);
          await expectClean(page, `${path} ${viewport.width}px ${colorScheme}`);
        }
        // The Logs "Status" field refusing a typed value: the inline message state.
        await page.goto(`${server.url}/logs`);
        const status = page.getByRole('combobox', { name: 'Status' });
        await status.fill('6xx');
        await status.press('Enter');
        await page.getByText('“6xx” is not a status filter.', { exact: false }).waitFor();
        await expectClean(page, `/logs status error ${viewport.width}px ${colorScheme}`);
        await context.close();
      });
    }
  }

  it('at 375 px the menu drawer opens and closes by keyboard, traps focus and gives it back', async () => {
    const { page, context } = await openPage(browser, { viewport: { width: 375, height: 740 } });
    await logIn(page);
    const opener = page.getByRole('button', { name: 'Open menu' });
    await opener.focus();
    await page.keyboard.press('Enter');
    const drawer = page.getByRole('dialog', { name: 'Menu' });
    await drawer.waitFor();
    await expectClean(page, 'drawer open');
    // Focus stays inside the drawer however far one tabs.
    for (let i = 0; i < 20; i += 1) await page.keyboard.press('Tab');
    expect(await drawer.locator(':focus').count()).toBe(1);
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });
    expect(await page.evaluate('document.activeElement?.getAttribute("aria-label") ?? document.activeElement?.textContent')).toMatch(/Open menu/);
    // Choosing a link closes it too.
    await opener.click();
    await drawer.getByRole('link', { name: 'Budgets' }).click();
    await page.getByRole('heading', { level: 1, name: 'Budgets' }).waitFor();
    expect(await drawer.count()).toBe(0);
    await context.close();
  });
});
