/**
 * J9 (WEBAPP.md §6.6): teams and team secrets. Owner A creates a team in the browser and invites B
 * by e-mail (the SMTP sink; "Resend" mails a new link and the old one stops working). B, signed
 * out, follows the link, logs in, lands on "Join <team> as member" and accepts. A adds a team
 * secret; B sees it in the Integrations view in team scope (…last4, status) with "Test" but every
 * managing control disabled with the reason, while A can manage it there. B creates a team key in
 * the team's "API keys" tab (the workspace preset to the team); calls made with it count toward
 * the team's usage, and the team's Usage tab (the Overview dashboard in team scope) shows the
 * same totals as GET /api/usage?team_id=. A cannot leave as the last owner, then removes B behind an alertdialog: B's
 * team URLs show Not found and B's team key answers 401 on /v1. axe finds nothing on the states
 * opened (dialogs at 1280 px light, every section at 375 px dark); no key or invitation token reaches a page, a response
 * or the logs. A role change asks first too.
 */
import OpenAI from 'openai';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeProvider } from '../fakes/fake-server.js';
import { startFakeOpenAI } from '../fakes/openai.js';
import { freePort } from '../helpers/own-redis.js';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { axeViolations, describeViolations, kpisOf, kpiValues, lastSevenDaysUtc, launchBrowser, logInThroughPage, openPage, overflowsHorizontally, recordResponses, type AggregateTotals } from './harness.js';

const PASSWORD = 'correct horse battery staple';
const TEAM_PROVIDER_KEY = 'sk-e2e-team-secret-provider-0000000000001';
const TEAM = 'Moonshot Lab';

let fake: FakeProvider;
let smtp: SmtpCapture;
let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  fake = await startFakeOpenAI({ keys: [TEAM_PROVIDER_KEY] });
  smtp = await startSmtpCapture();
  const port = await freePort();
  server = await startTestServer({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, SMTP_URL: smtp.url, SWITCHBOARD_OPENAI_BASE_URL: fake.baseUrl });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await smtp?.close();
  await fake?.close();
});

const noViolations = async (page: Page) => expect(describeViolations(await axeViolations(page))).toBe('');

async function invitationLink(email: string): Promise<string> {
  const mail = await smtp.nextTo(email);
  const link = /(http:\/\/\S+\/invitations\/accept\?token=[\w-]+)/.exec(mail.text)?.[1];
  expect(link, mail.text).toBeDefined();
  return link!;
}

async function apiToken(email: string): Promise<string> {
  const response = await server.api('/api/auth/login', { body: { email, password: PASSWORD } });
  return ((await response.json()) as { access_token: string }).access_token;
}

