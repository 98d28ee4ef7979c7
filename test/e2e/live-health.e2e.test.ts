/**
 * J5 (WEBAPP.md §6.6): live integration health over SSE. The fake provider starts failing (5xx);
 * within 5 s, with no reload, the Integrations table shows "Failing" with source provider, the
 * polite live region announces it, and a second tab gets the same update. When the fake recovers
 * (after the breaker's cooldown a request succeeds), the status returns to "Healthy". Each tab's
 * one /api/events connection survives several server heartbeats (no reconnect).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeProvider } from '../fakes/fake-server.js';
import { startFakeOpenAI } from '../fakes/openai.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { axeViolations, describeViolations, launchBrowser, logInThroughPage, openPage, overflowsHorizontally } from './harness.js';

const PASSWORD = 'correct horse battery staple';
const PROVIDER_KEY = 'sk-e2e-live-health-provider-00000000Lh1';
const HEARTBEAT_MS = 500;
const COOLDOWN_MS = 1_500;

let fake: FakeProvider;
let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  fake = await startFakeOpenAI({ keys: [PROVIDER_KEY] });
  server = await startTestServer({
    SWITCHBOARD_OPENAI_BASE_URL: fake.baseUrl,
    SWITCHBOARD_EVENTS_HEARTBEAT_MS: String(HEARTBEAT_MS),
    SWITCHBOARD_BREAKER_FAILURES: '2',
    SWITCHBOARD_BREAKER_COOLDOWN_MS: String(COOLDOWN_MS),
  });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await fake?.close();
});

/** Counts the page's requests to the event stream (one per tab unless it reconnects). */
function countEventStreams(page: Page): () => number {
  let count = 0;
  page.on('request', (request) => {
    if (new URL(request.url()).pathname === '/api/events') count++;
  });
  return () => count;
}

describe('J5: live integration health (SSE)', () => {
  it('turns Failing (source provider) and back to Healthy live, in two tabs, announced politely, on one stream each', async () => {
    const user = await server.signIn();
    const created = await server.api('/api/integrations', { token: user.token, body: { service: 'openai', api_key: PROVIDER_KEY, name: 'Live OpenAI' } });
    expect(created.status).toBe(201);
    // A checked key is "Healthy" (a saved one may still be "Unchecked").
    const { id } = (await created.json()) as { id: string };
    expect((await server.api(`/api/integrations/${id}/test`, { token: user.token, method: 'POST', body: {} })).status).toBe(200);
    const platformKey = ((await (await server.api('/api/keys', { token: user.token, body: { name: 'live' } })).json()) as { key: string }).key;
    const chat = (model: string) =>
      fetch(`${server.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${platformKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
      });

    const { page, context } = await openPage(browser);
    const streams = countEventStreams(page);
    await logInThroughPage(page, server.url, { email: user.email, password: PASSWORD }, '/integrations');
    const second = await context.newPage();
    const secondStreams = countEventStreams(second);
    await second.goto(`${server.url}/integrations`);
    const rowIn = (tab: Page) => tab.getByRole('table', { name: 'Integrations' }).getByRole('row', { name: /Live OpenAI/ });
    for (const tab of [page, second]) await rowIn(tab).getByText('Healthy').waitFor();

    // Several heartbeats go by: the stream stays the one it was.
    await new Promise((resolve) => setTimeout(resolve, HEARTBEAT_MS * 4));

    for (let i = 0; i < 2; i++) expect((await chat('openai/fake-error-503')).status).toBeGreaterThanOrEqual(500);
    const failedAt = Date.now();
    for (const tab of [page, second]) {
      await rowIn(tab).getByText('Failing').waitFor({ timeout: 5_000 });
      await rowIn(tab).getByText('Source: provider').waitFor({ timeout: 1_000 });
    }
    expect(Date.now() - failedAt).toBeLessThan(5_000);
    await expect.poll(() => page.getByTestId('live-region').textContent(), { timeout: 2_000 }).toBe('Live OpenAI: Failing (source: provider)');
    expect(describeViolations(await axeViolations(page))).toBe('');

    // Recovery: after the cooldown a request goes through and the breaker closes.
    await new Promise((resolve) => setTimeout(resolve, COOLDOWN_MS + 200));
    await expect.poll(async () => (await chat('openai/gpt-4o-mini')).status, { timeout: 10_000, interval: 500 }).toBe(200);
    for (const tab of [page, second]) await rowIn(tab).getByText('Healthy').waitFor({ timeout: 5_000 });
    expect(await rowIn(page).getByText('Source: provider', { exact: true }).count()).toBe(0);

    expect(streams()).toBe(1);
    expect(secondStreams()).toBe(1);
    await context.close();

    // The same pages at 375 px in the dark theme: no violations, no horizontal page scroll.
    const small = await openPage(browser, { viewport: { width: 375, height: 740 }, colorScheme: 'dark' });
    await logInThroughPage(small.page, server.url, { email: user.email, password: PASSWORD }, '/integrations');
    for (const [url, heading] of [['/integrations', 'Integrations'], [`/integrations/${id}`, 'Live OpenAI'], ['/quickstart', 'Quick start']] as const) {
      await small.page.goto(`${server.url}${url}`);
      await small.page.getByRole('heading', { level: 1, name: heading }).waitFor();
      await small.page.getByText(/Healthy|First request received/).first().waitFor();
      expect(describeViolations(await axeViolations(small.page)), url).toBe('');
      expect(await overflowsHorizontally(small.page), url).toBe(false);
    }
    await small.context.close();
  }, 60_000);
});
