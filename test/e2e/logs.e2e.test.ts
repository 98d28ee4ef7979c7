/**
 * Logs / request explorer (WEBAPP.md §6.4, §6.7, J10): requests made through /v1 with a platform
 * key against the OpenAI fake (one success, one that fell back after a provider 500, one rejected)
 * appear in the table "Requests"; filters by model and status go to the URL and the server; a row
 * opens "Request details" with the attempts timeline, and the shared URL (?request=) reopens it
 * after a reload (its visible "Close" button closes it); with "Live" on a new request appears
 * without reload and without per-row fetches; 10k loaded rows keep ≤ 100 `tr` in the DOM and
 * scrolling asks only for the next pages; another user opening the link sees Not found with none
 * of the owner's strings at any paint. axe finds 0
 * violations on the page and the dialog at 1280 and 375 px, light and dark. No secret reaches a page.
 */
import pg from 'pg';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeProvider } from '../fakes/fake-server.js';
import { startFakeOpenAI } from '../fakes/openai.js';
import { openaiSdk } from '../helpers/gateway-client.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { axeViolations, describeViolations, launchBrowser, logInThroughPage, openPage, overflowsHorizontally, recordResponses } from './harness.js';

const PASSWORD = 'correct horse battery staple';
const PROVIDER_KEY = 'sk-e2e-logs-provider-key-000000000000Lg42';

let fake: FakeProvider;
let server: TestServer;
let browser: Browser;
let owner: { email: string; token: string; userId: string };
let platformKey: string;
let fellBackRequestId: string;

