/**
 * The browser rows of WEBAPP.md §6.7, measured by usage-aggregate.ts on its seeded server (1M
 * rows, 800k the owner's) after the server timings: Debian's Chromium driven by playwright-core,
 * launched and signed in with the e2e helpers (test/e2e/harness.ts), against the built web app
 * (dist/web) served by that server on 127.0.0.1.
 * - Overview "ready": the `overview-ready` mark (UsageDashboard.tsx) after each of a few
 *   navigations to the last 30 days (the first, right after login, is a warm-up), ≤ 1.5 s median.
 * - Chart draw: the app's own chart engine chunk (uplot-engine, found in the build's manifest)
 *   imported in the page and given 5 series × 720 points, as lines and as bars, 1,200 × 220 px:
 *   from just before the chart is made until the frame showing it is rendered, ≤ 100 ms median
 *   (its `chart-draw` measure, construction to uPlot's `ready` hook, is printed beside it).
 * - Filter change: on a freshly loaded "Last 7 days", a click on "Last 30 days" until every chart
 *   has a new `chart-draw` measure, ≤ 700 ms; every animation frame meanwhile must still show the
 *   previous charts (a canvas in each chart figure).
 * - Logs with 10k loaded rows: scrolled to the end until 10,000 rows are loaded; at most 100 `tr`
 *   in the DOM at every step, and the only requests scrolling makes are the keyset pages
 *   (`/api/usage?…cursor=`), each asked once.
 * No Chromium, or no build: every row is `n/a` with the reason, never a pass.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { onCleanup } from './lib/cleanup.js';
import type { Verdict } from './lib/verdicts.js';

/**
 * playwright-core, the e2e harness (it imports vitest) and the bench's load helpers load only when
 * the probes run: usage-aggregate measures the server's RSS before them, and a larger heap at rest
 * lets the CSV export's garbage grow the process further (measured: +244 vs +143 MB at 1M rows).
 */
async function loadTools() {
  const [harness, load] = await Promise.all([import('../test/e2e/harness.js'), import('./lib/load.js')]);
  return { chromiumPath: harness.CHROMIUM_PATH, launchBrowser: harness.launchBrowser, logInThroughPage: harness.logInThroughPage, median: load.median };
}
type Median = (values: number[]) => number;

export const OVERVIEW_READY_TARGET_MS = 1500;
export const CHART_DRAW_TARGET_MS = 100;
export const FILTER_CHANGE_TARGET_MS = 700;
export const LOGS_DOM_ROWS_MAX = 100;
export const LOGS_LOADED_ROWS = 10_000;
export const CHART_SERIES = 5;
export const CHART_POINTS = 720;

/** The Overview as measured: everything seeded is within the last 30 days. */
const OVERVIEW_PATH = '/?range=30d&tz=UTC';
const NAVIGATIONS = 5;
const DRAWS = 5;
const FILTER_CHANGES = 3;
/** The four overview charts (Charts.tsx). */
const CHARTS = 4;
/** Must match uplot-engine.ts CHART_DRAW_MEASURE (the bench is typed for Node and cannot import web code that imports uPlot). */
const CHART_DRAW_MEASURE = 'chart-draw';

export interface BrowserTarget {
  url: string;
  email: string;
  password: string;
  /** The server's built web app (config.webDir). */
  webDir: string;
}

/** A probe either measured or failed with why (a failure is a FAIL verdict, not a crash of the bench). */
export type Probe<T> = ({ ok: true } & T) | { ok: false; error: string };

export interface OverviewReady {
  path: string;
  readyMs: number[];
  medianMs: number;
  maxMs: number;
  pass: boolean;
}

export interface ChartDrawRun {
  /** The chart's `chart-draw` measure: uPlot constructed and drawn on its canvas (JavaScript). */
  draw: number;
  /** Until the frame showing it was rendered (includes rasterising the canvas). */
  painted: number;
}

export interface ChartDraw {
  /** In order: the first of `lines` is the cold one. */
  lines: ChartDrawRun[];
  bars: ChartDrawRun[];
  /** The worse of the two kinds' median times to the painted frame: what is judged. */
  medianMs: number;
  /** The worse median of the draw measures alone. */
  drawMedianMs: number;
  pass: boolean;
}

