/**
 * The README's Overview screenshot (docs/images/overview.png), made the way J6 sees the page: a
 * real server on a fresh embedded database, 30 days of planted usage for one user, Chromium at
 * 1280×800. Run: `npm run build && npx tsx test/e2e/screenshot-overview.ts`.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestServer } from '../helpers/test-server.js';
import { launchBrowser, logInThroughPage, openPage } from './harness.js';
import { seedUsage } from './usage-seed.js';

const out = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'images', 'overview.png');
const PASSWORD = 'correct horse battery staple';

const server = await startTestServer();
const browser = await launchBrowser();
try {
  const email = 'you@example.com';
  const user = await server.running.services.accounts.createUser({ email, password: PASSWORD, verified: true });
  await seedUsage(server.database.url, { userId: user.id, rows: 20_000, tag: 'shot', models: ['openai/gpt-4o-mini', 'anthropic/claude-3-5-haiku-latest', 'gemini/gemini-2.0-flash'] });
  const { page } = await openPage(browser, { viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
  await logInThroughPage(page, server.url, { email, password: PASSWORD }, '/?range=30d&tz=UTC');
  await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
  for (let i = 0; i < 200 && !(await page.evaluate(`performance.getEntriesByName('overview-ready').length`)); i += 1) await page.waitForTimeout(100);
  await page.screenshot({ path: out, fullPage: false });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  await server.close();
}
