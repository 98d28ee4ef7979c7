/**
 * J3 (WEBAPP.md §6.6): create a platform key with the keyboard alone; it is shown once. "Done"
 * stays disabled until "I have stored this key" is checked, Escape before that asks "Close without
 * storing the key?" ("Keep open" / "Close anyway", which clears the key as "Done" does), "Copy
 * key" puts exactly the key on the clipboard, and after closing and reloading the key appears
 * nowhere (the table shows sk-sb-…last4; no response carries it). The copied key
 * works with the official OpenAI SDK; "Revoke" (an alertdialog) makes it stop working.
 * "Roll key": the replacement is revealed once in the same dialog; with a grace the old key keeps
 * working and its row says when it is revoked; with "Now" it stops at once and leaves the table.
 * After "Revoke" removes a row, focus goes to the next row's "Revoke", else the previous row's,
 * else the page heading.
 */
import OpenAI from 'openai';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeProvider } from '../fakes/fake-server.js';
import { startFakeOpenAI } from '../fakes/openai.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { axeViolations, describeViolations, focusedElement, launchBrowser, logInThroughPage, openPage, recordResponses } from './harness.js';

const PASSWORD = 'correct horse battery staple';
const PROVIDER_KEY = 'sk-e2e-keys-provider-000000000000000001';

let fake: FakeProvider;
let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  fake = await startFakeOpenAI({ keys: [PROVIDER_KEY] });
  server = await startTestServer({ SWITCHBOARD_OPENAI_BASE_URL: fake.baseUrl, SWITCHBOARD_ALLOW_PRIVATE_UPSTREAMS: 'true', SWITCHBOARD_LIFECYCLE_SWEEP_MS: '200' });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await fake?.close();
});