export interface FilterChangeRun {
  ms: number;
  /** Of which until the last `/api/usage` answer had arrived (resource timing), and how many were asked. */
  apiMs: number | null;
  requests: number;
  chartsBefore: number;
  /** The fewest chart figures with a canvas in any frame between the click and the last redraw. */
  fewestChartsShown: number;
  /** When the first frame with fewer charts came, after the click. */
  firstGapMs: number | null;
  frames: number;
}

export interface FilterChange {
  runs: FilterChangeRun[];
  medianMs: number;
  maxMs: number;
  /** Every frame of every run kept the previous charts. */
  previousKept: boolean;
  pass: boolean;
}

export interface LogsScroll {
  loadedRows: number;
  maxDomRows: number;
  requests: number;
  /** Requests during scrolling other than a keyset page, or asked twice. */
  unexpected: string[];
  pass: boolean;
}

export interface BrowserProbesResult {
  chromium: string;
  overview: Probe<OverviewReady>;
  chartDraw: Probe<ChartDraw>;
  filterChange: Probe<FilterChange>;
  logs: Probe<LogsScroll>;
}

const describeError = (error: unknown) => (error instanceof Error ? error.message.split('\n')[0]! : String(error));

async function probe<T>(run: () => Promise<T>): Promise<Probe<T>> {
  try {
    return { ok: true, ...(await run()) };
  } catch (error) {
    return { ok: false, error: describeError(error) };
  }
}

/** Chart figures that show a drawn chart (uPlot's canvas) right now. */
const CHARTS_SHOWN = `[...document.querySelectorAll('figure')].filter((figure) => figure.querySelector('canvas')).length`;

/** Waits for this document's `overview-ready` mark; answers its time after navigation start, once the four charts show. */
async function overviewReadyMs(page: Page): Promise<number> {
  // A function, not a string: the app's CSP forbids eval, which a string predicate needs.
  await page.waitForFunction(() => performance.getEntriesByName('overview-ready').length > 0, undefined, { timeout: 60_000 });
  const readyMs = Number(await page.evaluate(`performance.getEntriesByName('overview-ready')[0].startTime`));
  const shown = Number(await page.evaluate(CHARTS_SHOWN));
  if (shown !== CHARTS) throw new Error(`overview-ready was marked with ${shown} of ${CHARTS} charts drawn (empty range or a failed widget?)`);
  return readyMs;
}

async function measureOverviewReady(page: Page, origin: string, median: Median): Promise<OverviewReady> {
  const readyMs: number[] = [];
  for (let i = 0; i < NAVIGATIONS; i++) {
    await page.goto(`${origin}${OVERVIEW_PATH}`);
    readyMs.push(await overviewReadyMs(page));
  }
  const medianMs = median(readyMs);
  return { path: OVERVIEW_PATH, readyMs, medianMs, maxMs: Math.max(...readyMs), pass: medianMs <= OVERVIEW_READY_TARGET_MS };
}

/** The built chart engine's URL path, from the Vite manifest. */
function engineChunk(webDir: string): string {
  const manifest = JSON.parse(readFileSync(path.join(webDir, '.vite', 'manifest.json'), 'utf8')) as Record<string, { file: string }>;
  const entry = manifest['src/ui/uplot-engine.ts'];
  if (!entry) throw new Error('the build manifest has no src/ui/uplot-engine.ts chunk');
  return `/${entry.file}`;
}

