/**
 * J13 (WEBAPP.md §6.5, §6.6): every page at 375×740 and 1280×800, light and dark — axe-core finds
 * 0 violations and nothing scrolls sideways — with the main dialogs of each page opened: axe over
 * the open dialog (the page behind it was just checked on its own) and the overflow check, then
 * Escape closes it and focus is back on the control that opened it. The detail pages are swept too (an integration, a team with each of its tabs, a request's
 * shareable `/logs?request=` dialog), on an account with content in every table: an integration
 * that served a real request through the fake OpenAI, usage rows, a budget, a route, a team with a
 * second member and a pending invitation. At 375 px the "Menu" drawer opens and closes by keyboard
 * and gives focus back. One browser, one login per viewport and scheme.
 */
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeProvider } from '../fakes/fake-server.js';
import { startFakeOpenAI } from '../fakes/openai.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { axeViolations, describeViolations, launchBrowser, logInThroughPage, openPage, overflowsHorizontally } from './harness.js';
import { seedUsage } from './usage-seed.js';

const PASSWORD = 'correct horse battery staple';
const PROVIDER_KEY = 'sk-e2e-sweep-provider-key-0000000000Sw13';
const KEY_NAME = 'a key with a rather long name for narrow screens';
const INTEGRATION = 'Sweep OpenAI';
const TEAM = 'Sweep team';
const ROUTE = 'sweep-route';
const SIGNED_OUT = ['/login', '/signup', '/forgot-password', '/reset-password?token=x', '/verify-email', '/no-such-page'];
/** A dialog the sweep opens: the control that opens it, and the dialog's role and accessible name. */
interface DialogCase {
  opener: (page: Page) => Locator;
  role: 'dialog' | 'alertdialog';
  name: string;
}
/** A signed-in page, its h1, and the dialogs opened on it (added once the seeded names are known). */
interface PageCase {
  path: string;
  heading: string;
  dialogs?: DialogCase[];
}
const SIGNED_IN: PageCase[] = [
  { path: '/', heading: 'Overview' },
  { path: '/quickstart', heading: 'Quick start' },
  { path: '/integrations', heading: 'Integrations' },
  { path: '/keys', heading: 'API keys' },
  { path: '/usage', heading: 'Usage' },
  { path: '/logs', heading: 'Logs' },
  { path: '/budgets', heading: 'Budgets' },
  { path: '/teams', heading: 'Teams' },
  { path: '/routes', heading: 'Routes' },
  { path: '/settings', heading: 'Settings' },
  { path: '/admin', heading: 'Admin' },
  { path: '/admin?tab=usage', heading: 'Admin' },
];
const SIZES = [
  { width: 375, height: 740 },
  { width: 1280, height: 800 },
];

let fake: FakeProvider;
let server: TestServer;
let browser: Browser;
let adminEmail: string;
/** The request served through the gateway: its row opens "Request details". */
let requestId: string;

const button = (name: string) => (page: Page) => page.getByRole('main').getByRole('button', { name, exact: true });

