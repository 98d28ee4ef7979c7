/**
 * The browser side of the web app's journeys (WEBAPP.md §5.5, §6.6): Debian's Chromium driven by
 * playwright-core (no browser download), one browser per test file, a fresh context per test,
 * axe-core injected for accessibility checks, and on failure a screenshot plus the DOM under
 * test-results/. A missing Chromium fails the test with what to install; it is never skipped.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page, type Response } from 'playwright-core';
import { onTestFailed } from 'vitest';
import { formatMoney, formatNumber, formatPercent } from '../../web/src/format/index.js';

const require = createRequire(import.meta.url);
const RESULTS_DIR = path.resolve('test-results');

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM_PATH}: apt-get install chromium (or set CHROMIUM_PATH). The browser tests cannot run without it.`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}

export interface PageOptions {
  viewport?: { width: number; height: number };
  colorScheme?: 'light' | 'dark';
  /** Origin to grant clipboard access on (127.0.0.1 is a secure context). */
  clipboardOrigin?: string;
}

/**
 * A fresh context and page. The CSP is bypassed only so axe can be injected; the app's own
 * scripts run under the real headers (the serving tests check them).
 */
export async function openPage(browser: Browser, options: PageOptions = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1280, height: 800 },
    colorScheme: options.colorScheme ?? 'light',
    bypassCSP: true,
  });
  if (options.clipboardOrigin) await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: options.clipboardOrigin });
  const page = await context.newPage();
  onTestFailed(async ({ task }) => {
    mkdirSync(RESULTS_DIR, { recursive: true });
    const base = path.join(RESULTS_DIR, task.name.replace(/[^\w.-]+/g, '_').slice(0, 120));
    await page.screenshot({ path: `${base}.png`, fullPage: true }).catch(() => undefined);
    writeFileSync(`${base}.html`, await page.content().catch(() => ''));
  });
  return { context, page };
}

/** Every response body the page received (text), for asserting a secret never reached the browser. */
export function recordResponses(page: Page): { bodies: () => Promise<string[]> } {
  const pending: Array<Promise<string>> = [];
  page.on('response', (response: Response) => {
    // The live event stream (/api/events) never ends while the page is open, so its body cannot be
    // awaited here; what it carries is checked for secrets by test/app/events.test.ts.
    if ((response.headers()['content-type'] ?? '').startsWith('text/event-stream')) return;
    pending.push(response.text().catch(() => ''));
  });
  return { bodies: () => Promise.all(pending) };
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[]; failureSummary?: string }>;
}

const AXE_RULES = { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa', 'best-practice'] }, resultTypes: ['violations'] };

let axeUrl: Promise<string> | undefined;
/**
 * axe-core served by a loopback server of the test process, cacheable, so a context loads it once
 * and Chromium keeps its compiled code across navigations. Injected as inline text it was parsed
 * and compiled again on every page: measured over the sweep's 19 pages, 198 → 53 ms per injection
 * and the first run 10–20% faster. The server does not keep the process alive.
 */
function axeScriptUrl(): Promise<string> {
  axeUrl ??= new Promise((resolve, reject) => {
    const source = readFileSync(require.resolve('axe-core/axe.min.js'));
    const server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=86400, immutable' });
      response.end(source);
    });
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/axe.min.js`));
    server.unref();
  });
  return axeUrl;
}

export async function axeViolations(page: Page, scope?: Locator): Promise<AxeViolation[]> {
  if (!(await page.evaluate('typeof window.axe !== "undefined"'))) await page.addScriptTag({ url: await axeScriptUrl() });
  // Serialised into the page, so self-contained; the test code is typed for Node, so the page's
  // `axe` is reached untyped. The <html> element as context is axe's whole-page context.
  return (scope ?? page.locator('html')).evaluate(async (element, options) => {
    const axe = (globalThis as unknown as { axe: { run: (context: unknown, options: unknown) => Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: string[]; failureSummary?: string }> }> }> } }).axe;
    const result = await axe.run(element, options);
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) }));
  }, AXE_RULES);
}

/** A readable line per violation, for assertion messages. */
export const describeViolations = (violations: AxeViolation[]) =>
  violations.map((violation) => `${violation.id} (${violation.impact}): ${violation.help} — ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`).join('\n');

/** What has keyboard focus, as "<TAG> <accessible label>" (aria-label, else its text): "BUTTON Revoke ci", "H1 API keys", "BODY …". */
export const focusedElement = (page: Page) =>
  page.evaluate('(() => { const e = document.activeElement; return e ? `${e.tagName} ${(e.getAttribute("aria-label") ?? e.textContent ?? "").trim()}` : "none"; })()') as Promise<string>;

/** True when the page scrolls horizontally (WEBAPP.md §6.5 rule 1). */
export const overflowsHorizontally = (page: Page) => page.evaluate('document.documentElement.scrollWidth > window.innerWidth') as Promise<boolean>;

/** Logs in through the login page and waits until the app has left it (for `next`, or `/`). */
export async function logInThroughPage(page: Page, origin: string, credentials: { email: string; password: string }, next?: string): Promise<void> {
  await page.goto(`${origin}/login${next ? `?next=${encodeURIComponent(next)}` : ''}`);
  await page.getByLabel('Email').fill(credentials.email);
  await page.getByLabel('Password').fill(credentials.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL((url) => url.pathname !== '/login');
}

/** The totals of a usage aggregate (GET /api/usage?group_by=…, GET /api/admin/usage?group_by=…). */
export interface AggregateTotals {
  requests: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
  cost_micros: number;
  unpriced_requests: number;
  fallback_requests: number;
}

const KPI_TITLES = ['Spend', 'Requests', 'Tokens', 'Error rate', 'Fallback rate'] as const;

/** The usage dashboard's KPI values, read through the tiles' accessible names (`group` "Spend", …). */
export async function kpiValues(scope: Page | Locator): Promise<Record<string, string | null>> {
  const values: Record<string, string | null> = {};
  for (const title of KPI_TITLES) values[title] = await scope.getByRole('group', { name: title, exact: true }).locator('[data-kpi-value]').textContent({ timeout: 1_000 }).catch(() => null);
  return values;
}

/** What those tiles must show for an aggregate's totals (unpriced is never $0; WEBAPP.md §4.6). */
export function kpisOf(totals: AggregateTotals): Record<string, string> {
  const rate = (part: number) => formatPercent(totals.requests > 0 ? part / totals.requests : 0);
  return {
    Spend: totals.requests === totals.unpriced_requests && totals.unpriced_requests > 0 ? 'unpriced' : formatMoney(totals.cost_micros),
    Requests: formatNumber(totals.requests),
    Tokens: formatNumber(totals.input_tokens + totals.output_tokens),
    'Error rate': rate(totals.errors),
    'Fallback rate': rate(totals.fallback_requests),
  };
}

/** The query bounds of the dashboard's "Last 7 days" in UTC (whole days ending with today; usage-api.ts periodOf). */
export function lastSevenDaysUtc(now = Date.now()): { from: string; to: string } {
  const day = (offset: number) => new Date(Date.parse(`${new Date(now).toISOString().slice(0, 10)}T00:00:00Z`) + offset * 86_400_000).toISOString().slice(0, 10);
  return { from: day(-6), to: day(1) };
}