/** In the page: the app's createChart on a 1,200 px wide host, `draws` times, each chart's `chart-draw` measure read and the chart destroyed. */
const drawInPage = (engine: string, bars: boolean, draws: number) => `(async () => {
  const { createChart } = await import(${JSON.stringify(engine)});
  const host = document.createElement('div');
  host.style.width = '1200px';
  document.body.append(host);
  const start = Math.floor(Date.now() / 3600000) * 3600 - ${CHART_POINTS} * 3600;
  const x = Array.from({ length: ${CHART_POINTS} }, (_, i) => start + i * 3600);
  const data = [x, ...Array.from({ length: ${CHART_SERIES} }, (_, s) => x.map((_, i) => Math.round(1000 + 400 * s + 300 * Math.sin(i / 12 + s) + (i * 7919) % 97)))];
  const series = Array.from({ length: ${CHART_SERIES} }, (_, s) => ({ label: 'series ' + s, color: ['#2563eb', '#d97706', '#dc2626', '#16a34a', '#6b7280'][s], bars: ${bars} }));
  const times = [];
  for (let run = 0; run < ${draws}; run++) {
    const name = 'bench ${bars ? 'bars' : 'lines'} ' + run;
    let chart;
    const began = performance.now();
    await new Promise((resolve) => {
      chart = createChart(host, { width: 1200, height: 220, axis: '#6b7280', grid: '#e5e7eb', format: (v) => String(Math.round(v)), timeZone: 'UTC', hourly: true, name, onDrawn: resolve, series }, data);
    });
    // The frame that shows it: a task queued from the next animation frame runs once that frame is rendered.
    await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
    const painted = performance.now() - began;
    const entry = performance.getEntriesByName(${JSON.stringify(CHART_DRAW_MEASURE)}).find((e) => e.detail === name);
    if (!entry) throw new Error('no ${CHART_DRAW_MEASURE} measure for ' + name);
    times.push({ draw: entry.duration, painted });
    chart.destroy();
  }
  host.remove();
  return times;
})()`;

async function measureChartDraw(page: Page, webDir: string, median: Median): Promise<ChartDraw> {
  const engine = engineChunk(webDir);
  const lines = (await page.evaluate(drawInPage(engine, false, DRAWS))) as ChartDrawRun[];
  const bars = (await page.evaluate(drawInPage(engine, true, DRAWS))) as ChartDrawRun[];
  const worse = (pick: (run: ChartDrawRun) => number) => Math.max(median(lines.map(pick)), median(bars.map(pick)));
  const medianMs = worse((run) => run.painted);
  return { lines, bars, medianMs, drawMedianMs: worse((run) => run.draw), pass: medianMs <= CHART_DRAW_TARGET_MS };
}

/**
 * In the page: click "Last 30 days", then each animation frame count the charts shown, until
 * every chart has a `chart-draw` measure that started after the click (or 30 s pass).
 */
const FILTER_CHANGE_IN_PAGE = `(async () => {
  const button = [...document.querySelectorAll('[role="group"][aria-label="Date range"] button')].find((b) => b.textContent.trim() === 'Last 30 days');
  if (!button) throw new Error('no "Last 30 days" button');
  const chartsBefore = ${CHARTS_SHOWN};
  let fewest = chartsBefore;
  let firstGapMs = null;
  let frames = 0;
  const clicked = performance.now();
  button.click();
  return await new Promise((resolve, reject) => {
    const frame = () => {
      frames += 1;
      const shown = ${CHARTS_SHOWN};
      if (shown < chartsBefore && firstGapMs === null) firstGapMs = performance.now() - clicked;
      fewest = Math.min(fewest, shown);
      const redrawn = performance.getEntriesByName(${JSON.stringify(CHART_DRAW_MEASURE)}).filter((e) => e.startTime >= clicked);
      if (new Set(redrawn.map((e) => e.detail)).size >= ${CHARTS}) {
        const answers = performance.getEntriesByType('resource').filter((e) => e.startTime >= clicked && new URL(e.name).pathname === '/api/usage');
        const apiMs = answers.length ? Math.max(...answers.map((e) => e.responseEnd)) - clicked : null;
        resolve({ ms: Math.max(...redrawn.map((e) => e.startTime + e.duration)) - clicked, apiMs, requests: answers.length, chartsBefore, fewestChartsShown: fewest, firstGapMs, frames });
      } else if (performance.now() - clicked > 30000) {
        reject(new Error('only ' + redrawn.length + ' of ${CHARTS} charts redrew within 30 s of the filter change'));
      } else requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
})()`;

async function measureFilterChange(page: Page, origin: string, median: Median): Promise<FilterChange> {
  const runs: FilterChangeRun[] = [];
  for (let i = 0; i < FILTER_CHANGES; i++) {
    // A fresh document each time, so the 30-day answers are not already in the page's query cache.
    await page.goto(`${origin}/?range=7d&tz=UTC`);
    await overviewReadyMs(page);
    runs.push((await page.evaluate(FILTER_CHANGE_IN_PAGE)) as FilterChangeRun);
  }
  const times = runs.map((run) => run.ms);
  const previousKept = runs.every((run) => run.chartsBefore === CHARTS && run.fewestChartsShown === CHARTS);
  const medianMs = median(times);
  return { runs, medianMs, maxMs: Math.max(...times), previousKept, pass: previousKept && medianMs <= FILTER_CHANGE_TARGET_MS };
}

