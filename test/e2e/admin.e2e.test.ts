/**
 * J11 (WEBAPP.md §6.6), the admin panel: an admin finds a user ("Search users") and disables them
 * (confirmed in an alertdialog); that user's next API call fails and their open page goes to the
 * login page. "Health" shows an open breaker after the fake provider fails real calls. The audit
 * log has both actions (disable, sign out everywhere). Canary provider keys planted for 5 tenants
 * appear in no admin page text nor any network response. "Usage" (the Overview dashboard at global
 * scope) shows the platform totals GET /api/admin/usage answers. A non-admin gets Not found at /admin.
 * axe: 0 violations on every tab and the confirmation (1280 light), and Users at 375 dark.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeProvider } from '../fakes/fake-server.js';
import { startFakeOpenAI } from '../fakes/openai.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { axeViolations, describeViolations, focusedElement, kpisOf, kpiValues, lastSevenDaysUtc, launchBrowser, logInThroughPage, openPage, recordResponses, type AggregateTotals } from './harness.js';

const PASSWORD = 'correct horse battery staple';
const CANARIES = [0, 1, 2, 3, 4].map((i) => `sk-canary-tenant-${i}-j11-000000000000000${i}`);

let fake: FakeProvider;
let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  fake = await startFakeOpenAI({ keys: CANARIES });
  server = await startTestServer({
    SWITCHBOARD_OPENAI_BASE_URL: fake.baseUrl,
    SWITCHBOARD_ALLOW_PRIVATE_UPSTREAMS: 'true',
    SWITCHBOARD_RETRY_MAX_ATTEMPTS: '1',
    SWITCHBOARD_BREAKER_FAILURES: '2',
    SWITCHBOARD_BREAKER_COOLDOWN_MS: '600000',
  });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await fake?.close();
});

const noViolations = async (page: Page) => expect(describeViolations(await axeViolations(page))).toBe('');
const loginApi = async (email: string) => ((await (await server.api('/api/auth/login', { body: { email, password: PASSWORD } })).json()) as { access_token: string }).access_token;

describe('J11: admin panel', () => {
  it('finds and disables a user, shows an open breaker, audits both actions, never shows key material', async () => {
    const stamp = Date.now();
    const adminEmail = `j11-admin-${stamp}@example.com`;
    await server.running.services.accounts.createUser({ email: adminEmail, password: PASSWORD, isAdmin: true, verified: true });
    // Five tenants, each with a canary provider key and a platform key; tenant 0 is the one disabled.
    const tenants: Array<{ email: string; id: string; token: string; platformKey: string }> = [];
    for (const [i, canary] of CANARIES.entries()) {
      const email = `j11-tenant${i}-${stamp}@example.com`;
      const user = await server.running.services.accounts.createUser({ email, password: PASSWORD, verified: true });
      const token = await loginApi(email);
      expect((await server.api('/api/integrations', { token, body: { service: 'openai', api_key: canary, name: `tenant ${i}` } })).status).toBe(201);
      const key = (await (await server.api('/api/keys', { token, body: { name: `tenant ${i} key` } })).json()) as { key: string };
      tenants.push({ email, id: user.id, token, platformKey: key.key });
    }
    expect((await server.api('/api/teams', { token: tenants[3]!.token, body: { name: `Canary team ${stamp}` } })).status).toBe(201);
    const victim = tenants[0]!;
    const call = (key: string, model = 'openai/gpt-4o-mini') => server.api('/v1/chat/completions', { token: key, body: { model, messages: [{ role: 'user', content: 'hi' }] } });
    expect((await call(victim.platformKey)).status).toBe(200);

    // The victim has the app open.
    const victimPage = await openPage(browser);
    await logInThroughPage(victimPage.page, server.url, { email: victim.email, password: PASSWORD }, '/keys');
    await victimPage.page.getByRole('heading', { level: 1, name: 'API keys' }).waitFor();

    const { page, context } = await openPage(browser);
    const responses = recordResponses(page);
    await logInThroughPage(page, server.url, { email: adminEmail, password: PASSWORD }, '/admin');
    await page.getByRole('heading', { level: 1, name: 'Admin' }).waitFor();
    const tabs = page.getByRole('tablist', { name: 'Admin sections' });
    await page.getByRole('table', { name: 'Users' }).waitFor();
    await noViolations(page);

    // Find the user, disable them.
    await page.getByRole('searchbox', { name: 'Search users' }).fill(`j11-tenant0-${stamp}`);
    const users = page.getByRole('table', { name: 'Users' });
    await expect.poll(() => users.getByRole('row').count()).toBe(2);
    const row = users.getByRole('row', { name: new RegExp(victim.email) });
    // Issue 7: every row action names its user (not "Disable user" × N).
    for (const label of ['Disable user', 'Make admin', 'Sign out everywhere']) {
      expect(await users.getByRole('button', { name: `${label} ${victim.email}`, exact: true }).count(), label).toBe(1);
    }
    await row.getByRole('button', { name: `Disable user ${victim.email}`, exact: true }).click();
    const confirm = page.getByRole('alertdialog', { name: `Disable user: ${victim.email}?` });
    await confirm.waitFor();
    await noViolations(page);
    await confirm.getByRole('button', { name: 'Disable user' }).click();
    await confirm.waitFor({ state: 'detached' });
    await row.getByText('Disabled').waitFor();
    await row.getByRole('button', { name: `Enable user ${victim.email}`, exact: true }).waitFor();
    // The "Disable user" that opened the dialog became "Enable user": focus is there, not on <body>.
    await expect.poll(() => focusedElement(page)).toBe(`BUTTON Enable user ${victim.email}`);

    // Their next API call fails; their open page goes to the login page.
    expect((await call(victim.platformKey)).status).toBe(401);
    await victimPage.page.waitForURL((url) => url.pathname === '/login', { timeout: 15_000 });
    await victimPage.context.close();

    // A second audited action: sign tenant 1 out everywhere.
    await page.getByRole('searchbox', { name: 'Search users' }).fill(tenants[1]!.email);
    const other = users.getByRole('row', { name: new RegExp(tenants[1]!.email) });
    await other.getByRole('button', { name: `Sign out everywhere ${tenants[1]!.email}`, exact: true }).click();
    const signOut = page.getByRole('alertdialog', { name: `Sign out everywhere: ${tenants[1]!.email}?` });
    await signOut.getByRole('button', { name: 'Sign out everywhere' }).click();
    await signOut.waitFor({ state: 'detached' });

    // The provider fails real calls (tenant 2): the openai endpoint's breaker opens; Health shows it.
    for (let i = 0; i < 2; i += 1) expect((await call(tenants[2]!.platformKey, 'openai/fake-error-500')).status).toBeGreaterThanOrEqual(500);
    await tabs.getByRole('tab', { name: 'Health' }).click();
    const breakers = page.getByRole('table', { name: 'Circuit breakers' });
    await breakers.waitFor();
    for (const card of ['Database', 'Redis', 'Migrations', 'Job queue', 'Workers']) await page.getByRole('region', { name: card, exact: true }).waitFor();
    const openai = breakers.getByRole('row', { name: /Provider openai/ });
    await expect.poll(async () => (await openai.getByRole('cell').allTextContents()).slice(1, 2), { timeout: 10_000 }).toEqual(['1']);
    await page.getByRole('region', { name: 'Errors, last 15 min' }).getByText(/provider [1-9]/).waitFor();
    await noViolations(page);

    // The audit log has both actions, by this admin; filters narrow it.
    await tabs.getByRole('tab', { name: 'Audit log' }).click();
    await page.getByLabel('Action', { exact: true }).fill('user.');
    const audit = page.getByRole('table', { name: 'Audit log' });
    await audit.getByRole('cell', { name: 'user.disabled', exact: true }).waitFor();
    await audit.getByRole('cell', { name: 'user.sessions_revoked', exact: true }).waitFor();
    await page.getByLabel('Target', { exact: true }).fill(victim.id);
    await expect.poll(async () => audit.getByRole('cell', { name: 'user.sessions_revoked', exact: true }).count()).toBe(0);
    await audit.getByRole('cell', { name: 'user.disabled', exact: true }).waitFor();
    await audit.getByText('Changes').first().click();
    await noViolations(page);

    for (const name of ['Teams', 'Usage', 'Prices']) {
      await tabs.getByRole('tab', { name }).click();
      await page.getByRole('tabpanel', { name }).getByRole('table').first().waitFor();
      await noViolations(page);
    }
    await page.getByRole('table', { name: 'Prices' }).getByRole('rowheader', { name: 'openai/gpt-4o-mini', exact: true }).waitFor();

    // "Usage" is the Overview dashboard at global scope: its tiles equal GET /api/admin/usage for the
    // same range and zone (every tenant's requests, not the admin's own).
    expect(await server.running.services.recorder.flush()).toBe(true);
    const { from, to } = lastSevenDaysUtc();
    const adminToken = await loginApi(adminEmail);
    const platform = await server.api(`/api/admin/usage?group_by=day&from=${from}&to=${to}&tz=UTC`, { token: adminToken });
    expect(platform.status).toBe(200);
    const { totals } = (await platform.json()) as { totals: AggregateTotals };
    expect(totals.requests).toBeGreaterThanOrEqual(3);
    await page.goto(`${server.url}/admin?tab=usage&range=7d&tz=UTC`);
    const usage = page.getByRole('tabpanel', { name: 'Usage' });
    await usage.getByText('Times shown in UTC').waitFor();
    await expect.poll(() => kpiValues(usage), { timeout: 15_000 }).toEqual(kpisOf(totals));
    await usage.getByRole('table', { name: 'Top models' }).getByRole('rowheader', { name: 'gpt-4o-mini' }).waitFor();
    // Global rows link nowhere (the Logs page shows only the admin's own requests) and there is no personal health strip.
    expect(await usage.getByRole('table', { name: 'Top models' }).getByRole('link').count()).toBe(0);
    expect(await usage.getByRole('region', { name: 'Integration health' }).count()).toBe(0);
    await noViolations(page);

    // No key material anywhere: page text and every response the admin pages received.
    const text = (await page.content()) + (await page.evaluate('document.body.innerText'));
    const bodies = (await responses.bodies()).join('\n');
    for (const secret of [...CANARIES, ...tenants.map((tenant) => tenant.platformKey)]) {
      expect(text).not.toContain(secret);
      expect(bodies).not.toContain(secret);
      expect(server.logs.text()).not.toContain(secret);
    }
    await context.close();

    // Users at 375 px, dark.
    const small = await openPage(browser, { viewport: { width: 375, height: 800 }, colorScheme: 'dark' });
    await logInThroughPage(small.page, server.url, { email: adminEmail, password: PASSWORD }, '/admin');
    await small.page.getByRole('table', { name: 'Users' }).waitFor();
    await noViolations(small.page);
    await small.context.close();
  }, 60_000);

  it('a non-admin gets the Not found page at /admin, never the panel', async () => {
    const email = `j11-plain-${Date.now()}@example.com`;
    await server.running.services.accounts.createUser({ email, password: PASSWORD, verified: true });
    const { page, context } = await openPage(browser);
    const responses = recordResponses(page);
    await logInThroughPage(page, server.url, { email, password: PASSWORD }, '/admin');
    await page.getByRole('heading', { level: 1, name: 'Not found' }).waitFor();
    expect(await page.getByRole('tablist', { name: 'Admin sections' }).count()).toBe(0);
    expect(await page.getByRole('navigation', { name: 'Main' }).first().getByRole('link', { name: 'Admin' }).count()).toBe(0);
    expect((await responses.bodies()).join('\n')).not.toContain('"spend_this_month_micros"');
    await noViolations(page);
    await context.close();
  });
});
