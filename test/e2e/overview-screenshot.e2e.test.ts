/**
 * The Overview as a newcomer's README shows it: a fresh server, 30 days of usage planted for one
 * user, Chromium at 1280×800. Asserts the dashboard settles (every widget and chart: the
 * `overview-ready` mark) with its KPI tiles filled, and writes test-results/overview.png — the
 * README's docs/images/overview.png is a copy of it (refresh it by copying after a run).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { launchBrowser, logInThroughPage, openPage } from './harness.js';
import { seedUsage } from './usage-seed.js';

const PASSWORD = 'correct horse battery staple';
let server: TestServer;
let browser: Browser;
let email: string;

beforeAll(async () => {
  server = await startTestServer();
  email = `you-${Date.now()}@example.com`;
  const user = await server.running.services.accounts.createUser({ email, password: PASSWORD, verified: true });
  await seedUsage(server.database.url, { userId: user.id, rows: 20_000, tag: 'shot', models: ['openai/gpt-4o-mini', 'anthropic/claude-3-5-haiku-latest', 'gemini/gemini-2.0-flash'] });
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('Overview screenshot', () => {
  it('settles with every KPI filled and is captured at 1280×800', async () => {
    const { page, context } = await openPage(browser, { viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
    await logInThroughPage(page, server.url, { email, password: PASSWORD }, '/?range=30d&tz=UTC');
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    await expect.poll(() => page.evaluate(`performance.getEntriesByName('overview-ready').length`), { timeout: 30_000 }).toBe(1);
    expect(await page.getByRole('group', { name: 'Requests', exact: true }).locator('[data-kpi-value]').textContent()).toBe('20,000');
    const out = path.resolve('test-results', 'overview.png');
    mkdirSync(path.dirname(out), { recursive: true });
    await page.screenshot({ path: out });
    await context.close();
  });
});