async function measureLogsScroll(page: Page, origin: string): Promise<LogsScroll> {
  await page.goto(`${origin}/logs`);
  const loaded = page.getByText(/^[\d,]+ loaded$/);
  await loaded.waitFor({ timeout: 30_000 });
  const loadedRows = async () => Number(((await loaded.textContent()) ?? '').replace(/\D/g, ''));
  const domRows = () => page.locator('tr').count();
  const calls: string[] = [];
  page.on('request', (request) => {
    if (new URL(request.url()).pathname.startsWith('/api/')) calls.push(request.url());
  });
  const table = page.getByRole('region', { name: 'Requests table' });
  let maxDomRows = await domRows();
  // Until 10k rows are loaded, or nothing more loads for 10 s.
  let rows = await loadedRows();
  for (let stalledSince = Date.now(); rows < LOGS_LOADED_ROWS && Date.now() - stalledSince < 10_000; ) {
    await table.evaluate((element) => element.scrollTo({ top: element.scrollHeight }));
    await page.waitForTimeout(100);
    maxDomRows = Math.max(maxDomRows, await domRows());
    const now = await loadedRows();
    if (now > rows) stalledSince = Date.now();
    rows = now;
  }
  // Back up through what is loaded: still a window of rows, and no request.
  for (const fraction of [0.75, 0.5, 0.25, 0]) {
    await table.evaluate((element, at) => element.scrollTo({ top: element.scrollHeight * at }), fraction);
    await page.waitForTimeout(100);
    maxDomRows = Math.max(maxDomRows, await domRows());
  }
  const unexpected = [
    ...calls.filter((call) => !/\/api\/usage\?.*cursor=/.test(call)).map((call) => `not a keyset page: ${new URL(call).pathname}${new URL(call).search}`),
    ...calls.filter((call, index) => calls.indexOf(call) !== index).map((call) => `asked twice: ${new URL(call).search}`),
  ];
  return { loadedRows: rows, maxDomRows, requests: calls.length, unexpected, pass: rows >= LOGS_LOADED_ROWS && maxDomRows <= LOGS_DOM_ROWS_MAX && calls.length > 0 && unexpected.length === 0 };
}

/** Why the browser rows cannot run here, if they cannot. */
function unavailable(target: BrowserTarget, chromiumPath: string): string | undefined {
  if (!existsSync(chromiumPath)) return `Chromium is not installed at ${chromiumPath} (apt-get install chromium, or set CHROMIUM_PATH)`;
  if (!existsSync(path.join(target.webDir, 'index.html'))) return `the web app is not built (${target.webDir}): run npm run build`;
  return undefined;
}

export async function measureBrowserProbes(target: BrowserTarget): Promise<BrowserProbesResult | { skipped: string }> {
  const { chromiumPath, launchBrowser, logInThroughPage, median } = await loadTools();
  const reason = unavailable(target, chromiumPath);
  if (reason) return { skipped: reason };
  let browser: Browser;
  try {
    browser = await launchBrowser();
  } catch (error) {
    return { skipped: `Chromium did not start: ${describeError(error)}` };
  }
  const unregister = onCleanup('browser', () => browser.close());
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
    const page = await context.newPage();
    try {
      await logInThroughPage(page, target.url, { email: target.email, password: target.password }, OVERVIEW_PATH);
      // The first load after login (assets not yet cached) is the warm-up.
      await overviewReadyMs(page);
    } catch (error) {
      // Every row fails (the server timings already measured are kept).
      const failed = { ok: false as const, error: `signing in and the first Overview load failed: ${describeError(error)}` };
      return { chromium: browser.version(), overview: failed, chartDraw: failed, filterChange: failed, logs: failed };
    }
    const overview = await probe(() => measureOverviewReady(page, target.url, median));
    const chartDraw = await probe(() => measureChartDraw(page, target.webDir, median));
    const filterChange = await probe(() => measureFilterChange(page, target.url, median));
    const logs = await probe(() => measureLogsScroll(page, target.url));
    await context.close();
    return { chromium: browser.version(), overview, chartDraw, filterChange, logs };
  } finally {
    await browser.close();
    unregister();
  }
}

