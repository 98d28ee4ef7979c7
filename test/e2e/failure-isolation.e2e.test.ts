/**
 * J14 (WEBAPP.md §6.6): failure isolation. One aggregate request of the Overview fails (the test
 * answers it with a 500 through page.route, the server stays real): only that widget shows its
 * error with "Retry", the others render, and "Retry" recovers it. Signing out and in as another
 * user leaves nothing of the first user's data on screen (the query cache is cleared). The health
 * strip shows a stored provider key as …last4; the key is in no page, response or server log.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { launchBrowser, logInThroughPage, openPage, recordResponses } from './harness.js';
import { seedUsage } from './usage-seed.js';

const PASSWORD = 'correct horse battery staple';
const A_MODEL = 'tenant-a-secret-model';
const PROVIDER_KEY = 'sk-e2e-dashboard-canary-000000000000000007';

let server: TestServer;
let browser: Browser;
let emailA: string;
let emailB: string;

beforeAll(async () => {
  server = await startTestServer();
  emailA = `j14-a-${Date.now()}@example.com`;
  emailB = `j14-b-${Date.now()}@example.com`;
  const a = await server.running.services.accounts.createUser({ email: emailA, password: PASSWORD, verified: true });
  await server.running.services.accounts.createUser({ email: emailB, password: PASSWORD, verified: true });
  await seedUsage(server.database.url, { userId: a.id, rows: 3000, tag: 'j14', models: [A_MODEL] });
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('J14: failure isolation', () => {
  it('fails one widget alone, recovers it with Retry, and shows no stale data to the next user', async () => {
    // A stored provider key: the health strip shows …last4, never the key.
    const login = await server.api('/api/auth/login', { body: { email: emailA, password: PASSWORD } });
    const { access_token: token } = (await login.json()) as { access_token: string };
    const created = await server.api('/api/integrations', { token, body: { service: 'openai', api_key: PROVIDER_KEY, name: 'Canary OpenAI' } });
    expect(created.status).toBe(201);
    const { page, context } = await openPage(browser);
    const responses = recordResponses(page);
    const failing = /\/api\/usage\?group_by=day%2Ckey&/;
    let fail = true;
    await page.route(failing, (route) =>
      fail ? route.fulfill({ status: 500, contentType: 'application/json', body: JSON.stringify({ error: { message: 'Injected failure.', type: 'api_error', code: 'internal_error', source: 'platform', param: null } }) }) : route.continue(),
    );
    await logInThroughPage(page, server.url, { email: emailA, password: PASSWORD }, '/?range=30d&tz=UTC');
    const keys = page.getByRole('region', { name: 'Top API keys' });
    await keys.getByRole('alert').waitFor({ timeout: 20_000 });
    expect(await keys.getByRole('alert').textContent()).toContain('Top API keys could not be loaded.');
    // The others render.
    await page.getByRole('table', { name: 'Top models' }).getByText(A_MODEL).waitFor();
    await page.getByRole('group', { name: 'Requests', exact: true }).getByText('3,000').waitFor();
    await page.getByRole('figure', { name: 'Spend over time' }).waitFor();
    await page.getByRole('table', { name: 'Top integrations' }).waitFor();
    expect(await page.getByRole('alert').count()).toBe(1);
    const health = page.getByRole('table', { name: 'Integration health' });
    await health.getByRole('row', { name: /Canary OpenAI/ }).getByText(`…${PROVIDER_KEY.slice(-4)}`).waitFor();
    await health.getByRole('button', { name: 'Test Canary OpenAI' }).waitFor();

    fail = false;
    await keys.getByRole('button', { name: 'Retry' }).click();
    await page.getByRole('table', { name: 'Top API keys' }).waitFor();
    expect(await keys.getByRole('alert').count()).toBe(0);

    expect(await page.content()).not.toContain(PROVIDER_KEY);
    for (const body of await responses.bodies()) expect(body).not.toContain(PROVIDER_KEY);
    expect(server.logs.text()).not.toContain(PROVIDER_KEY);

    // Sign out, sign in as B: nothing of A's remains.
    await page.getByRole('button', { name: 'Account menu' }).click();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.pathname === '/login');
    await logInThroughPage(page, server.url, { email: emailB, password: PASSWORD }, '/?range=30d&tz=UTC');
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    const firstPaint = await page.content();
    expect(firstPaint).not.toContain(A_MODEL);
    await page.getByText('No requests yet').waitFor();
    expect(await page.content()).not.toContain(A_MODEL);
    expect(await page.content()).not.toContain('3,000');
    await context.close();
  }, 60_000);
});