describe('J9: teams and team secrets', () => {
  it('creates a team, invites by mail, shares a secret, counts team-key usage, and removal cuts access', async () => {
    const stamp = Date.now();
    const alice = `j9-owner-${stamp}@example.com`;
    const bob = `j9-member-${stamp}@example.com`;
    await server.running.services.accounts.createUser({ email: alice, password: PASSWORD, verified: true });
    await server.running.services.accounts.createUser({ email: bob, password: PASSWORD, verified: true });
    const a = await openPage(browser);
    const b = await openPage(browser);
    const bResponses = recordResponses(b.page);

    // A creates the team in the UI.
    await logInThroughPage(a.page, server.url, { email: alice, password: PASSWORD }, '/teams');
    await a.page.getByRole('heading', { level: 1, name: 'Teams' }).waitFor();
    await a.page.getByText('No teams yet').waitFor();
    await a.page.getByRole('button', { name: 'Create team' }).click();
    const create = a.page.getByRole('dialog', { name: 'Create team' });
    await create.waitFor();
    await noViolations(a.page);
    await create.getByRole('button', { name: 'Create team' }).click();
    await create.getByText('Give the team a name.').waitFor();
    await create.getByLabel('Team name').fill(TEAM);
    await create.getByRole('button', { name: 'Create team' }).click();
    await a.page.getByRole('heading', { level: 1, name: TEAM, exact: true }).waitFor();
    const teamId = /\/teams\/([0-9A-Z]{26})/.exec(a.page.url())?.[1];
    expect(teamId).toBeDefined();
    const teamUrl = `${server.url}/teams/${teamId}`;
    await a.page.getByRole('tablist', { name: 'Team sections' }).waitFor();
    await a.page.getByRole('table', { name: 'Members' }).getByRole('rowheader', { name: new RegExp(alice) }).waitFor();

    // The last owner cannot leave: the confirmation shows the server's refusal.
    await a.page.getByRole('button', { name: 'Leave team' }).click();
    const leave = a.page.getByRole('alertdialog', { name: `Leave ${TEAM}?` });
    await leave.getByRole('button', { name: 'Leave team' }).click();
    await expect.poll(() => leave.getByRole('alert').textContent()).toMatch(/last owner/);
    await leave.getByRole('button', { name: 'Cancel' }).click();

    // A invites B by mail, then resends: only the newest link works.
    await a.page.getByRole('button', { name: 'Invite member' }).click();
    const invite = a.page.getByRole('dialog', { name: 'Invite member' });
    await invite.waitFor();
    await noViolations(a.page);
    await invite.getByLabel('Email').fill(bob);
    expect(await invite.getByRole('combobox', { name: 'Role' }).inputValue()).toBe('member');
    await invite.getByRole('button', { name: 'Send invitation' }).click();
    await invite.waitFor({ state: 'detached' });
    const pending = a.page.getByRole('list', { name: 'Pending invitations' });
    await pending.getByText(bob).waitFor();
    const firstLink = await invitationLink(bob);
    await pending.getByRole('button', { name: `Resend invitation to ${bob}` }).click();
    const link = await invitationLink(bob);
    expect(link).not.toBe(firstLink);
    expect(link.startsWith(`${server.url}/invitations/accept?token=`)).toBe(true);
    const tokens = [firstLink, link].map((url) => new URL(url).searchParams.get('token')!);

    // B, signed out, follows the old link: login, then the one "not found" answer.
    await b.page.goto(firstLink);
    await b.page.waitForURL((url) => url.pathname === '/login');
    await b.page.getByLabel('Email').fill(bob);
    await b.page.getByLabel('Password').fill(PASSWORD);
    await b.page.getByRole('button', { name: 'Log in' }).click();
    await b.page.getByRole('heading', { level: 1, name: 'Invitation not found' }).waitFor();
    // The new link: "Join <team> as member", Accept.
    await b.page.goto(link);
    await b.page.getByRole('heading', { level: 1, name: `Join ${TEAM} as member` }).waitFor();
    await noViolations(b.page);
    await b.page.getByRole('button', { name: 'Accept' }).click();
    await b.page.getByRole('heading', { level: 1, name: TEAM, exact: true }).waitFor();
    expect(b.page.url()).toBe(teamUrl);
    await b.page.getByRole('table', { name: 'Members' }).getByRole('rowheader', { name: new RegExp(bob) }).waitFor();
    // A member does not manage: no invite button, no role or remove controls, no invitation list.
    expect(await b.page.getByRole('button', { name: 'Invite member' }).count()).toBe(0);
    expect(await b.page.getByRole('button', { name: /^Remove / }).count()).toBe(0);

    // A adds a team secret (through the API); B sees …last4 and a status, and nothing to change.
    const aliceToken = await apiToken(alice);
    const secret = await server.api(`/api/teams/${teamId}/integrations`, { token: aliceToken, body: { service: 'openai', name: 'Team OpenAI', api_key: TEAM_PROVIDER_KEY } });
    expect(secret.status, await secret.clone().text()).toBe(201);
    // The tab is the Integrations page's own view in team scope: B may look and test, the rest is
    // disabled with the reason as its description.
    await b.page.getByRole('tab', { name: 'Team secrets' }).click();
    const secretsPanel = b.page.getByRole('tabpanel', { name: 'Team secrets' });
    const secretRow = secretsPanel.getByRole('table', { name: 'Integrations' }).getByRole('row', { name: /Team OpenAI/ });
    await secretRow.getByText(`…${TEAM_PROVIDER_KEY.slice(-4)}`).waitFor();
    await secretRow.getByText(/(Healthy|Unchecked)$/).waitFor();
    expect(await secretRow.getByRole('link', { name: 'Team OpenAI' }).getAttribute('href')).toBe(`/integrations/${JSON.parse(await secret.text()).id}?team=${teamId}`);
    for (const name of ['Add integration', 'Edit Team OpenAI', 'Replace key of Team OpenAI', 'Disable Team OpenAI', 'Delete Team OpenAI']) {
      const control = secretsPanel.getByRole('button', { name, exact: true });
      expect(await control.isDisabled(), name).toBe(true);
      const reason = await control.getAttribute('aria-describedby');
      expect(await b.page.locator(`[id="${reason}"]`).textContent(), name).toBe('Only team owners and admins can add, edit, replace, disable or delete team secrets; members can see and test them.');
    }
    expect(await secretsPanel.getByRole('button', { name: 'Test Team OpenAI' }).isEnabled()).toBe(true);
    // A (owner) manages them in the same view.
    await a.page.goto(`${teamUrl}?tab=secrets`);
    const ownerPanel = a.page.getByRole('tabpanel', { name: 'Team secrets' });
    await ownerPanel.getByRole('table', { name: 'Integrations' }).getByRole('row', { name: /Team OpenAI/ }).waitFor();
    expect(await ownerPanel.getByRole('button', { name: 'Replace key of Team OpenAI' }).isEnabled()).toBe(true);
    expect(await ownerPanel.getByRole('button', { name: 'Add integration' }).isEnabled()).toBe(true);
    await ownerPanel.getByRole('button', { name: 'Add integration' }).click();
    await a.page.getByRole('dialog', { name: 'Add integration' }).waitFor();
    await noViolations(a.page);
    await a.page.keyboard.press('Escape');
    await a.page.getByRole('dialog', { name: 'Add integration' }).waitFor({ state: 'detached' });
    await a.page.goto(teamUrl);

    // B creates a team key in the team's "API keys" tab: the workspace is preset to the team.
    await b.page.getByRole('tab', { name: 'API keys' }).click();
    await b.page.getByText('No team keys yet').waitFor();
    await b.page.getByRole('button', { name: 'Create key' }).click();
    const createKey = b.page.getByRole('dialog', { name: 'Create API key' });
    await createKey.waitFor();
    expect(await createKey.getByRole('combobox', { name: 'Workspace' }).inputValue()).toBe(teamId);
    await createKey.getByLabel('Key name').fill('bob team key');
    await createKey.getByRole('button', { name: 'Create key' }).click();
    const reveal = b.page.getByRole('dialog', { name: 'Your new API key' });
    await reveal.waitFor();
    const teamKey = await reveal.getByLabel('New API key').inputValue();
    expect(teamKey).toMatch(/^sk-sb-/);
    await reveal.getByLabel('I have stored this key').check();
    await reveal.getByRole('button', { name: 'Done' }).click();
    await reveal.waitFor({ state: 'detached' });
    await b.page.getByRole('table', { name: 'Team API keys' }).getByText(`sk-sb-…${teamKey.slice(-4)}`).waitFor();

    // Calls with the team key are served by the team's secret and count toward the team's usage.
    const sdk = new OpenAI({ apiKey: teamKey, baseURL: `${server.url}/v1`, maxRetries: 0 });
    for (let i = 0; i < 2; i++) {
      const answer = await sdk.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
      expect(answer.choices[0]?.message.content).toBeTruthy();
    }
    const teamRequests = async () => {
      const response = await server.api(`/api/usage?team_id=${teamId}&group_by=day`, { token: aliceToken });
      return ((await response.json()) as { totals: { requests: number } }).totals.requests;
    };
    await expect.poll(teamRequests, { timeout: 10_000 }).toBe(2);
    // The Usage tab is the Overview dashboard in team scope: its tiles equal GET /api/usage?team_id=
    // for the same range and zone.
    const { from, to } = lastSevenDaysUtc();
    const aggregate = await server.api(`/api/usage?team_id=${teamId}&group_by=day&from=${from}&to=${to}&tz=UTC`, { token: aliceToken });
    const { totals } = (await aggregate.json()) as { totals: AggregateTotals };
    expect(totals.requests).toBe(2);
    await b.page.goto(`${teamUrl}?tab=usage&range=7d&tz=UTC`);
    const usagePanel = b.page.getByRole('tabpanel', { name: 'Usage' });
    await usagePanel.getByText('Times shown in UTC').waitFor();
    await expect.poll(() => kpiValues(usagePanel), { timeout: 15_000 }).toEqual(kpisOf(totals));
    await usagePanel.getByRole('table', { name: 'Top API keys' }).getByRole('rowheader', { name: 'bob team key' }).waitFor();
    await usagePanel.getByRole('table', { name: 'Integration health' }).getByRole('rowheader', { name: 'Team OpenAI' }).waitFor();
    await noViolations(b.page);

    // A removes B behind an alertdialog.
    await a.page.reload();
    const bobRow = a.page.getByRole('table', { name: 'Members' }).getByRole('row', { name: new RegExp(bob) });
    // A role change asks first; cancelled, nothing changes; confirmed, B is admin.
    const role = bobRow.getByRole('combobox', { name: `Role of ${bob}` });
    await role.selectOption('admin');
    const promote = a.page.getByRole('alertdialog', { name: `Make ${bob} admin?` });
    await promote.getByRole('button', { name: 'Cancel' }).click();
    await promote.waitFor({ state: 'detached' });
    expect(await role.inputValue()).toBe('member');
    await role.selectOption('admin');
    await promote.getByRole('button', { name: 'Change role' }).click();
    await promote.waitFor({ state: 'detached' });
    await expect.poll(() => role.inputValue()).toBe('admin');
    await bobRow.getByRole('button', { name: `Remove ${bob}` }).click();
    const remove = a.page.getByRole('alertdialog', { name: `Remove ${bob}?` });
    await remove.waitFor();
    await noViolations(a.page);
    await remove.getByRole('button', { name: 'Remove member' }).click();
    await remove.waitFor({ state: 'detached' });
    await bobRow.waitFor({ state: 'detached' });

    // B's team URLs are Not found (the API answers 404), and the team key stops working.
    for (const url of [teamUrl, `${teamUrl}?tab=secrets`]) {
      await b.page.goto(url);
      await b.page.getByRole('heading', { level: 1, name: 'Not found' }).waitFor();
      expect(await b.page.getByText(TEAM).count()).toBe(0);
    }
    expect((await server.api(`/api/teams/${teamId}`, { token: await apiToken(bob) })).status).toBe(404);
    await expect
      .poll(() => sdk.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }).then(() => 200, (error: { status?: number }) => error.status), { timeout: 5_000 })
      .toBe(401);

    // Secrets never reached B's pages or responses, nor the logs.
    expect(await b.page.content()).not.toContain(TEAM_PROVIDER_KEY);
    for (const body of await bResponses.bodies()) {
      expect(body).not.toContain(TEAM_PROVIDER_KEY);
      for (const token of tokens) expect(body).not.toContain(token);
    }
    const logs = server.logs.text();
    for (const value of [TEAM_PROVIDER_KEY, teamKey, ...tokens]) expect(logs).not.toContain(value);
    await b.context.close();

    // The team pages at 375 px in dark mode: every section, no violations, no sideways scroll.
    const small = await openPage(browser, { viewport: { width: 375, height: 740 }, colorScheme: 'dark' });
    await logInThroughPage(small.page, server.url, { email: alice, password: PASSWORD }, '/teams');
    await small.page.getByRole('table', { name: 'Teams' }).getByRole('link', { name: TEAM }).waitFor();
    await noViolations(small.page);
    expect(await overflowsHorizontally(small.page)).toBe(false);
    await small.page.getByRole('table', { name: 'Teams' }).getByRole('link', { name: TEAM }).click();
    await small.page.getByRole('heading', { level: 1, name: TEAM, exact: true }).waitFor();
    for (const [tab, ready] of [
      ['Members', 'Pending invitations'],
      ['Team secrets', 'Team OpenAI'],
      ['API keys', 'No team keys yet'],
      ['Routes', 'No team routes yet'],
      ['Budget', 'No budget'],
      ['Usage', 'Times shown in'],
    ] as const) {
      await small.page.getByRole('tab', { name: tab }).click();
      await small.page.getByText(ready).first().waitFor();
      await noViolations(small.page);
      expect(await overflowsHorizontally(small.page), tab).toBe(false);
    }
    // The budget dialog (owners and admins): "Monthly limit (USD)", stored as micro-dollars.
    await small.page.getByRole('tab', { name: 'Budget' }).click();
    await small.page.getByRole('button', { name: 'Edit budget' }).click();
    const budget = small.page.getByRole('dialog', { name: 'Edit budget' });
    await budget.getByLabel('Monthly limit (USD)').fill('-5');
    await budget.getByRole('button', { name: 'Save budget' }).click();
    await budget.getByText(/An amount in US dollars/).waitFor();
    await noViolations(small.page);
    await budget.getByLabel('Monthly limit (USD)').fill('25.50');
    await budget.getByRole('button', { name: 'Save budget' }).click();
    await budget.waitFor({ state: 'detached' });
    const bar = small.page.getByRole('progressbar', { name: 'Monthly budget' });
    expect(await bar.getAttribute('aria-valuemax')).toBe('25500000');
    await small.context.close();
    await a.context.close();
  }, 90_000); // about 45 s on an idle machine; the slack is for a loaded one
});