beforeAll(async () => {
  fake = await startFakeOpenAI({ keys: [PROVIDER_KEY] });
  server = await startTestServer({ SWITCHBOARD_OPENAI_BASE_URL: fake.baseUrl });
  adminEmail = `sweep-admin-${Date.now()}@example.com`;
  const admin = await server.running.services.accounts.createUser({ email: adminEmail, password: PASSWORD, isAdmin: true, verified: true });
  // Content in every table, so rows, charts and long names must fit at 375 px too.
  const login = await server.api('/api/auth/login', { body: { email: adminEmail, password: PASSWORD } });
  const token = ((await login.json()) as { access_token: string }).access_token;
  const api = async (path: string, body: unknown, status: number, method?: string) => {
    const response = await server.api(path, { token, body, ...(method ? { method } : {}) });
    expect(response.status, `${method ?? 'POST'} ${path}`).toBe(status);
    return response;
  };
  const integration = (await (await api('/api/integrations', { service: 'openai', name: INTEGRATION, api_key: PROVIDER_KEY }, 201)).json()) as { id: string };
  const platformKey = ((await (await api('/api/keys', { name: KEY_NAME, models: ['openai/*'] }, 201)).json()) as { key: string }).key;
  const chat = await server.api('/v1/chat/completions', { token: platformKey, body: { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] } });
  expect(chat.status).toBe(200);
  requestId = chat.headers.get('x-request-id')!;
  expect(await server.running.services.recorder.flush()).toBe(true);
  // Planted rows for the charts. Their ids are `<tag><n>`, not ULIDs, and the log list is keyset
  // ordered by id: a tag sorting before today's ULIDs ("01…") keeps the real request on top.
  await seedUsage(server.database.url, { userId: admin.id, rows: 400, tag: '00sweep', models: ['gpt-4o-mini', 'claude-3-5-haiku'] });
  await api('/api/budgets', { scope: 'user', limit_micros: 25_000_000 }, 201, 'PUT');
  await api(`/api/routes/${ROUTE}`, { strategy: 'priority', targets: [{ model: 'openai/gpt-4o-mini' }, { model: 'openai/gpt-4o' }] }, 201, 'PUT');
  // A team with a second member (role and "Remove" controls), a pending invitation and a secret.
  const teamId = ((await (await api('/api/teams', { name: TEAM }, 201)).json()) as { id: string }).id;
  const member = await server.signIn();
  await api(`/api/teams/${teamId}/invitations`, { email: member.email, role: 'member' }, 201);
  // No SMTP here: the mailer writes the invitation to the log.
  const invitation = new RegExp(`token=(sbinv_[A-Za-z0-9_-]+)`).exec(server.logs.text())![1]!;
  expect((await server.api('/api/invitations/accept', { token: member.token, body: { token: invitation } })).status).toBe(200);
  await api(`/api/teams/${teamId}/invitations`, { email: 'someone-invited@example.com', role: 'admin' }, 201);
  await api(`/api/teams/${teamId}/integrations`, { service: 'openai', name: 'Team OpenAI', api_key: PROVIDER_KEY }, 201);

  const dialogs: Record<string, DialogCase[]> = {
    '/quickstart': [{ opener: button('Create key'), role: 'dialog', name: 'Create API key' }],
    '/integrations': [
      { opener: button('Add integration'), role: 'dialog', name: 'Add integration' },
      { opener: button(`Edit ${INTEGRATION}`), role: 'dialog', name: 'Edit integration' },
      { opener: button(`Replace key of ${INTEGRATION}`), role: 'dialog', name: 'Replace key' },
      { opener: button(`Disable ${INTEGRATION}`), role: 'alertdialog', name: `Disable ${INTEGRATION}?` },
      { opener: button(`Delete ${INTEGRATION}`), role: 'alertdialog', name: `Delete ${INTEGRATION}?` },
    ],
    '/keys': [
      { opener: button('Create key'), role: 'dialog', name: 'Create API key' },
      { opener: button(`Roll key of ${KEY_NAME}`), role: 'dialog', name: `Roll ${KEY_NAME}` },
      { opener: button(`Revoke ${KEY_NAME}`), role: 'alertdialog', name: `Revoke ${KEY_NAME}?` },
    ],
    '/logs': [{ opener: button(requestId), role: 'dialog', name: 'Request details' }],
    '/budgets': [
      { opener: button('Edit budget'), role: 'dialog', name: 'Edit budget' },
      { opener: button('Edit budget of You'), role: 'dialog', name: 'Edit budget' },
    ],
    '/teams': [{ opener: button('Create team'), role: 'dialog', name: 'Create team' }],
    '/routes': [
      { opener: button('Create route'), role: 'dialog', name: 'Create route' },
      { opener: button(`Edit route ${ROUTE}`), role: 'dialog', name: 'Edit route' },
    ],
    '/settings': [{ opener: button('Sign out other sessions'), role: 'alertdialog', name: 'Sign out other sessions?' }],
    '/admin': [{ opener: button(`Disable user ${member.email}`), role: 'alertdialog', name: `Disable user: ${member.email}?` }],
    [`/teams/${teamId}?tab=members`]: [
      { opener: button('Invite member'), role: 'dialog', name: 'Invite member' },
      { opener: button(`Remove ${member.email}`), role: 'alertdialog', name: `Remove ${member.email}?` },
    ],
    [`/teams/${teamId}?tab=keys`]: [{ opener: button('Create key'), role: 'dialog', name: 'Create API key' }],
    [`/teams/${teamId}?tab=budget`]: [{ opener: button('Edit budget'), role: 'dialog', name: 'Edit budget' }],
  };
  SIGNED_IN.push({ path: `/integrations/${integration.id}`, heading: INTEGRATION });
  for (const tab of ['members', 'secrets', 'keys', 'routes', 'budget', 'usage']) SIGNED_IN.push({ path: `/teams/${teamId}?tab=${tab}`, heading: TEAM });
  for (const entry of SIGNED_IN) entry.dialogs = dialogs[entry.path] ?? [];
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await fake?.close();
});

