/**
 * Settings → "Notification preferences" (WEBAPP.md §6.4): two switches, "Email me budget alerts"
 * and "Email me when a provider rejects a key", both on for a new user. Flipping one (by mouse or
 * keyboard) saves it server-side at once: GET /api/me/notification-preferences agrees, a reload
 * shows it, and a budget's test alert then reaches the app but not the mailbox (the SMTP sink).
 * axe finds nothing at 1280 px light and 375 px dark.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { axeViolations, describeViolations, launchBrowser, logInThroughPage, openPage, overflowsHorizontally } from './harness.js';

const PASSWORD = 'correct horse battery staple';
const BUDGET_MAIL = 'Email me budget alerts';
const KEY_MAIL = 'Email me when a provider rejects a key';

let smtp: SmtpCapture;
let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  smtp = await startSmtpCapture();
  server = await startTestServer({ SMTP_URL: smtp.url });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await smtp?.close();
});

const noViolations = async (page: Page) => {
  expect(describeViolations(await axeViolations(page))).toBe('');
  expect(await overflowsHorizontally(page)).toBe(false);
};

describe('Settings: notification preferences', () => {
  it('switches save at once, survive a reload, and the sender honours them', async () => {
    const email = `prefs-${Date.now()}@example.com`;
    await server.running.services.accounts.createUser({ email, password: PASSWORD, verified: true });
    const token = ((await (await server.api('/api/auth/login', { body: { email, password: PASSWORD } })).json()) as { access_token: string }).access_token;
    const stored = async () => (await (await server.api('/api/me/notification-preferences', { token })).json()) as Record<string, boolean>;

    const { page, context } = await openPage(browser);
    await logInThroughPage(page, server.url, { email, password: PASSWORD }, '/settings');
    const section = page.getByRole('region', { name: 'Notification preferences' });
    const budgetMail = section.getByRole('switch', { name: BUDGET_MAIL });
    const keyMail = section.getByRole('switch', { name: KEY_MAIL });
    await budgetMail.waitFor();
    expect(await budgetMail.getAttribute('aria-checked')).toBe('true');
    expect(await keyMail.getAttribute('aria-checked')).toBe('true');
    await noViolations(page);

    await budgetMail.click();
    await expect.poll(stored).toEqual({ email_budget_alerts: false, email_integration_alerts: true });
    await page.getByRole('region', { name: 'Messages' }).getByText(`${BUDGET_MAIL}: off.`).waitFor();
    // The keyboard works too.
    await keyMail.focus();
    await page.keyboard.press('Space');
    await expect.poll(stored).toEqual({ email_budget_alerts: false, email_integration_alerts: false });
    await page.reload();
    await expect.poll(() => budgetMail.getAttribute('aria-checked')).toBe('false');
    expect(await keyMail.getAttribute('aria-checked')).toBe('false');
    await noViolations(page);

    // Honoured: a test alert lands in the app, and no mail goes out.
    const budget = (await (await server.api('/api/budgets', { method: 'PUT', token, body: { scope: 'user', limit_micros: 1_000_000 } })).json()) as { id: string };
    expect((await server.api(`/api/budgets/${budget.id}/test-alert`, { method: 'POST', token })).status).toBe(200);
    const alerts = (await (await server.api('/api/alerts', { token })).json()) as { data: Array<{ kind: string }> };
    expect(alerts.data.map((alert) => alert.kind)).toEqual(['budget.test']);
    expect(smtp.messages.filter((mail) => mail.to.includes(email))).toEqual([]);
    await keyMail.click();
    await expect.poll(stored).toEqual({ email_budget_alerts: false, email_integration_alerts: true });
    await context.close();

    const small = await openPage(browser, { viewport: { width: 375, height: 740 }, colorScheme: 'dark' });
    await logInThroughPage(small.page, server.url, { email, password: PASSWORD }, '/settings');
    await expect.poll(() => small.page.getByRole('switch', { name: KEY_MAIL }).getAttribute('aria-checked')).toBe('true');
    await small.page.getByRole('region', { name: 'Notification preferences' }).scrollIntoViewIfNeeded();
    await noViolations(small.page);
    await small.context.close();
  }, 60_000);
});