const list = (values: number[]) => values.map((value) => value.toFixed(0)).join(', ');

function verdict<T extends { pass: boolean }>(target: string, outcome: Probe<T> | undefined, detail: (value: T) => string): Verdict {
  if (!outcome) return { target, status: 'n/a', detail: 'skipped' };
  if (!outcome.ok) return { target, status: 'FAIL', detail: outcome.error };
  return { target, status: outcome.pass ? 'PASS' : 'FAIL', detail: detail(outcome) };
}

/** WEBAPP.md §6.7's browser rows as verdicts; `n/a` with the reason when they could not run. */
export function browserVerdicts(rows: number, result: BrowserProbesResult | { skipped: string } | undefined): Verdict[] {
  const measured = result && !('skipped' in result) ? result : undefined;
  const verdicts = [
    verdict(`Overview ready ≤ ${OVERVIEW_READY_TARGET_MS / 1000} s after navigation (${rows.toLocaleString('en-US')}-row tenant, last 30 days, embedded database; median of ${NAVIGATIONS})`, measured?.overview, (o) =>
      `overview-ready at ${list(o.readyMs)} ms; median ${o.medianMs.toFixed(0)} ms, max ${o.maxMs.toFixed(0)} ms`),
    verdict(`chart draw ≤ ${CHART_DRAW_TARGET_MS} ms (${CHART_SERIES} series × ${CHART_POINTS} points, until painted; median of ${DRAWS})`, measured?.chartDraw, (c) =>
      `until painted: lines ${list(c.lines.map((run) => run.painted))} ms, bars ${list(c.bars.map((run) => run.painted))} ms (the first is cold), worse median ${c.medianMs.toFixed(1)} ms; ` +
      `the chart-draw measure alone: lines ${list(c.lines.map((run) => run.draw))} ms, bars ${list(c.bars.map((run) => run.draw))} ms, worse median ${c.drawMedianMs.toFixed(1)} ms`),
    verdict(`filter change → updated charts ≤ ${FILTER_CHANGE_TARGET_MS} ms, previous charts visible meanwhile (median of ${FILTER_CHANGES})`, measured?.filterChange, (f) =>
      `Last 7 days → Last 30 days, all ${CHARTS} charts redrawn after ${list(f.runs.map((run) => run.ms))} ms (median ${f.medianMs.toFixed(0)}, max ${f.maxMs.toFixed(0)}), ` +
      `the last of the ${f.runs.map((run) => run.requests).join('/')} /api/usage answers in at ${f.runs.map((run) => (run.apiMs === null ? '—' : run.apiMs.toFixed(0))).join(', ')} ms; ` +
      (f.previousKept ? `the previous charts shown in every frame (${f.runs.map((run) => run.frames).join(', ')} frames)` : `previous charts NOT kept: fewest shown ${Math.min(...f.runs.map((run) => run.fewestChartsShown))} of ${CHARTS}, first gap ${f.runs.map((run) => (run.firstGapMs === null ? 'none' : `${run.firstGapMs.toFixed(0)} ms`)).join(', ')} after the click`)),
    verdict(`Logs with ${LOGS_LOADED_ROWS.toLocaleString('en-US')} loaded rows: ≤ ${LOGS_DOM_ROWS_MAX} tr in the DOM; scrolling asks only for the next pages`, measured?.logs, (l) =>
      `${l.loadedRows.toLocaleString('en-US')} loaded, at most ${l.maxDomRows} tr; ${l.requests} requests while scrolling` +
      (l.unexpected.length ? `, unexpected: ${l.unexpected.slice(0, 3).join('; ')}` : ', all keyset pages, each asked once')),
  ];
  return result && 'skipped' in result ? verdicts.map((v) => ({ ...v, status: 'n/a', detail: result.skipped })) : verdicts;
}

/** The lines usage-aggregate.ts prints for the browser rows. */
export function describeBrowserProbes(rows: number, result: BrowserProbesResult | { skipped: string }): string[] {
  const lines = browserVerdicts(rows, result).map((v) => `${v.status.padEnd(4)}  ${v.target}: ${v.detail}`);
  return 'skipped' in result ? lines : [...lines, `info  Chromium ${result.chromium}, 1280×800`];
}