beforeAll(async () => {
  fake = await startFakeOpenAI({ keys: [PROVIDER_KEY] });
  server = await startTestServer({ SWITCHBOARD_OPENAI_BASE_URL: fake.baseUrl, SWITCHBOARD_RETRY_BASE_DELAY_MS: '5', SWITCHBOARD_RETRY_MAX_DELAY_MS: '20' });
  browser = await launchBrowser();
  owner = await server.signIn(`logs-owner-${Date.now()}@example.com`, PASSWORD);
  expect((await server.api('/api/integrations', { token: owner.token, body: { service: 'openai', name: 'Main OpenAI', api_key: PROVIDER_KEY } })).status).toBe(201);
  platformKey = ((await (await server.api('/api/keys', { token: owner.token, body: { name: 'Log key' } })).json()) as { key: string }).key;
  const route = await server.api('/api/routes/flaky', { method: 'PUT', token: owner.token, body: { strategy: 'priority', targets: [{ model: 'openai/fake-error-500' }, { model: 'openai/gpt-4o-mini' }] } });
  expect(route.status).toBe(201);
  const sdk = openaiSdk(server, platformKey);
  await sdk.chat.completions.create({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
  const fellBack = await sdk.chat.completions.create({ model: 'flaky', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
  fellBackRequestId = fellBack.response.headers.get('x-request-id')!;
  await sdk.chat.completions.create({ model: 'openai/fake-error-400', messages: [{ role: 'user', content: 'hi' }] }).catch(() => undefined);
  expect(await server.running.services.recorder.flush()).toBe(true);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await fake?.close();
});

/** Data rows of the table (the virtualiser's spacer rows are aria-hidden). */
const dataRows = (page: Page) => page.getByRole('table', { name: 'Requests' }).locator('tbody tr:not([aria-hidden])');

async function expectAccessible(page: Page, state: string) {
  expect(describeViolations(await axeViolations(page)), state).toBe('');
  expect(await overflowsHorizontally(page), `${state}: horizontal scroll`).toBe(false);
}

describe('Logs', () => {
  it('filters, details with attempts, a shareable URL, and the live tail', { timeout: 60_000 }, async () => {
    const { page, context } = await openPage(browser);
    const responses = recordResponses(page);
    await logInThroughPage(page, server.url, { email: owner.email, password: PASSWORD }, '/logs');
    await page.getByRole('heading', { level: 1, name: 'Logs' }).waitFor();
    await expect.poll(() => dataRows(page).count()).toBe(3);
    await page.getByText('Requests over time (3 requests').waitFor();
    await expectAccessible(page, 'logs 1280 light');

    // Filters go to the URL and the server.
    await page.getByLabel('Model').selectOption('gpt-4o-mini');
    await page.waitForURL(/model=gpt-4o-mini/);
    await expect.poll(() => dataRows(page).count()).toBe(1);
    await expect.poll(() => dataRows(page).first().textContent()).toContain('flaky → gpt-4o-mini');
    // "Status" takes free entry (a class, an exact code) besides its suggestions; a bad entry is
    // explained inline and never reaches the URL.
    const status = page.getByRole('combobox', { name: 'Status' });
    await status.fill('5xx');
    await status.press('Enter');
    await page.getByRole('region', { name: 'No requests' }).waitFor();
    await status.fill('42x');
    await status.press('Enter');
    await page.getByText('“42x” is not a status filter.', { exact: false }).waitFor();
    expect(await status.getAttribute('aria-invalid')).toBe('true');
    const describedBy = ((await status.getAttribute('aria-describedby')) ?? '').split(' ');
    expect(await page.locator(`[id="${describedBy.at(-1)}"]`).textContent()).toMatch(/is not a status filter/);
    expect(page.url()).toContain('status=5xx');
    await expectAccessible(page, 'status error 1280 light');
    // The router keeps "200" a string in the URL by quoting it (status=%22200%22).
    const statusParam = () => new URL(page.url()).searchParams.get('status')?.replaceAll('"', '');
    await status.fill('200');
    await status.press('Enter');
    await expect.poll(statusParam).toBe('200');
    await expect.poll(() => dataRows(page).count()).toBe(1);
    expect(await status.getAttribute('aria-invalid')).toBeNull();
    await status.fill('2XX');
    await status.blur();
    await expect.poll(statusParam).toBe('2xx');
    await expect.poll(() => dataRows(page).count()).toBe(1);
    expect(await status.inputValue()).toBe('2xx');
    // A hand-written link with a bare code filters the same way.
    await page.goto(`${server.url}/logs?model=gpt-4o-mini&status=500`);
    await page.getByRole('region', { name: 'No requests' }).waitFor();
    expect(await status.inputValue()).toBe('500');
    await page.goto(`${server.url}/logs?model=gpt-4o-mini&status=2xx`);
    await expect.poll(() => dataRows(page).count()).toBe(1);

    // Details: the attempts timeline and the headers; the URL is shareable.
    await dataRows(page).first().getByRole('button', { name: fellBackRequestId, exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Request details' });
    await dialog.getByText('Attempt 1: openai/fake-error-500').waitFor();
    expect(page.url()).toContain(`request=${fellBackRequestId}`);
    const text = (await dialog.textContent()) ?? '';
    expect(text).toContain('fell back to the next candidate');
    expect(text).toMatch(/Attempt \d: openai\/gpt-4o-mini/);
    expect(text).toContain('source: Provider');
    expect(text).toContain('x-switchboard-fallback:openai/gpt-4o-mini');
    expect(text).toContain(`Main OpenAI …${PROVIDER_KEY.slice(-4)}`);
    expect(text).toContain('Log key');
    await expectAccessible(page, 'details 1280 light');
    await page.reload();
    await page.getByRole('dialog', { name: 'Request details' }).getByText('Attempt 1: openai/fake-error-500').waitFor();
    // A visible "Close" button (issue 7), not only Escape; the sweep closes it with Escape.
    await page.getByRole('dialog', { name: 'Request details' }).getByRole('button', { name: 'Close', exact: true }).click();
    await page.getByRole('dialog', { name: 'Request details' }).waitFor({ state: 'detached' });
    expect(page.url()).not.toContain('request=');

    // Live: a new /v1 request that matches the filters appears without reload, with no per-row fetch.
    await page.getByRole('switch', { name: 'Live' }).click();
    const apiCalls: string[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname.startsWith('/api/usage')) apiCalls.push(request.url());
    });
    await openaiSdk(server, platformKey).chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'live' }] });
    await openaiSdk(server, platformKey).chat.completions.create({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'filtered out' }] });
    await expect.poll(() => dataRows(page).count(), { timeout: 10_000 }).toBe(2);
    expect((await dataRows(page).first().textContent()) ?? '').toContain('gpt-4o-mini');
    expect(apiCalls).toEqual([]);

    const html = await page.content();
    for (const body of [html, ...(await responses.bodies())]) {
      expect(body).not.toContain(PROVIDER_KEY);
      expect(body).not.toContain(platformKey);
    }
    await context.close();
  });

  it('axe finds nothing on the page and the dialog at 375 and 1280 px, light and dark', { timeout: 60_000 }, async () => {
    const { page, context } = await openPage(browser);
    await logInThroughPage(page, server.url, { email: owner.email, password: PASSWORD }, '/logs');
    for (const viewport of [{ width: 375, height: 740 }, { width: 1280, height: 800 }]) {
      for (const colorScheme of ['light', 'dark'] as const) {
        if (viewport.width === 1280 && colorScheme === 'light') continue; // covered above
        await page.setViewportSize(viewport);
        await page.emulateMedia({ colorScheme });
        await page.goto(`${server.url}/logs?request=${fellBackRequestId}`);
        await page.getByRole('dialog', { name: 'Request details' }).getByText('Attempt 1: openai/fake-error-500').waitFor();
        await expectAccessible(page, `details ${viewport.width} ${colorScheme}`);
        await page.keyboard.press('Escape');
        await expect.poll(() => dataRows(page).count()).toBeGreaterThan(0);
        await page.getByText(/Requests over time \(\d+ requests/).waitFor();
        await expectAccessible(page, `logs ${viewport.width} ${colorScheme}`);
      }
    }
    await context.close();
  });

  it('10k loaded rows keep at most 100 rows in the DOM; scrolling asks only for the next pages', { timeout: 60_000 }, async () => {
    const user = await server.signIn(`logs-bulk-${Date.now()}@example.com`, PASSWORD);
    const client = new pg.Client({ connectionString: server.database.url });
    await client.connect();
    await client.query(
      `insert into usage_records (id, request_id, user_id, service, model, operation, priced, cost_micros, input_tokens, output_tokens, status, latency_ms, created_at)
       select 'SEED' || lpad(g::text, 22, '0'), 'seed-' || $1 || '-' || g, $1, 'openai', 'gpt-4o-mini', 'chat', true, 100, 10, 5,
              case when g % 10 = 0 then 502 else 200 end, 100 + g % 900, now() - (g || ' seconds')::interval
       from generate_series(1, 10000) g`,
      [user.userId],
    );
    await client.end();
    const { page, context } = await openPage(browser);
    await logInThroughPage(page, server.url, { email: user.email, password: PASSWORD }, '/logs');
    await expect.poll(() => dataRows(page).count(), { timeout: 15_000 }).toBeGreaterThan(0);
    await page.getByText(/Requests over time \(\d+ requests/).waitFor();
    const calls: string[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname.startsWith('/api/')) calls.push(request.url());
    });
    const loaded = page.getByText(/^[\d,]+ loaded$/);
    for (let round = 0; round < 120 && (await loaded.textContent()) !== '10,000 loaded'; round += 1) {
      await page.getByRole('region', { name: 'Requests table' }).evaluate((element) => element.scrollTo({ top: element.scrollHeight }));
      await page.waitForTimeout(100);
    }
    expect(await loaded.textContent()).toBe('10,000 loaded');
    expect(await page.locator('tr').count()).toBeLessThanOrEqual(100);
    expect(calls.length).toBeGreaterThan(0);
    for (const call of calls) expect(call).toMatch(/\/api\/usage\?.*cursor=/);
    expect(new Set(calls).size).toBe(calls.length);
    await page.getByRole('region', { name: 'Requests table' }).evaluate((element) => element.scrollTo({ top: element.scrollHeight / 2 }));
    await page.waitForTimeout(200);
    expect(await page.locator('tr').count()).toBeLessThanOrEqual(100);
    await context.close();
  });

  it("another user opening the owner's request link sees Not found, with no owner string at any paint", { timeout: 30_000 }, async () => {
    const intruder = await server.signIn(`logs-intruder-${Date.now()}@example.com`, PASSWORD);
    const { page, context } = await openPage(browser);
    // Every DOM state from the first paint on, recorded in the page.
    await page.addInitScript(`
      window.__paints = [];
      new MutationObserver(() => window.__paints.push(document.body ? document.body.innerText : '')).observe(document, { subtree: true, childList: true, characterData: true });
    `);
    const responses = recordResponses(page);
    await logInThroughPage(page, server.url, { email: intruder.email, password: PASSWORD }, `/logs?request=${fellBackRequestId}`);
    await page.getByRole('heading', { level: 1, name: 'Not found' }).waitFor();
    const paints = (await page.evaluate('window.__paints')) as string[];
    expect(paints.length).toBeGreaterThan(0);
    for (const paint of paints) {
      for (const secret of ['Main OpenAI', 'Log key', 'fake-error-500', 'flaky', owner.email, PROVIDER_KEY.slice(-4)]) expect(paint).not.toContain(secret);
    }
    for (const body of await responses.bodies()) {
      expect(body).not.toContain('Main OpenAI');
      expect(body).not.toContain('fake-error-500');
    }
    await context.close();
  });
});