describe('J3: create a key, shown once (keyboard only)', () => {
  it('reveals the key once, copies it exactly, never shows it again, and it works until revoked', async () => {
    const email = `j3-${Date.now()}@example.com`;
    await server.running.services.accounts.createUser({ email, password: PASSWORD, verified: true });
    const { page, context } = await openPage(browser, { clipboardOrigin: server.url });
    const responses = recordResponses(page);

    await page.goto(`${server.url}/login?next=%2Fkeys`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'API keys' }).waitFor();
    // A provider key so the new key can make a call (stored through the API, not under test here).
    const token = ((await (await server.api('/api/auth/login', { body: { email, password: PASSWORD } })).json()) as { access_token: string }).access_token;
    expect((await server.api('/api/integrations', { token, body: { service: 'openai', api_key: PROVIDER_KEY } })).status).toBe(201);

    // Keyboard only from here: Tab to "Create key", fill the dialog, submit.
    const createButton = page.getByRole('button', { name: 'Create key' });
    await createButton.focus();
    await page.keyboard.press('Enter');
    const createDialog = page.getByRole('dialog', { name: 'Create API key' });
    await createDialog.waitFor();
    expect(describeViolations(await axeViolations(page))).toBe('');
    await page.keyboard.press('Enter'); // submit with an empty name: refused, focus on the field
    await createDialog.getByText('Give the key a name.').waitFor();
    await expect.poll(() => page.evaluate('document.activeElement?.getAttribute("name")')).toBe('name');
    await page.keyboard.type('ci pipeline');
    await page.keyboard.press('Enter');

    const reveal = page.getByRole('dialog', { name: 'Your new API key' });
    await reveal.waitFor();
    expect(describeViolations(await axeViolations(page))).toBe('');
    const secret = await reveal.getByLabel('New API key').inputValue();
    expect(secret).toMatch(/^sk-sb-[\w-]{40,}$/);
    const done = reveal.getByRole('button', { name: 'Done' });
    expect(await done.isDisabled()).toBe(true);
    // Escape asks first (issue 7): "Keep open" (focused first) goes back to the key.
    await page.keyboard.press('Escape');
    const ask = page.getByRole('alertdialog', { name: 'Close without storing the key?' });
    await ask.getByText('You will never see this key again.').waitFor();
    expect(describeViolations(await axeViolations(page, ask))).toBe('');
    await page.keyboard.press('Enter');
    await ask.waitFor({ state: 'detached' });
    expect(await reveal.isVisible()).toBe(true);
    await expect.poll(() => reveal.locator(':focus').count()).toBe(1);

    await reveal.getByRole('button', { name: 'Copy key' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate('navigator.clipboard.readText()')).toBe(secret);

    await reveal.getByLabel('I have stored this key').focus();
    await page.keyboard.press('Space');
    expect(await done.isDisabled()).toBe(false);
    await done.focus();
    await page.keyboard.press('Enter');
    await reveal.waitFor({ state: 'detached' });

    const table = page.getByRole('table', { name: 'API keys' });
    await table.getByText(`sk-sb-…${secret.slice(-4)}`).waitFor();
    await page.reload();
    await page.getByRole('table', { name: 'API keys' }).getByRole('rowheader', { name: 'ci pipeline' }).waitFor();
    expect(await page.content()).not.toContain(secret);
    const bodies = await responses.bodies();
    // Exactly one response ever carried it: the creation.
    expect(bodies.filter((body) => body.includes(secret))).toHaveLength(1);

    // The copied key works with the official SDK against <origin>/v1.
    const sdk = new OpenAI({ apiKey: secret, baseURL: `${server.url}/v1`, maxRetries: 0 });
    const answer = await sdk.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    expect(answer.choices[0]?.message.content).toBeTruthy();

    // Revoke behind an alertdialog; the key leaves the table and stops working.
    await page.getByRole('button', { name: 'Revoke ci pipeline' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Revoke ci pipeline?' });
    await confirm.waitFor();
    await confirm.getByRole('button', { name: 'Revoke key' }).click();
    await confirm.waitFor({ state: 'detached' });
    await page.getByText('No API keys yet').waitFor();
    // The last row is gone: focus is on the page heading, not <body> (issue 7).
    await expect.poll(() => focusedElement(page)).toBe('H1 API keys');
    await expect(sdk.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({ status: 401 });
    expect(server.logs.text()).not.toContain(secret);
    await context.close();
  });
});

describe('Roll key', () => {
  it('reveals the replacement once, keeps the old key through its grace, and revokes at once with "Now"', async () => {
    const email = `roll-${Date.now()}@example.com`;
    await server.running.services.accounts.createUser({ email, password: PASSWORD, verified: true });
    const token = ((await (await server.api('/api/auth/login', { body: { email, password: PASSWORD } })).json()) as { access_token: string }).access_token;
    expect((await server.api('/api/integrations', { token, body: { service: 'openai', api_key: PROVIDER_KEY } })).status).toBe(201);
    const original = (await (await server.api('/api/keys', { token, body: { name: 'worker', models: ['openai/*'], rate_limit: { rpm: 60 } } })).json()) as { id: string; key: string };
    const { page, context } = await openPage(browser);
    const responses = recordResponses(page);
    await page.goto(`${server.url}/login?next=%2Fkeys`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.keyboard.press('Enter');
    const table = page.getByRole('table', { name: 'API keys' });
    await table.getByText(`sk-sb-…${original.key.slice(-4)}`).waitFor();

    // Roll with a 1-hour grace.
    await page.getByRole('button', { name: 'Roll key of worker' }).click();
    const dialog = page.getByRole('dialog', { name: 'Roll worker' });
    await dialog.waitFor();
    expect(await dialog.getByRole('radio', { name: 'Now' }).isChecked()).toBe(true);
    await dialog.getByText('rolling a key never signs you out here').waitFor();
    expect(describeViolations(await axeViolations(page))).toBe('');
    await dialog.getByRole('group', { name: 'Revoke old key in' }).getByRole('radio', { name: 'In 1 hour' }).check();
    await dialog.getByRole('button', { name: 'Roll key' }).click();
    const reveal = page.getByRole('dialog', { name: 'Your new API key' });
    await reveal.waitFor();
    const replacement = await reveal.getByLabel('New API key').inputValue();
    expect(replacement).toMatch(/^sk-sb-[\w-]{40,}$/);
    expect(replacement).not.toBe(original.key);
    expect(await reveal.getByRole('button', { name: 'Done' }).isDisabled()).toBe(true);
    await reveal.getByLabel('I have stored this key').check();
    await reveal.getByRole('button', { name: 'Done' }).click();
    await reveal.waitFor({ state: 'detached' });

    // Both rows: the new key, and the old one saying when it is revoked. Both keys work.
    await table.getByText(`sk-sb-…${replacement.slice(-4)}`).waitFor();
    const oldRow = table.getByRole('row').filter({ hasText: `sk-sb-…${original.key.slice(-4)}` });
    await oldRow.getByText(/^Active; revoked at /).waitFor();
    const newRow = table.getByRole('row').filter({ hasText: `sk-sb-…${replacement.slice(-4)}` });
    expect(await newRow.getByText('openai/*').count()).toBe(1);
    const ask = (key: string) => new OpenAI({ apiKey: key, baseURL: `${server.url}/v1`, maxRetries: 0 }).chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    expect((await ask(original.key)).choices[0]?.message.content).toBeTruthy();
    expect((await ask(replacement)).choices[0]?.message.content).toBeTruthy();

    // Roll the replacement with "Now": it stops at once and leaves the table.
    await newRow.getByRole('button', { name: 'Roll key of worker' }).click();
    const again = page.getByRole('dialog', { name: 'Roll worker' });
    await again.getByRole('button', { name: 'Roll key' }).click();
    const secondReveal = page.getByRole('dialog', { name: 'Your new API key' });
    const third = await secondReveal.getByLabel('New API key').inputValue();
    await secondReveal.getByLabel('I have stored this key').check();
    await secondReveal.getByRole('button', { name: 'Done' }).click();
    await table.getByText(`sk-sb-…${third.slice(-4)}`).waitFor();
    await table.getByText(`sk-sb-…${replacement.slice(-4)}`).waitFor({ state: 'detached' });
    await expect(ask(replacement)).rejects.toMatchObject({ status: 401 });
    expect((await ask(third)).choices[0]?.message.content).toBeTruthy();
    expect((await ask(original.key)).choices[0]?.message.content).toBeTruthy();

    await page.reload();
    await page.getByRole('table', { name: 'API keys' }).getByText(`sk-sb-…${third.slice(-4)}`).waitFor();
    const bodies = await responses.bodies();
    for (const secret of [replacement, third]) {
      expect(await page.content()).not.toContain(secret);
      // Only its roll response carried it.
      expect(bodies.filter((body) => body.includes(secret))).toHaveLength(1);
      expect(server.logs.text()).not.toContain(secret);
    }
    await context.close();
  }, 60_000);
});

describe('key.revoked updates other tabs (issue 7 lifecycle)', () => {
  it('a key revoked elsewhere, or whose roll grace ends, leaves an open table without a reload', async () => {
    const user = await server.signIn();
    const create = async (name: string) => ((await (await server.api('/api/keys', { token: user.token, body: { name } })).json()) as { id: string; key: string });
    const elsewhere = await create('Revoked elsewhere');
    const rolled = await create('Rolled with grace');
    const { page, context } = await openPage(browser);
    await page.goto(`${server.url}/login?next=%2Fkeys`);
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.keyboard.press('Enter');
    const table = page.getByRole('table', { name: 'API keys' });
    const rowOf = (name: string) => table.getByRole('row', { name: new RegExp(name) });
    await rowOf('Revoked elsewhere').waitFor();
    await rowOf('Rolled with grace').waitFor();

    // "Another tab" revokes one through the API: this page drops it on the live event.
    expect((await server.api(`/api/keys/${elsewhere.id}`, { token: user.token, method: 'DELETE' })).status).toBe(204);
    await rowOf('Revoked elsewhere').waitFor({ state: 'detached' });

    // "Another tab" rolls one with a 1 s grace: this page keeps the old key listed (it still works)
    // until the server's sweep announces the end of the grace; then the refetched table has only
    // the replacement.
    const oldRow = table.getByRole('row', { name: new RegExp(`…${rolled.key.slice(-4)}`) });
    await oldRow.waitFor();
    expect((await server.api(`/api/keys/${rolled.id}/roll`, { token: user.token, body: { revoke_old_in: 1 } })).status).toBe(201);
    await oldRow.waitFor({ state: 'detached', timeout: 15_000 });
    await rowOf('Rolled with grace').waitFor();
    await context.close();
  }, 45_000);
});

describe('Issue 7: closing the reveal unstored, and focus after a revoke', () => {
  it('"Close anyway" clears the key like "Done"; a revoked row hands focus to the next row, the previous one, then the heading', async () => {
    const user = await server.signIn();
    for (const name of ['alpha', 'bravo', 'charlie']) expect((await server.api('/api/keys', { token: user.token, body: { name } })).status).toBe(201);
    const { page, context } = await openPage(browser);
    await logInThroughPage(page, server.url, { email: user.email, password: PASSWORD }, '/keys');
    const table = page.getByRole('table', { name: 'API keys' });
    await table.getByRole('rowheader', { name: 'charlie' }).waitFor();

    await page.getByRole('button', { name: 'Create key' }).click();
    const create = page.getByRole('dialog', { name: 'Create API key' });
    await create.getByLabel('Key name').fill('delta');
    await create.getByRole('button', { name: 'Create key' }).click();
    const reveal = page.getByRole('dialog', { name: 'Your new API key' });
    const secret = await reveal.getByLabel('New API key').inputValue();
    expect(secret).toMatch(/^sk-sb-/);
    // A backdrop click does nothing; Escape asks; "Close anyway" closes and forgets the key.
    await page.mouse.click(5, 5);
    expect(await page.getByRole('alertdialog').count()).toBe(0);
    expect(await reveal.isVisible()).toBe(true);
    await page.keyboard.press('Escape');
    const ask = page.getByRole('alertdialog', { name: 'Close without storing the key?' });
    await ask.getByRole('button', { name: 'Close anyway' }).click();
    await reveal.waitFor({ state: 'detached' });
    expect(await ask.count()).toBe(0);
    // Both dialogs are gone with what had focus in them: focus is on the page, not <body>.
    await expect.poll(() => focusedElement(page)).toMatch(/^(BUTTON Create key|H1 API keys)$/);
    await table.getByRole('rowheader', { name: 'delta' }).waitFor();
    expect(await page.content()).not.toContain(secret);

    const names = async () => table.getByRole('rowheader').allTextContents();
    const revoke = async (name: string) => {
      await table.getByRole('button', { name: `Revoke ${name}`, exact: true }).click();
      await page.getByRole('alertdialog', { name: `Revoke ${name}?` }).getByRole('button', { name: 'Revoke key' }).click();
      await table.getByRole('rowheader', { name, exact: true }).waitFor({ state: 'detached' });
    };
    const order = await names();
    expect(order).toHaveLength(4);
    // A middle row: focus on the next row's "Revoke".
    await revoke(order[1]!);
    await expect.poll(() => focusedElement(page)).toBe(`BUTTON Revoke ${order[2]}`);
    // The last row: focus on the previous row's.
    await revoke(order[3]!);
    await expect.poll(() => focusedElement(page)).toBe(`BUTTON Revoke ${order[2]}`);
    await revoke(order[2]!);
    await expect.poll(() => focusedElement(page)).toBe(`BUTTON Revoke ${order[0]}`);
    // No row left: the heading.
    await revoke(order[0]!);
    await page.getByText('No API keys yet').waitFor();
    await expect.poll(() => focusedElement(page)).toBe('H1 API keys');
    await context.close();
  }, 60_000);
});
