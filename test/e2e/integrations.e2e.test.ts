/**
 * J2 (WEBAPP.md §6.6): add a provider key, tested before it is trusted. "Test connection" with a
 * bad key says "Rejected by OpenAI (401)" and that the key is at fault; with the good key it says
 * "Connected" with the model count; saved, the table shows …last4 and a status in words; "Test"
 * re-tests the stored key; "Edit" never asks for the key, "Replace key" does (with its own test);
 * the detail page shows the models; a loopback base URL is refused naming
 * SWITCHBOARD_ALLOW_PRIVATE_UPSTREAMS; and no response, page or log ever contains a key. In team
 * scope (?team=), a member sees the secret and can test it, while the controls they cannot use
 * are disabled with the reason linked. "Disable" (an alertdialog) takes an integration out of
 * service: the row says "Disabled" with the reason, requests fail naming it, and "Re-enable" puts
 * it back.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_OPENAI_MODELS, startFakeOpenAI } from '../fakes/openai.js';
import type { FakeProvider } from '../fakes/fake-server.js';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { axeViolations, describeViolations, focusedElement, launchBrowser, logInThroughPage, openPage, recordResponses } from './harness.js';

const PASSWORD = 'correct horse battery staple';
const GOOD_KEY = 'sk-e2e-integration-good-00000000000000001';
const BAD_KEY = 'sk-e2e-integration-bad-000000000000000002';
const NEW_KEY = 'sk-e2e-integration-new-000000000000000N3w';
const TEAM_KEY = 'sk-e2e-integration-team-00000000000000Tm4';
const ALL_KEYS = [GOOD_KEY, BAD_KEY, NEW_KEY, TEAM_KEY];

let fake: FakeProvider;
let server: TestServer;
let smtp: SmtpCapture;
let browser: Browser;

beforeAll(async () => {
  fake = await startFakeOpenAI({ keys: [GOOD_KEY, NEW_KEY, TEAM_KEY] });
  smtp = await startSmtpCapture();
  // The operator-configured OpenAI address may be loopback; a user's base_url may not (no opt-in here).
  server = await startTestServer({ SWITCHBOARD_OPENAI_BASE_URL: fake.baseUrl, SMTP_URL: smtp.url, SWITCHBOARD_AUTO_DISABLE_ERRORS: '5' });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await smtp?.close();
  await fake?.close();
});

const axe = async (page: Page) => expect(describeViolations(await axeViolations(page))).toBe('');

describe('J2: add a provider key, tested', () => {
  it('tests before saving, shows only …last4, edits without the key, replaces it with a test, and never sends a key back', async () => {
    const email = `j2-${Date.now()}@example.com`;
    await server.running.services.accounts.createUser({ email, password: PASSWORD, verified: true });
    const { page, context } = await openPage(browser);
    const responses = recordResponses(page);
    await logInThroughPage(page, server.url, { email, password: PASSWORD }, '/integrations');
    await page.getByRole('heading', { level: 1, name: 'Integrations' }).waitFor();

    await page.getByRole('button', { name: 'Add integration' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add integration' });
    await dialog.waitFor();
    await dialog.getByRole('link', { name: 'Open the OpenAI console' }).waitFor();
    await axe(page);
    expect(await dialog.getByLabel('API key', { exact: true }).getAttribute('type')).toBe('password');
    const status = dialog.getByRole('status');

    await dialog.getByLabel('API key', { exact: true }).fill(BAD_KEY);
    await dialog.getByRole('button', { name: 'Test connection' }).click();
    await expect.poll(() => status.textContent()).toMatch(/^Rejected by OpenAI \(401\): .*\(source: your key\)$/);

    await dialog.getByLabel('API key', { exact: true }).fill(GOOD_KEY);
    await dialog.getByRole('button', { name: 'Test connection' }).click();
    await expect.poll(() => status.textContent()).toMatch(new RegExp(`^Connected: ${DEFAULT_OPENAI_MODELS.length} models, \\d+ ms$`));

    // A user's base URL on loopback is refused, with the operator's switch named.
    await dialog.getByText('Advanced').click();
    await dialog.getByLabel('Base URL').fill('http://127.0.0.1:9/v1');
    await dialog.getByRole('button', { name: 'Save integration' }).click();
    await expect.poll(async () => (await dialog.getByRole('alert').allTextContents()).join(' ')).toContain('SWITCHBOARD_ALLOW_PRIVATE_UPSTREAMS');
    await dialog.getByLabel('Base URL').fill('');
    await dialog.getByLabel('Name').fill('Work OpenAI');
    await dialog.getByRole('button', { name: 'Save integration' }).click();
    await dialog.waitFor({ state: 'detached' });

    const table = page.getByRole('table', { name: 'Integrations' });
    let row = table.getByRole('row', { name: /Work OpenAI/ });
    await row.getByText(`…${GOOD_KEY.slice(-4)}`).waitFor();
    await row.getByText(/(Healthy|Unchecked)$/).waitFor();
    await row.getByRole('button', { name: 'Test Work OpenAI' }).click();
    await expect.poll(async () => (await row.getByRole('status').textContent()) ?? '').toMatch(/^Connected/);
    await row.getByText('Healthy').waitFor();
    await axe(page);

    // Edit: name and limits, never the key.
    await row.getByRole('button', { name: 'Edit Work OpenAI' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit integration' });
    await edit.waitFor();
    expect(await edit.getByLabel('API key', { exact: true }).count()).toBe(0);
    await axe(page);
    await edit.getByLabel('Name').fill('Renamed OpenAI');
    await edit.getByLabel('Rate limit (requests/min)').fill('abc');
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(() => edit.getByLabel('Rate limit (requests/min)').getAttribute('aria-invalid')).toBe('true');
    await edit.getByLabel('Rate limit (requests/min)').fill('120');
    await edit.getByLabel('Monthly quota (USD)').fill('25');
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await edit.waitFor({ state: 'detached' });
    row = table.getByRole('row', { name: /Renamed OpenAI/ });
    await row.getByText('120/min').waitFor();
    await row.getByText('$0.00 of $25.00 / month').waitFor();
    await row.getByText(`…${GOOD_KEY.slice(-4)}`).waitFor();

    // Replace key: asks for the key, tests it on its own, then stores it.
    await row.getByRole('button', { name: 'Replace key of Renamed OpenAI' }).click();
    const replace = page.getByRole('dialog', { name: 'Replace key' });
    await replace.waitFor();
    await axe(page);
    await replace.getByLabel('API key', { exact: true }).fill(BAD_KEY);
    await replace.getByRole('button', { name: 'Test connection' }).click();
    await expect.poll(() => replace.getByRole('status').textContent()).toMatch(/^Rejected by OpenAI \(401\): .*\(source: your key\)$/);
    await replace.getByLabel('API key', { exact: true }).fill(NEW_KEY);
    await replace.getByRole('button', { name: 'Test connection' }).click();
    await expect.poll(() => replace.getByRole('status').textContent()).toMatch(/^Connected: \d+ models/);
    await replace.getByRole('button', { name: 'Replace key', exact: true }).click();
    await replace.waitFor({ state: 'detached' });
    await row.getByText(`…${NEW_KEY.slice(-4)}`).waitFor();

    // The detail page: status, breaker and the provider's models from the last check.
    await row.getByRole('link', { name: 'Renamed OpenAI' }).click();
    await page.getByRole('heading', { level: 1, name: 'Renamed OpenAI' }).waitFor();
    await page.getByRole('listitem').filter({ hasText: DEFAULT_OPENAI_MODELS[0]! }).first().waitFor();
    await page.getByText('Closed').waitFor();
    await axe(page);
    await page.getByRole('link', { name: 'Back to Integrations' }).click();

    await page.reload();
    await page.getByRole('table', { name: 'Integrations' }).getByRole('rowheader', { name: 'Renamed OpenAI' }).waitFor();
    const text = await page.content();
    for (const key of ALL_KEYS) expect(text).not.toContain(key);
    for (const body of await responses.bodies()) for (const key of ALL_KEYS) expect(body).not.toContain(key);

    // Issue 7: deleting a row puts focus on the next row's "Delete" (here the other row), and deleting
    // the last one on the page heading, never on <body>.
    const token = ((await (await server.api('/api/auth/login', { body: { email, password: PASSWORD } })).json()) as { access_token: string }).access_token;
    expect((await server.api('/api/integrations', { token, body: { service: 'openai', api_key: GOOD_KEY, name: 'Second OpenAI' } })).status).toBe(201);
    await page.reload();
    await page.getByRole('table', { name: 'Integrations' }).getByRole('rowheader', { name: 'Second OpenAI' }).waitFor();
    await page.getByRole('button', { name: 'Delete Renamed OpenAI' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Delete Renamed OpenAI?' });
    await confirm.getByRole('button', { name: 'Delete integration' }).click();
    await page.getByRole('table', { name: 'Integrations' }).getByRole('rowheader', { name: 'Renamed OpenAI' }).waitFor({ state: 'detached' });
    await expect.poll(() => focusedElement(page)).toBe('BUTTON Delete Second OpenAI');
    await page.keyboard.press('Enter');
    await page.getByRole('alertdialog', { name: 'Delete Second OpenAI?' }).getByRole('button', { name: 'Delete integration' }).click();
    await page.getByText('No integrations yet').waitFor();
    await expect.poll(() => focusedElement(page)).toBe('H1 Integrations');
    for (const key of ALL_KEYS) expect(server.logs.text()).not.toContain(key);
    await context.close();
  }, 60_000);

  it('team scope: a member sees and tests the team secret; the controls they cannot use say why; another user’s id is Not found', async () => {
    const owner = await server.signIn();
    const member = await server.signIn();
    const team = (await (await server.api('/api/teams', { token: owner.token, body: { name: 'Research' } })).json()) as { id: string };
    expect((await server.api(`/api/teams/${team.id}/invitations`, { token: owner.token, body: { email: member.email, role: 'member' } })).status).toBe(201);
    const invitation = /token=([A-Za-z0-9_-]+)/.exec((await smtp.nextTo(member.email)).text)![1]!;
    expect((await server.api('/api/invitations/accept', { token: member.token, body: { token: invitation } })).status).toBe(200);
    const created = await server.api(`/api/teams/${team.id}/integrations`, { token: owner.token, body: { service: 'openai', api_key: TEAM_KEY, name: 'Shared OpenAI' } });
    expect(created.status).toBe(201);
    const personal = (await (await server.api('/api/integrations', { token: owner.token, body: { service: 'openai', api_key: GOOD_KEY, name: 'Owner private' } })).json()) as { id: string };

    const { page, context } = await openPage(browser);
    const responses = recordResponses(page);
    await logInThroughPage(page, server.url, { email: member.email, password: PASSWORD }, `/integrations?team=${team.id}`);
    const row = page.getByRole('table', { name: 'Integrations' }).getByRole('row', { name: /Shared OpenAI/ });
    await row.getByText(`…${TEAM_KEY.slice(-4)}`).waitFor();
    for (const name of ['Edit Shared OpenAI', 'Replace key of Shared OpenAI', 'Disable Shared OpenAI', 'Delete Shared OpenAI']) {
      const button = row.getByRole('button', { name });
      await expect.poll(() => button.isDisabled()).toBe(true);
      const describedBy = await button.getAttribute('aria-describedby');
      expect(await page.locator(`[id="${describedBy}"]`).textContent()).toBe('Only team owners and admins can add, edit, replace, disable or delete team secrets; members can see and test them.');
    }
    expect(await page.getByRole('button', { name: 'Add integration' }).isDisabled()).toBe(true);
    await row.getByRole('button', { name: 'Test Shared OpenAI' }).click();
    await expect.poll(async () => (await row.getByRole('status').textContent()) ?? '').toMatch(/^Connected/);
    await axe(page);

    // A team they are not in, and someone else's integration: the Not found page, none of its data.
    const other = (await (await server.api('/api/teams', { token: owner.token, body: { name: 'Private team' } })).json()) as { id: string };
    await page.goto(`${server.url}/integrations?team=${other.id}`);
    await page.getByRole('heading', { level: 1, name: 'Not found' }).waitFor();
    await page.goto(`${server.url}/integrations/${personal.id}`);
    await page.getByRole('heading', { level: 1, name: 'Not found' }).waitFor();
    expect(await page.content()).not.toContain('Owner private');
    for (const body of await responses.bodies()) for (const key of ALL_KEYS) expect(body).not.toContain(key);
    await context.close();
  }, 45_000);
});

describe('Disable and re-enable an integration', () => {
  it('confirms, shows the reason, stops requests using it, and re-enables it', async () => {
    const user = await server.signIn();
    const created = await server.api('/api/integrations', { token: user.token, body: { service: 'openai', api_key: GOOD_KEY, name: 'Main OpenAI' } });
    const id = ((await created.json()) as { id: string }).id;
    const chat = () => server.api('/v1/chat/completions', { token: user.token, body: { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] } });
    expect((await chat()).status).toBe(200);
    const { page, context } = await openPage(browser);
    await logInThroughPage(page, server.url, { email: user.email, password: PASSWORD }, '/integrations');
    const row = page.getByRole('table', { name: 'Integrations' }).getByRole('row', { name: /Main OpenAI/ });
    await row.getByText(`…${GOOD_KEY.slice(-4)}`).waitFor();

    await row.getByRole('button', { name: 'Disable Main OpenAI' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Disable Main OpenAI?' });
    await confirm.waitFor();
    await axe(page);
    await confirm.getByRole('button', { name: 'Disable integration' }).click();
    await confirm.waitFor({ state: 'detached' });
    await row.getByText(/^○Disabled$/).waitFor();
    await row.getByText(/^Disabled manually\. Since /).waitFor();
    // Issue 7: the "Disable" that opened the dialog is gone; focus is on what took its place.
    await expect.poll(() => focusedElement(page)).toBe('BUTTON Re-enable Main OpenAI');
    await axe(page);
    const refused = await chat();
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'integration_disabled', message: expect.stringContaining(id) });

    await row.getByRole('button', { name: 'Re-enable Main OpenAI' }).click();
    await row.getByText('Re-enabled: requests use this key again.').waitFor();
    await row.getByRole('button', { name: 'Disable Main OpenAI' }).waitFor();
    expect(await row.getByText(/^○Disabled$/).count()).toBe(0);
    expect((await chat()).status).toBe(200);
    await context.close();
  }, 45_000);
});

describe('Auto-disable after repeated key rejections (issue 7 lifecycle policy)', () => {
  it('the row turns Disabled live with the reason and the retry time in the viewer’s zone; "Re-enable" puts it back', async () => {
    const user = await server.signIn();
    const created = await server.api('/api/integrations', { token: user.token, body: { service: 'openai', api_key: BAD_KEY, name: 'Rejected OpenAI' } });
    expect(created.status).toBe(201);
    const { page, context } = await openPage(browser);
    const responses = recordResponses(page);
    await logInThroughPage(page, server.url, { email: user.email, password: PASSWORD }, '/integrations');
    const row = page.getByRole('table', { name: 'Integrations' }).getByRole('row', { name: /Rejected OpenAI/ });
    await row.getByText(`…${BAD_KEY.slice(-4)}`).waitFor();

    // Five requests the provider rejects (401): the server disables it; the page hears it over SSE.
    for (let n = 0; n < 5; n++) {
      const response = await server.api('/v1/chat/completions', { token: user.token, body: { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] } });
      expect(response.status).toBe(401);
    }
    await row.getByText(/^○Disabled$/).waitFor({ timeout: 10_000 });
    await row.getByText(/^Disabled after 5 provider errors in 2 min \(the provider rejected the key\); will retry at \d{1,2} \w{3} \d{4}, \d{2}:\d{2}\. Since /).waitFor();
    await axe(page);

    // After a reload the list itself (not only the event) says the same.
    await page.reload();
    await row.getByText(/will retry at \d{1,2} \w{3} \d{4}, \d{2}:\d{2}\./).waitFor();
    await row.getByRole('button', { name: 'Re-enable Rejected OpenAI' }).click();
    await row.getByText('Re-enabled: requests use this key again.').waitFor();
    expect(await row.getByText(/will retry at/).count()).toBe(0);
    for (const body of await responses.bodies()) for (const key of ALL_KEYS) expect(body).not.toContain(key);
    await context.close();
  }, 45_000);
});
