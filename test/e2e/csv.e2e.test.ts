/**
 * J7 (WEBAPP.md §6.6): CSV export = screen. With the filters model=X and status=5xx on the Usage
 * page, "Export CSV" downloads a file (the `download` event) whose row count and cost sum equal the
 * totals the page shows for the same filters; the header is the usage record's API field names; a
 * model whose name starts with `=` is neutralized (a leading '). axe: 0 violations at 1280 and 375,
 * light and dark.
 */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { axeViolations, describeViolations, launchBrowser, logInThroughPage, openPage, overflowsHorizontally } from './harness.js';
import { seedUsage } from './usage-seed.js';

const PASSWORD = 'correct horse battery staple';
const FORMULA_MODEL = '=SUM(1+1)';
const money = (micros: number) => new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(micros / 1e6);
const count = (value: number) => new Intl.NumberFormat('en-US').format(value);

let server: TestServer;
let browser: Browser;
let email: string;

beforeAll(async () => {
  server = await startTestServer();
  email = `j7-${Date.now()}@example.com`;
  const user = await server.running.services.accounts.createUser({ email, password: PASSWORD, verified: true });
  await seedUsage(server.database.url, { userId: user.id, rows: 6000, tag: 'j7', models: ['model-x', FORMULA_MODEL, 'model-y'] });
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function exportCsv(page: Page): Promise<{ name: string; header: string[]; rows: string[][] }> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
  const text = readFileSync((await download.path())!, 'utf8');
  const [head, ...lines] = text.split('\r\n').filter((line) => line.length > 0);
  return { name: download.suggestedFilename(), header: head!.split(','), rows: lines.map((line) => line.split(',')) };
}

describe('J7: CSV export = screen', () => {
  it('downloads the filtered records: same count and cost as the page, API field names, formulas neutralized', async () => {
    const { page, context } = await openPage(browser);
    await logInThroughPage(page, server.url, { email, password: PASSWORD }, '/usage?range=30d&tz=UTC');
    await page.getByRole('heading', { level: 1, name: 'Usage' }).waitFor();
    await page.getByRole('table', { name: 'Usage' }).waitFor();
    await page.getByRole('combobox', { name: 'Model' }).selectOption('model-x');
    await page.getByRole('combobox', { name: 'Status' }).selectOption('5xx');
    await expect.poll(() => page.url()).toContain('status=5xx');
    const totals = page.getByTestId('usage-totals');
    await page.getByRole('region', { name: 'Usage' }).getByRole('status').waitFor({ state: 'detached' });
    const requestsText = (await totals.locator('[data-total="requests"]').textContent())!;
    const costText = (await totals.locator('[data-total="cost"]').textContent())!;

    const csv = await exportCsv(page);
    expect(csv.name).toMatch(/^switchboard-usage_me_.*\.csv$/);
    expect(csv.header).toEqual(['id', 'request_id', 'service', 'model', 'operation', 'stream', 'integration_id', 'key_id', 'team_id', 'input_tokens', 'output_tokens', 'cached_input_tokens', 'image_count', 'video_seconds', 'cost_micros', 'priced', 'catalog_version', 'estimated', 'status', 'error_code', 'error_source', 'fallback', 'latency_ms', 'ttft_ms', 'created_at']);
    expect(csv.rows.length).toBeGreaterThan(0);
    expect(`${count(csv.rows.length)} requests`).toBe(requestsText);
    const column = (name: string) => csv.header.indexOf(name);
    const cost = csv.rows.reduce((sum, row) => sum + Number(row[column('cost_micros')] || 0), 0);
    expect(money(cost)).toBe(costText);
    for (const row of csv.rows) {
      expect(row[column('model')]).toBe('model-x');
      expect(Number(row[column('status')])).toBeGreaterThanOrEqual(500);
    }

    // The formula-looking model: neutralized in the file.
    await page.getByRole('combobox', { name: 'Status' }).selectOption('');
    await page.getByRole('combobox', { name: 'Model' }).selectOption(FORMULA_MODEL);
    await expect.poll(() => page.url()).not.toContain('status=');
    await page.getByRole('region', { name: 'Usage' }).getByRole('status').waitFor({ state: 'detached' });
    const formula = await exportCsv(page);
    expect(formula.rows.length).toBeGreaterThan(0);
    for (const row of formula.rows) expect(row[formula.header.indexOf('model')]).toBe(`'${FORMULA_MODEL}`);
    await page.getByRole('status').filter({ hasText: /^Downloaded switchboard-usage_/ }).waitFor();

    for (const [scheme, width] of [['light', 1280], ['dark', 1280], ['dark', 375], ['light', 375]] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.setViewportSize({ width, height: 800 });
      expect(describeViolations(await axeViolations(page)), `${scheme} ${width}`).toBe('');
      expect(await overflowsHorizontally(page), `${scheme} ${width}`).toBe(false);
    }
    await context.close();
  }, 60_000);
});
