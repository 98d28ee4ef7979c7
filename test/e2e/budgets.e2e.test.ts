/**
 * J8 (WEBAPP.md §6.6), budgets and alerts: a $1 monthly budget with a 50% alert is set on a team
 * key through "Edit budget". Real /v1 calls against the fake provider, at a known price (an admin
 * price override: $0.10 per output token, one token per call), pass 50%: the header's
 * "Notifications, N unread" updates over SSE without a reload and a mail arrives in the SMTP sink.
 * At 100% (hard) the next call fails with source "user"; the page says "Exhausted", what callers
 * get and the reset date; the key's row shows its parent chain with the team's budget.
 *
 * Routes: a route with 2 targets is created in the editor, reordered with "Move up" by keyboard,
 * and "Preview order" shows the new order. axe: 0 violations on each page and dialog opened, at
 * 1280 px light and 375 px dark.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeProvider } from '../fakes/fake-server.js';
import { startFakeOpenAI } from '../fakes/openai.js';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { axeViolations, describeViolations, launchBrowser, logInThroughPage, openPage, overflowsHorizontally, recordResponses } from './harness.js';

const PASSWORD = 'correct horse battery staple';
const PROVIDER_KEY = 'sk-e2e-budgets-provider-0000000000000J8';

let fake: FakeProvider;
let smtp: SmtpCapture;
let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  fake = await startFakeOpenAI({ keys: [PROVIDER_KEY] });
  smtp = await startSmtpCapture();
  server = await startTestServer({ SWITCHBOARD_OPENAI_BASE_URL: fake.baseUrl, SWITCHBOARD_ALLOW_PRIVATE_UPSTREAMS: 'true', SMTP_URL: smtp.url });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await smtp?.close();
  await fake?.close();
});

const noViolations = async (page: Page) => expect(describeViolations(await axeViolations(page))).toBe('');
const loginApi = async (email: string) => ((await (await server.api('/api/auth/login', { body: { email, password: PASSWORD } })).json()) as { access_token: string }).access_token;

describe('J8: budgets and alerts', () => {
  it('alerts at 50% live and by mail, refuses at 100% with source user, shows Exhausted, the reset and the parent chain', async () => {
    const stamp = Date.now();
    const adminEmail = `j8-admin-${stamp}@example.com`;
    const email = `j8-${stamp}@example.com`;
    await server.running.services.accounts.createUser({ email: adminEmail, password: PASSWORD, isAdmin: true, verified: true });
    await server.running.services.accounts.createUser({ email, password: PASSWORD, verified: true });
    // A known price: $0.10 per output token, input free (so a call with max_tokens 1 costs exactly $0.10).
    const price = await server.api('/api/admin/prices', { token: await loginApi(adminEmail), body: { service: 'openai', model: 'gpt-4o-mini', input_micros_per_mtok: 0, output_micros_per_mtok: 100_000_000_000 } });
    expect(price.status).toBe(201);

    const token = await loginApi(email);
    expect((await server.api('/api/integrations', { token, body: { service: 'openai', api_key: PROVIDER_KEY } })).status).toBe(201);
    const team = (await (await server.api('/api/teams', { token, body: { name: 'Research' } })).json()) as { id: string };
    expect((await server.api('/api/budgets', { method: 'PUT', token, body: { scope: 'team', scope_id: team.id, limit_micros: 50_000_000 } })).status).toBe(201);
    const key = (await (await server.api('/api/keys', { token, body: { name: 'nightly batch', team_id: team.id } })).json()) as { id: string; key: string };

    const { page, context } = await openPage(browser);
    const responses = recordResponses(page);
    await logInThroughPage(page, server.url, { email, password: PASSWORD }, '/budgets');
    await page.getByRole('heading', { level: 1, name: 'Budgets' }).waitFor();
    await page.getByRole('table', { name: 'Budgets' }).waitFor();
    await noViolations(page);

    // "Edit budget": the key, $1, alert at 50%, hard.
    await page.getByRole('button', { name: 'Edit budget', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit budget' });
    await dialog.waitFor();
    await dialog.getByLabel('Scope').selectOption({ label: `Key nightly batch (sk-sb-…${key.key.slice(-4)})` });
    await dialog.getByLabel('Monthly limit (USD)').fill('-1');
    expect(await dialog.getByLabel('Alert thresholds (%)').inputValue()).toBe('50, 80, 100');
    await dialog.getByRole('button', { name: 'Save budget' }).click();
    await dialog.getByText('An amount in US dollars, not negative').waitFor();
    await dialog.getByLabel('Monthly limit (USD)').fill('1.0000001');
    await dialog.getByRole('button', { name: 'Save budget' }).click();
    await dialog.getByText('with at most 6 decimals').waitFor();
    await dialog.getByLabel('Monthly limit (USD)').fill('1');
    await dialog.getByLabel('Alert thresholds (%)').fill('50');
    expect(await dialog.getByRole('switch', { name: 'Hard limit' }).getAttribute('aria-checked')).toBe('true');
    await dialog.getByRole('checkbox', { name: 'Email' }).waitFor();
    await dialog.getByLabel('Webhook URL').waitFor();
    await noViolations(page);
    await dialog.getByRole('button', { name: 'Save budget' }).click();
    await dialog.waitFor({ state: 'detached' });
    const keyRow = page.getByRole('row', { name: /Key nightly batch/ });
    await keyRow.getByText('$0.00 of $1.00').first().waitFor();
    expect(await keyRow.textContent()).toContain('50%');
    // Stored as micro-dollars.
    const stored = (await (await server.api('/api/budgets', { token })).json()) as { data: Array<{ scope: string; limit_micros: number; alert_thresholds: number[]; hard_limit: boolean }> };
    expect(stored.data.find((budget) => budget.scope === 'key')).toMatchObject({ limit_micros: 1_000_000, alert_thresholds: [50], hard_limit: true });

    const bell = page.getByRole('button', { name: /^Notifications, \d+ unread$/ });
    expect(await bell.textContent()).toContain('0 unread');
    const call = () => server.api('/v1/chat/completions', { token: key.key, body: { model: 'openai/gpt-4o-mini', max_tokens: 1, messages: [{ role: 'user', content: 'hi' }] } });

    // Five calls: $0.50 = 50% → the alert, live in the header (no reload) and by mail.
    for (let i = 0; i < 5; i += 1) expect((await call()).status).toBe(200);
    await page.getByRole('button', { name: 'Notifications, 1 unread' }).waitFor({ timeout: 10_000 });
    const mail = await smtp.nextTo(email, 10_000);
    expect(mail.text).toContain('50%');

    // Five more: $1.00 = 100%; the next is refused before reaching the provider, with source "user".
    for (let i = 0; i < 5; i += 1) expect((await call()).status).toBe(200);
    const seen = fake.requests.length;
    const refused = await call();
    expect(refused.status).toBe(402);
    expect(((await refused.json()) as { error: { source: string; code: string } }).error).toMatchObject({ source: 'user', code: 'budget_exceeded' });
    expect(fake.requests.length).toBe(seen);

    // The page (live, no reload) says Exhausted, what callers get, and when it resets (UTC).
    await keyRow.getByText('Exhausted').waitFor({ timeout: 10_000 });
    const now = new Date();
    const reset = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', dateStyle: 'medium' }).format(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)));
    const rowText = (await keyRow.textContent()) ?? '';
    expect(rowText).toContain('source “user”');
    expect(rowText).toContain(`Resets ${reset}`);
    // The parent chain: key → team (its budget, which the key's spend also counts against) → you.
    expect(rowText).toMatch(/Parent budgets: Key nightly batch → team Research \(\$1\.00 of \$50\.00\) → you/);
    await page.getByRole('progressbar', { name: 'Key nightly batch budget' }).waitFor();
    await noViolations(page);

    const bodies = (await responses.bodies()).join('\n');
    expect(bodies).not.toContain(PROVIDER_KEY);
    expect(bodies).not.toContain(key.key);
    expect(server.logs.text()).not.toContain(PROVIDER_KEY);
    await context.close();

    // 375 px, dark: no page-level horizontal scroll, 0 violations.
    const small = await openPage(browser, { viewport: { width: 375, height: 800 }, colorScheme: 'dark' });
    await logInThroughPage(small.page, server.url, { email, password: PASSWORD }, '/budgets');
    await small.page.getByRole('table', { name: 'Budgets' }).waitFor();
    expect(await overflowsHorizontally(small.page)).toBe(false);
    await noViolations(small.page);
    await small.context.close();
  });
});

describe('Routes editor', () => {
  it('creates a route with 2 targets, reorders them by keyboard, and previews the order', async () => {
    const email = `routes-${Date.now()}@example.com`;
    await server.running.services.accounts.createUser({ email, password: PASSWORD, verified: true });
    expect((await server.api('/api/integrations', { token: await loginApi(email), body: { service: 'openai', api_key: PROVIDER_KEY } })).status).toBe(201);
    const { page, context } = await openPage(browser, { colorScheme: 'dark' });
    await logInThroughPage(page, server.url, { email, password: PASSWORD }, '/routes');
    await page.getByRole('heading', { level: 1, name: 'Routes' }).waitFor();
    await page.getByText('No routes yet').waitFor();
    await noViolations(page);

    await page.getByRole('button', { name: 'Create route' }).click();
    const editor = page.getByRole('dialog', { name: 'Create route' });
    await editor.waitFor();
    await editor.getByLabel('Route name').fill('strict');
    await editor.getByLabel('Strategy').selectOption('priority');
    await editor.getByRole('button', { name: 'Add target' }).click();
    const targets = editor.getByRole('list', { name: 'Targets' });
    await targets.getByLabel('Model', { exact: true }).nth(0).fill('openai/gpt-4o-mini');
    await targets.getByLabel('Model', { exact: true }).nth(1).fill('openai/gpt-4o');
    await noViolations(page);

    // Keyboard only: focus the second target's "Move up" and press Enter; focus stays on the moved row.
    await targets.getByRole('listitem').nth(1).getByRole('button', { name: 'Move up' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(async () => targets.getByLabel('Model', { exact: true }).nth(0).inputValue()).toBe('openai/gpt-4o');
    await expect.poll(() => page.evaluate('document.activeElement?.textContent')).toBe('Move down');
    await page.keyboard.press('Enter'); // and back down with the button that has focus
    await expect.poll(async () => targets.getByLabel('Model', { exact: true }).nth(0).inputValue()).toBe('openai/gpt-4o-mini');
    await targets.getByRole('listitem').nth(1).getByRole('button', { name: 'Move up' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(async () => targets.getByLabel('Model', { exact: true }).nth(1).inputValue()).toBe('openai/gpt-4o-mini');

    await editor.getByRole('switch', { name: 'Fall back to local model' }).click();
    await editor.getByRole('button', { name: 'Preview order' }).click();
    const order = editor.getByRole('region', { name: 'Candidate order' });
    await order.waitFor();
    const items = await order.getByRole('listitem').allTextContents();
    expect(items[0]).toContain('openai/gpt-4o —');
    expect(items[0]).toContain('breaker closed');
    expect(items[1]).toContain('openai/gpt-4o-mini');
    expect(items[2]).toContain('local model');
    await noViolations(page);
    await editor.getByRole('button', { name: 'Save route' }).click();
    await editor.waitFor({ state: 'detached' });
    const row = page.getByRole('table', { name: 'Routes' }).getByRole('row', { name: /strict/ });
    expect((await row.getByRole('listitem').allTextContents()).map((text) => text.trim())).toEqual(['openai/gpt-4o', 'openai/gpt-4o-mini']);
    const stored = (await (await server.api('/api/routes/strict', { token: await loginApi(email) })).json()) as { targets: Array<{ model: string }>; fallback_local: boolean };
    expect(stored).toMatchObject({ targets: [{ model: 'openai/gpt-4o' }, { model: 'openai/gpt-4o-mini' }], fallback_local: true });
    await context.close();
  });
});
