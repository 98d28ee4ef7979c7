import { describe, expect, it } from 'vitest';
import { histogramCell, histogramQuantile, HISTOGRAM_CELLS, LATENCY_BOUNDS_MS } from './usage-rollup.js';
import { isoInZone, isTimeZone, localMidnight, offsetMinutes } from './usage-zone.js';

describe('usage zones', () => {
  it('validates IANA names and rejects anything else', () => {
    expect(isTimeZone('Asia/Kolkata')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('America/Port-au-Prince')).toBe(true);
    expect(isTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isTimeZone("UTC';drop table x")).toBe(false);
    expect(isTimeZone('')).toBe(false);
  });

  it('offsets, local midnights and ISO timestamps, across half hours and DST', () => {
    expect(offsetMinutes('Asia/Kolkata', Date.parse('2026-11-01T00:00:00Z'))).toBe(330);
    expect(offsetMinutes('Asia/Kathmandu', Date.parse('2026-11-01T00:00:00Z'))).toBe(345);
    expect(localMidnight('2026-11-02', 'Asia/Kolkata').toISOString()).toBe('2026-11-01T18:30:00.000Z');
    // Europe/Berlin leaves summer time on 2026-10-25 at 03:00 local.
    expect(localMidnight('2026-10-25', 'Europe/Berlin').toISOString()).toBe('2026-10-24T22:00:00.000Z');
    expect(localMidnight('2026-10-26', 'Europe/Berlin').toISOString()).toBe('2026-10-25T23:00:00.000Z');
    expect(localMidnight('2026-03-08', 'America/New_York').toISOString()).toBe('2026-03-08T05:00:00.000Z');
    expect(isoInZone('Asia/Kolkata')(new Date('2026-11-01T18:31:00Z'))).toBe('2026-11-02T00:01:00.000+05:30');
    expect(isoInZone('America/New_York')(new Date('2026-11-01T18:31:00.123Z'))).toBe('2026-11-01T13:31:00.123-05:00');
    expect(isoInZone('UTC')(new Date('2026-11-01T18:31:00Z'))).toBe('2026-11-01T18:31:00.000+00:00');
  });
});

describe('latency histograms', () => {
  it('cells match width_bucket and quantiles stay inside the cell that holds them', () => {
    expect(HISTOGRAM_CELLS).toBe(LATENCY_BOUNDS_MS.length + 1);
    expect(histogramCell(0)).toBe(0);
    expect(histogramCell(9)).toBe(0);
    expect(histogramCell(10)).toBe(1);
    expect(histogramCell(999)).toBe(10);
    expect(histogramCell(1_000)).toBe(11);
    expect(histogramCell(10_000_000)).toBe(HISTOGRAM_CELLS - 1);
    const histogram = new Array<number>(HISTOGRAM_CELLS).fill(0);
    for (const ms of [5, 100, 200, 300, 20_000]) histogram[histogramCell(ms)]! += 1;
    const p50 = histogramQuantile(histogram, 0.5)!;
    expect(p50).toBeGreaterThanOrEqual(160);
    expect(p50).toBeLessThan(250);
    expect(histogramQuantile(histogram, 0.99)).toBeGreaterThanOrEqual(16_000);
    expect(histogramQuantile(new Array<number>(HISTOGRAM_CELLS).fill(0), 0.5)).toBeNull();
  });
});
