/**
 * J6 (WEBAPP.md §6.6): dashboard correctness at scale. One user's usage is planted with SQL and
 * rolled up (test/e2e/usage-seed.ts; DASH_E2E_ROWS rows, 100k by default: 1M takes the seed
 * alone past the journey's 60 s here, so the 1M case is the `usage-aggregate` bench). Every KPI
 * equals an independent SQL total over the raw rows (p95 from the histogram: within one cell);
 * in Asia/Kolkata the per-day values of the "Spend over time" data table sum to the range total
 * and a single-day range equals that day's SQL total; unpriced rows show as "N unpriced requests";
 * switching 7d → 30d keeps the old chart (with "Updating…") until the new data arrives; axe finds
 * nothing at 1280 and 375 px, light and dark.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../helpers/test-database.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { axeViolations, describeViolations, launchBrowser, logInThroughPage, openPage, overflowsHorizontally } from './harness.js';
import { seedUsage } from './usage-seed.js';

const PASSWORD = 'correct horse battery staple';
const ROWS = Number(process.env.DASH_E2E_ROWS ?? 100_000);
const money = (micros: number) => new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(micros / 1e6);
const count = (value: number) => new Intl.NumberFormat('en-US').format(value);
const percent = (ratio: number) => new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 1 }).format(ratio);
const parseMoney = (text: string) => Number(text.replace(/[$,]/g, ''));

let server: TestServer;
let browser: Browser;
let email: string;
let userId: string;

beforeAll(async () => {
  server = await startTestServer();
  email = `j6-${Date.now()}@example.com`;
  userId = (await server.running.services.accounts.createUser({ email, password: PASSWORD, verified: true })).id;
  await seedUsage(server.database.url, { userId, rows: ROWS, tag: 'j6' });
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const kpi = (page: Page, title: string) => page.getByRole('group', { name: title, exact: true });
const kpiValue = (page: Page, title: string) => kpi(page, title).locator('[data-kpi-value]').textContent();

describe('J6: dashboard correctness at scale', () => {
  it('shows KPIs equal to SQL totals, zone-exact days, unpriced as unpriced, and keeps the chart while loading', async () => {
    const [sql] = await queryRows<Record<string, string>>(
      server.database.url,
      `select count(*) requests, coalesce(sum(cost_micros), 0) cost, count(*) filter (where not priced) unpriced,
         count(*) filter (where status >= 400) errors, count(*) filter (where fallback) fallbacks,
         coalesce(sum(input_tokens), 0) + coalesce(sum(output_tokens), 0) tokens,
         percentile_cont(0.95) within group (order by latency_ms) p95
       from usage_records where user_id = $1`,
      [userId],
    );
    const { page, context } = await openPage(browser);
    await logInThroughPage(page, server.url, { email, password: PASSWORD }, '/?range=30d&tz=UTC');
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    await page.getByText('Times shown in UTC').waitFor();
    await expect.poll(() => kpiValue(page, 'Requests'), { timeout: 20_000 }).toBe(count(Number(sql!.requests)));
    expect(await kpiValue(page, 'Spend')).toBe(money(Number(sql!.cost)));
    expect(await kpiValue(page, 'Tokens')).toBe(count(Number(sql!.tokens)));
    expect(await kpiValue(page, 'Error rate')).toBe(percent(Number(sql!.errors) / Number(sql!.requests)));
    expect(await kpiValue(page, 'Fallback rate')).toBe(percent(Number(sql!.fallbacks) / Number(sql!.requests)));
    // Unpriced is never $0: the count is said, and the estimated badge is shown.
    await kpi(page, 'Spend').getByText(`${count(Number(sql!.unpriced))} unpriced requests`).waitFor();
    await kpi(page, 'Spend').getByText('estimated').waitFor();
    // p95 comes from a log histogram: within one cell (×1.6) of the exact percentile.
    const p95Text = (await kpiValue(page, 'Latency p95')) ?? '';
    const p95 = p95Text.endsWith(' ms') ? Number(p95Text.replace(/[^\d.]/g, '')) : Number(p95Text.replace(/[^\d.]/g, '')) * 1000;
    expect(p95 / Number(sql!.p95)).toBeGreaterThan(1 / 1.6);
    expect(p95 / Number(sql!.p95)).toBeLessThan(1.6);
    await kpi(page, 'Time to first token p50').waitFor();

    // The ready mark: every widget settled and the four charts drawn.
    await expect.poll(() => page.evaluate(`performance.getEntriesByName('overview-ready').length`), { timeout: 20_000 }).toBe(1);
    const readyMs = Number(await page.evaluate(`performance.getEntriesByName('overview-ready')[0].startTime`));
    console.log(`J6: overview-ready at ${Math.round(readyMs)} ms after navigation start (${ROWS} rows)`);

    for (const [scheme, width] of [['light', 1280], ['dark', 1280], ['dark', 375], ['light', 375]] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.setViewportSize({ width, height: 800 });
      expect(describeViolations(await axeViolations(page)), `${scheme} ${width}`).toBe('');
      expect(await overflowsHorizontally(page), `${scheme} ${width}`).toBe(false);
    }
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.emulateMedia({ colorScheme: 'light' });

    // Asia/Kolkata (+05:30): the days of the data table add up to the range total.
    await page.goto(`${server.url}/?range=30d&tz=Asia/Kolkata`);
    const spend = page.getByRole('figure', { name: 'Spend over time' });
    await spend.getByRole('button', { name: 'Show data table' }).click();
    const table = spend.getByRole('table', { name: 'Spend over time' });
    await table.locator('tbody tr').first().waitFor();
    const cells = await table.locator('tbody td').allTextContents();
    const sum = cells.reduce((total, text) => total + parseMoney(text), 0);
    expect(Math.abs(sum - Number(sql!.cost) / 1e6)).toBeLessThanOrEqual(cells.length * 0.005 + 1e-9);
    expect(await kpiValue(page, 'Spend')).toBe(money(Number(sql!.cost)));

    // A single day in Kolkata equals that day's SQL total.
    const [day] = await queryRows<{ day: string; cost: string }>(
      server.database.url,
      `select to_char((created_at at time zone 'Asia/Kolkata')::date, 'YYYY-MM-DD') as day, coalesce(sum(cost_micros), 0) cost
       from usage_records where user_id = $1 group by 1 order by 1 limit 1 offset 3`,
      [userId],
    );
    await page.goto(`${server.url}/?range=custom&from=${day!.day}&to=${day!.day}&tz=Asia/Kolkata`);
    await expect.poll(() => kpiValue(page, 'Spend'), { timeout: 15_000 }).toBe(money(Number(day!.cost)));

    // 7 days → 30 days: the old chart stays, "Updating…" says so, until the new data arrives.
    await page.goto(`${server.url}/?range=7d&tz=UTC`);
    await page.getByRole('figure', { name: 'Spend over time' }).waitFor();
    await expect.poll(() => kpiValue(page, 'Requests')).not.toBe(count(Number(sql!.requests)));
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route(/\/api\/usage\?group_by=day%2Cmodel/, async (route) => {
      await held;
      await route.continue();
    });
    await page.getByRole('group', { name: 'Date range' }).getByRole('button', { name: 'Last 30 days' }).click();
    await page.getByRole('region', { name: 'Spend over time' }).getByRole('status').filter({ hasText: 'Updating…' }).waitFor();
    expect(await page.getByRole('figure', { name: 'Spend over time' }).isVisible()).toBe(true);
    release();
    await page.getByRole('region', { name: 'Spend over time' }).getByRole('status').waitFor({ state: 'detached' });
    await page.unroute(/\/api\/usage\?group_by=day%2Cmodel/);
    await expect.poll(() => kpiValue(page, 'Requests')).toBe(count(Number(sql!.requests)));
    await context.close();
  }, 90_000);
});