/** axe 0 violations (over the whole page, or only inside an open dialog) and no sideways scroll. */
async function expectClean(page: Page, where: string, dialog?: Locator): Promise<void> {
  expect(describeViolations(await axeViolations(page, dialog)), `axe at ${where}`).toBe('');
  expect(await overflowsHorizontally(page), `horizontal scroll at ${where}`).toBe(false);
}

async function logIn(page: Page): Promise<void> {
  await logInThroughPage(page, server.url, { email: adminEmail, password: PASSWORD });
  await page.getByRole('heading', { level: 1 }).waitFor();
}

/** Opens the dialog from its control, checks the page with it open, closes it with Escape and expects focus back on that control. */
async function sweepDialog(page: Page, dialog: DialogCase, where: string): Promise<void> {
  const opener = dialog.opener(page);
  await opener.click();
  const open = page.getByRole(dialog.role, { name: dialog.name, exact: true });
  await open.waitFor();
  // Its content is in (lazy dialogs, the request's details): a control or the details region.
  await open.getByRole(dialog.name === 'Request details' ? 'region' : 'button').first().waitFor();
  await expectClean(page, `${where} with “${dialog.name}” open`, open);
  await page.keyboard.press('Escape');
  await open.waitFor({ state: 'detached' });
  await expect.poll(() => opener.and(page.locator(':focus')).count(), { message: `focus back on the opener of “${dialog.name}” at ${where}` }).toBe(1);
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

      it(`signed-in pages and their dialogs at ${viewport.width}px, ${colorScheme}`, { timeout: 300_000 }, async () => {
        const { page, context } = await openPage(browser, { viewport, colorScheme });
        await logIn(page);
        for (const { path, heading, dialogs } of SIGNED_IN) {
          const where = `${path} ${viewport.width}px ${colorScheme}`;
          await page.goto(`${server.url}${path}`);
          await page.getByRole('heading', { level: 1, name: heading }).waitFor();
          expect(await page.title()).toBe(`${heading} · Switchboard`);
          await expectClean(page, where);
          for (const dialog of dialogs ?? []) await sweepDialog(page, dialog, where);
        }
        // The Logs "Status" field refusing a typed value: the inline message state.
        await page.goto(`${server.url}/logs`);
        const status = page.getByRole('combobox', { name: 'Status' });
        await status.fill('6xx');
        await status.press('Enter');
        await page.getByText('“6xx” is not a status filter.', { exact: false }).waitFor();
        await expectClean(page, `/logs status error ${viewport.width}px ${colorScheme}`);
        // A shared request link opens straight into its dialog.
        await page.goto(`${server.url}/logs?request=${requestId}`);
        const details = page.getByRole('dialog', { name: 'Request details' });
        await details.getByRole('region', { name: 'Request details content' }).getByText('Attempt 1: openai/gpt-4o-mini').waitFor();
        await expectClean(page, `/logs?request= ${viewport.width}px ${colorScheme}`, details);

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
