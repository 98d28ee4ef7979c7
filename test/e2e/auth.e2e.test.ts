/**
 * J1 (WEBAPP.md §6.6): sign up in the browser, verify through the mailed link, log in and land on
 * Quick start; a wrong password shows an alert. The real server (built web app, embedded
 * PostgreSQL) on a fixed free port so PUBLIC_URL is the origin the browser uses (the refresh
 * cookie's CSRF check compares them), a real SMTP capture, Debian's Chromium.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/own-redis.js';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { axeViolations, describeViolations, launchBrowser, openPage, overflowsHorizontally } from './harness.js';

const PASSWORD = 'correct horse battery staple';

let smtp: SmtpCapture;
let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  smtp = await startSmtpCapture();
  const port = await freePort();
  server = await startTestServer({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, SMTP_URL: smtp.url });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await smtp?.close();
});

describe('J1: sign-up → verify → first run', () => {
  it('signs up, verifies through the mailed link, and the first login lands on Quick start', async () => {
    const { page, context } = await openPage(browser);
    const email = `j1-${Date.now()}@example.com`;

    await page.goto(`${server.url}/signup`);
    await expect.poll(() => page.title()).toBe('Create your account · Switchboard');
    expect(describeViolations(await axeViolations(page))).toBe('');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('status').filter({ hasText: 'We sent a verification link' }).waitFor();

    const mail = await smtp.nextTo(email);
    const link = /(http:\/\/\S+\/verify-email\?token=[\w.-]+)/.exec(mail.text)?.[1];
    expect(link, mail.text).toBeDefined();
    expect(link!.startsWith(`${server.url}/verify-email?token=`)).toBe(true);
    await page.goto(link!);
    await page.getByRole('status').filter({ hasText: 'Your email is verified' }).waitFor();

    await page.getByRole('link', { name: 'Log in' }).click();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('not the password at all');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(async () => (await page.getByRole('alert').allTextContents()).join(' ')).toMatch(/\S/);
    expect(page.url()).toContain('/login');

    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Quick start' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/quickstart');
    expect(await overflowsHorizontally(page)).toBe(false);
    expect(describeViolations(await axeViolations(page))).toBe('');
    // The access token lives in memory only.
    expect(await page.evaluate('JSON.stringify(localStorage) + JSON.stringify(sessionStorage)')).not.toMatch(/eyJ/);
    await context.close();
  });

  it('keeps the session across a reload through the refresh cookie, and signing out ends it', async () => {
    const user = await server.running.services.accounts.createUser({ email: `j1-reload-${Date.now()}@example.com`, password: PASSWORD, verified: true });
    const { page, context } = await openPage(browser);
    await page.goto(`${server.url}/keys`);
    await page.waitForURL(/\/login\?next=/);
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { level: 1, name: 'API keys' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'API keys' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/keys');

    await page.getByRole('button', { name: 'Account menu' }).click();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login/);
    await page.goto(`${server.url}/keys`);
    await page.waitForURL(/\/login\?next=/);
    await context.close();
  });
});
