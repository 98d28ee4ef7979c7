/**
 * The bench's browser rows (bench/usage-browser.ts) never pass silently: without a build or
 * Chromium every row is n/a with the reason, a probe that broke is a FAIL with its error, and a
 * measured probe is judged by its own pass. (The measuring itself runs in the bench, on 1M rows.)
 */
import { describe, expect, it } from 'vitest';
import { browserVerdicts, measureBrowserProbes, type BrowserProbesResult } from '../bench/usage-browser.js';

describe('bench browser rows', () => {
  it('are n/a with the reason when the web app is not built', async () => {
    const result = await measureBrowserProbes({ url: 'http://127.0.0.1:1', email: 'x@example.com', password: 'unused password', webDir: '/nonexistent/dist/web' });
    expect(result).toEqual({ skipped: expect.stringMatching(/not built.*npm run build|Chromium is not installed/) });
    const verdicts = browserVerdicts(1_000_000, result);
    expect(verdicts).toHaveLength(4);
    for (const verdict of verdicts) expect(verdict).toMatchObject({ status: 'n/a', detail: (result as { skipped: string }).skipped });
  });

  it('are n/a when usage-aggregate did not run', () => {
    expect(browserVerdicts(1_000_000, undefined).map((verdict) => verdict.status)).toEqual(['n/a', 'n/a', 'n/a', 'n/a']);
  });

  it('judge each probe: a broken one fails with its error, a measured one by its own target', () => {
    const result: BrowserProbesResult = {
      chromium: '156',
      overview: { ok: true, path: '/?range=30d&tz=UTC', readyMs: [1400, 1450, 1600, 1500, 1420], medianMs: 1450, maxMs: 1600, pass: true },
      chartDraw: { ok: false, error: 'no chart-draw measure for bench lines 0' },
      filterChange: {
        ok: true,
        runs: [{ ms: 500, apiMs: 420, requests: 3, chartsBefore: 4, fewestChartsShown: 3, firstGapMs: 480, frames: 30 }],
        medianMs: 500,
        maxMs: 500,
        previousKept: false,
        pass: false,
      },
      logs: { ok: true, loadedRows: 10_100, maxDomRows: 39, requests: 20, unexpected: [], pass: true },
    };
    const [overview, chartDraw, filterChange, logs] = browserVerdicts(1_000_000, result);
    expect(overview).toMatchObject({ status: 'PASS', detail: expect.stringContaining('median 1450 ms, max 1600 ms') });
    expect(overview!.target).toContain('1,000,000-row tenant');
    expect(chartDraw).toMatchObject({ status: 'FAIL', detail: 'no chart-draw measure for bench lines 0' });
    expect(filterChange).toMatchObject({ status: 'FAIL', detail: expect.stringContaining('previous charts NOT kept: fewest shown 3 of 4') });
    expect(logs).toMatchObject({ status: 'PASS', detail: expect.stringContaining('10,100 loaded, at most 39 tr') });
  });
});
