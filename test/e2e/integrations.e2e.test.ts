/**
 * J2 (WEBAPP.md §6.6): add a provider key, tested before it is trusted. "Test connection" with a
 * bad key says it was rejected and that the key is at fault; with the good key it says "Connected"
 * with the model count; saved, the table shows …last4 and a status in words; "Test <name>" re-tests
 * the stored key; a loopback base URL is refused naming SWITCHBOARD_ALLOW_PRIVATE_UPSTREAMS; and no
 * response or page ever contains the key. Delete asks first.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_OPENAI_MODELS, startFakeOpenAI } from '../fakes/openai.js';
import type { FakeProvider } from '../fakes/fake-server.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { axeViolations, describeViolations, launchBrowser, logInThroughPage, openPage, recordResponses } from './harness.js';

const PASSWORD = 'correct horse battery staple';
const GOOD_KEY = 'sk-e2e-integration-good-00000000000000001';
const BAD_KEY = 'sk-e2e-integration-bad-000000000000000002';

let fake: FakeProvider;
let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  fake = await startFakeOpenAI({ keys: [GOOD_KEY] });
  // The operator-configured OpenAI address may be loopback; a user's base_url may not (no opt-in here).
  server = await startTestServer({ SWITCHBOARD_OPENAI_BASE_URL: fake.baseUrl });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await fake?.close();
});

describe('J2: add a provider key, tested', () => {
  it('tests before saving, shows only …last4, and never sends the key back', async () => {
    const email = `j2-${Date.now()}@example.com`;
    await server.running.services.accounts.createUser({ email, password: PASSWORD, verified: true });
    const { page, context } = await openPage(browser);
    const responses = recordResponses(page);
    await logInThroughPage(page, server.url, { email, password: PASSWORD }, '/integrations');
    await page.getByRole('heading', { level: 1, name: 'Integrations' }).waitFor();

    await page.getByRole('button', { name: 'Add integration' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add integration' });
    await dialog.waitFor();
    expect(describeViolations(await axeViolations(page))).toBe('');
    expect(await dialog.getByLabel('API key', { exact: true }).getAttribute('type')).toBe('password');
    const status = dialog.getByRole('status');

    await dialog.getByLabel('API key', { exact: true }).fill(BAD_KEY);
    await dialog.getByRole('button', { name: 'Test connection' }).click();
    await expect.poll(() => status.textContent()).toMatch(/^Rejected by OpenAI: .*\(source: your key\)$/);

    await dialog.getByLabel('API key', { exact: true }).fill(GOOD_KEY);
    await dialog.getByRole('button', { name: 'Test connection' }).click();
    await expect.poll(() => status.textContent()).toMatch(new RegExp(`^Connected: ${DEFAULT_OPENAI_MODELS.length} models, \\d+ ms$`));

    // A user's base URL on loopback is refused, with the operator's switch named.
    await dialog.getByLabel('Base URL').fill('http://127.0.0.1:9/v1');
    await dialog.getByRole('button', { name: 'Save integration' }).click();
    await expect.poll(async () => (await dialog.getByRole('alert').allTextContents()).join(' ')).toContain('SWITCHBOARD_ALLOW_PRIVATE_UPSTREAMS');
    await dialog.getByLabel('Base URL').fill('');
    await dialog.getByLabel('Name').fill('Work OpenAI');
    await dialog.getByRole('button', { name: 'Save integration' }).click();
    await dialog.waitFor({ state: 'detached' });

    const table = page.getByRole('table', { name: 'Integrations' });
    const row = table.getByRole('row', { name: /Work OpenAI/ });
    await row.getByText(`…${GOOD_KEY.slice(-4)}`).waitFor();
    await row.getByText(/(Healthy|Unchecked)$/).waitFor();
    await row.getByRole('button', { name: 'Test Work OpenAI' }).click();
    await expect.poll(async () => (await row.getByRole('status').textContent()) ?? '').toMatch(/^Connected/);
    await row.getByText('Healthy').waitFor();

    await page.reload();
    await page.getByRole('table', { name: 'Integrations' }).getByRole('rowheader', { name: 'Work OpenAI' }).waitFor();
    expect(await page.content()).not.toContain(GOOD_KEY);
    for (const body of await responses.bodies()) {
      expect(body).not.toContain(GOOD_KEY);
      expect(body).not.toContain(BAD_KEY);
    }

    await page.getByRole('button', { name: 'Delete Work OpenAI' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Delete Work OpenAI?' });
    await confirm.getByRole('button', { name: 'Delete integration' }).click();
    await page.getByText('No integrations yet').waitFor();
    expect(server.logs.text()).not.toContain(GOOD_KEY);
    await context.close();
  });
});
