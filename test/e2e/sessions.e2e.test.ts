/**
 * J12 (WEBAPP.md §6.6): two browsers signed in as the same user; the first revokes the second's
 * session under Settings → Sessions; the second's next request sends it to the login page.
 * "Sign out other sessions" does the same for all others at once.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { axeViolations, describeViolations, launchBrowser, logInThroughPage, openPage } from './harness.js';

const PASSWORD = 'correct horse battery staple';

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function signIn(email: string, path = '/settings'): Promise<Page> {
  const { page } = await openPage(browser);
  await logInThroughPage(page, server.url, { email, password: PASSWORD }, path);
  await page.waitForURL((url) => url.pathname === path);
  return page;
}

describe('J12: sessions', () => {
  it('revoking another browser’s session sends that browser to the login page', async () => {
    const email = `j12-${Date.now()}@example.com`;
    await server.running.services.accounts.createUser({ email, password: PASSWORD, verified: true });
    const first = await signIn(email);
    const second = await signIn(email, '/keys');

    await first.reload();
    const table = first.getByRole('table', { name: 'Sessions' });
    await expect.poll(() => table.getByRole('row').count()).toBe(3); // header + two sessions
    await table.getByText('This device').waitFor();
    expect(describeViolations(await axeViolations(first))).toBe('');
    await table.getByRole('button', { name: /^Revoke session/ }).click();
    await expect.poll(() => table.getByRole('row').count()).toBe(2);

    await second.reload();
    await second.waitForURL(/\/login\?next=%2Fkeys/);
    // The first browser is unaffected.
    await first.reload();
    await first.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    expect(new URL(first.url()).pathname).toBe('/settings');
  });

  it('"Sign out other sessions" ends every other session after a confirmation, keeping this one', async () => {
    const email = `j12-all-${Date.now()}@example.com`;
    await server.running.services.accounts.createUser({ email, password: PASSWORD, verified: true });
    const others = [await signIn(email, '/keys'), await signIn(email, '/keys')];
    const page = await signIn(email);
    await expect.poll(() => page.getByRole('table', { name: 'Sessions' }).getByRole('row').count()).toBe(4);
    await page.getByRole('button', { name: 'Sign out other sessions' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Sign out other sessions?' });
    await confirm.getByRole('button', { name: 'Sign out others' }).click();
    await confirm.waitFor({ state: 'detached' });
    await expect.poll(() => page.getByRole('table', { name: 'Sessions' }).getByRole('row').count()).toBe(2);
    for (const other of others) {
      await other.reload();
      await other.waitForURL(/\/login/);
    }
  });
});
