/**
 * J4 (WEBAPP.md §6.6): the quick-start snippets run. A new user lands with 0/4 steps done, adds a
 * provider key in the inline form (step 1), creates a platform key and inserts it into the
 * snippets from the one-time reveal (step 2). Every tab's code carries the right base URL
 * (`<origin>/v1` for curl and the OpenAI SDKs, the bare origin for the Anthropic SDKs) and the
 * model of the user's integration; "Copy code" copies the exact block; the curl snippet (run with
 * child_process) and the OpenAI Node snippet (run with node and the openai package) get 200; and
 * step 4 turns into "First request received" through the live stream, without a reload.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeProvider } from '../fakes/fake-server.js';
import { startFakeOpenAI } from '../fakes/openai.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { axeViolations, describeViolations, launchBrowser, logInThroughPage, openPage } from './harness.js';

const run = promisify(execFile);
const PASSWORD = 'correct horse battery staple';
const PROVIDER_KEY = 'sk-e2e-quickstart-provider-0000000000Qs1';

let fake: FakeProvider;
let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  fake = await startFakeOpenAI({ keys: [PROVIDER_KEY] });
  server = await startTestServer({ SWITCHBOARD_OPENAI_BASE_URL: fake.baseUrl });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await fake?.close();
});

const axe = async (page: Page) => expect(describeViolations(await axeViolations(page))).toBe('');

/** Selects a tab of "Code sample" and answers its code block's exact text. */
async function codeOf(page: Page, tab: string): Promise<string> {
  await page.getByRole('tablist', { name: 'Code sample' }).getByRole('tab', { name: tab, exact: true }).click();
  const block = page.getByRole('tabpanel').getByLabel(`${tab} code`);
  return (await block.textContent()) ?? '';
}

describe('J4: quick-start snippets run', () => {
  it('walks the four steps; the copied curl and Node snippets answer 200; the first request shows up live', async () => {
    const email = `j4-${Date.now()}@example.com`;
    await server.running.services.accounts.createUser({ email, password: PASSWORD, verified: true });
    const { page, context } = await openPage(browser, { clipboardOrigin: server.url });
    await logInThroughPage(page, server.url, { email, password: PASSWORD }, '/quickstart');
    await page.getByRole('heading', { level: 1, name: 'Quick start' }).waitFor();
    await page.getByText('0/4 steps done.').waitFor();
    const steps = page.getByRole('list', { name: 'Setup steps' });
    expect(await steps.getByRole('listitem').count()).toBe(4);
    const arrival = steps.getByRole('listitem').nth(3).getByRole('status');
    await expect.poll(() => arrival.textContent()).toBe('Waiting for your first request…');
    const endpoint = page.getByRole('region', { name: 'Your endpoint' });
    await endpoint.getByText(`${server.url}/v1`).waitFor();
    await axe(page);

    // Step 1: the inline form (the Integrations page's component).
    const first = steps.getByRole('listitem').nth(0);
    await first.getByLabel('API key', { exact: true }).fill(PROVIDER_KEY);
    await first.getByRole('button', { name: 'Save integration' }).click();
    await first.getByText('Done').waitFor();
    await page.getByText('1/4 steps done.').waitFor();

    // Step 2: create a key; the reveal's "Insert into snippet" puts it into the samples.
    await steps.getByRole('button', { name: 'Create key' }).click();
    const create = page.getByRole('dialog', { name: 'Create API key' });
    await create.getByLabel('Key name').fill('quick start');
    await create.getByRole('button', { name: 'Create key' }).click();
    const reveal = page.getByRole('dialog', { name: 'Your new API key' });
    const key = await reveal.getByLabel('New API key').inputValue();
    expect(key).toMatch(/^sk-sb-/);
    await reveal.getByRole('button', { name: 'Insert into snippet' }).click();
    await reveal.getByLabel('I have stored this key').check();
    await reveal.getByRole('button', { name: 'Done' }).click();
    await reveal.waitFor({ state: 'detached' });
    await page.getByText('2/4 steps done.').waitFor();

    // Step 3: every tab has the right base URL and the integration's model.
    const origin = server.url;
    const curl = await codeOf(page, 'curl');
    expect(curl).toContain(`${origin}/v1/chat/completions`);
    expect(curl).toContain('"model":"openai/gpt-4o-mini"');
    expect(curl).toContain(`Bearer ${key}`);
    for (const tab of ['OpenAI Python', 'OpenAI Node']) {
      const code = await codeOf(page, tab);
      expect(code).toContain(`"${origin}/v1"`);
      expect(code).toContain('"openai/gpt-4o-mini"');
    }
    for (const tab of ['Anthropic Python', 'Anthropic Node']) {
      const code = await codeOf(page, tab);
      expect(code).toContain(`"${origin}"`);
      expect(code).not.toContain(`${origin}/v1`);
      expect(code).toContain('"openai/gpt-4o-mini"');
    }
    await page.getByRole('tab', { name: 'Embeddings' }).waitFor();
    await axe(page);

    // "Copy code" copies the exact block.
    const node = await codeOf(page, 'OpenAI Node');
    await page.getByRole('tabpanel').getByRole('button', { name: 'Copy code' }).click();
    await page.getByRole('tabpanel').getByText('Copied').waitFor();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(node);
    expect(node).toContain(`apiKey: "${key}"`);

    // Run the curl sample as copied: 200 with a completion.
    const curlOut = await run('bash', ['-c', `${curl} -w '\\n%{http_code}'`], { timeout: 20_000 });
    const lines = curlOut.stdout.trim().split('\n');
    expect(lines.at(-1)).toBe('200');
    expect(JSON.parse(lines.slice(0, -1).join('\n'))).toHaveProperty('choices');
    // Step 4 flips over the live stream, no reload.
    await expect.poll(() => arrival.textContent(), { timeout: 10_000 }).toMatch(/^First request received: .*gpt-4o-mini, \d+ ms, (\$[\d.,]+|unpriced)$/);
    await page.getByText('4/4 steps done.').waitFor();

    // Run the OpenAI Node sample (the openai package from node_modules).
    const dir = path.resolve('test-results');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `quickstart-${Date.now()}.mjs`);
    writeFileSync(file, node);
    const nodeOut = await run(process.execPath, [file], { timeout: 20_000 });
    expect(nodeOut.stdout.trim().length).toBeGreaterThan(0);
    await axe(page);

    // The key was for this visit only: a reload shows the placeholder again.
    await page.reload();
    expect(await codeOf(page, 'curl')).toContain('Bearer $SWITCHBOARD_API_KEY');
    expect(await page.content()).not.toContain(key);
    expect(await page.content()).not.toContain(PROVIDER_KEY);
    expect(server.logs.text()).not.toContain(key);
    expect(server.logs.text()).not.toContain(PROVIDER_KEY);
    await context.close();
  }, 60_000);
});
