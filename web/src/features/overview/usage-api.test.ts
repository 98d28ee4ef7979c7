import { describe, expect, it } from 'vitest';
import { bucketsOf, changeOf, periodOf, sumRows, type AggregateRow } from './usage-api';

const NOW = Date.parse('2026-12-06T20:07:00Z');

describe('periodOf', () => {
  it('ends day ranges with today in the zone (Kolkata is already on the 7th) and compares with the same length before', () => {
    expect(periodOf({ range: '7d' }, 'UTC', NOW)).toEqual({ from: '2026-11-30', to: '2026-12-07', prevFrom: '2026-11-23', prevTo: '2026-11-30', hourly: false });
    expect(periodOf({ range: '30d' }, 'Asia/Kolkata', NOW)).toMatchObject({ from: '2026-11-08', to: '2026-12-08', prevTo: '2026-11-08', hourly: false });
  });

  it('makes "Last 24 hours" hourly, ending at the next quarter hour', () => {
    expect(periodOf({ range: '24h' }, 'UTC', NOW)).toEqual({
      from: '2026-12-05T20:15:00.000Z',
      to: '2026-12-06T20:15:00.000Z',
      prevFrom: '2026-12-04T20:15:00.000Z',
      prevTo: '2026-12-05T20:15:00.000Z',
      hourly: true,
    });
  });

  it('reads a custom "to" as inclusive and swaps reversed dates; two days or less is hourly', () => {
    expect(periodOf({ range: 'custom', from: '2026-12-03', to: '2026-12-01' }, 'UTC', NOW)).toEqual({ from: '2026-12-01', to: '2026-12-04', prevFrom: '2026-11-28', prevTo: '2026-12-01', hourly: false });
    expect(periodOf({ range: 'custom', from: '2026-12-03', to: '2026-12-03' }, 'UTC', NOW).hourly).toBe(true);
  });
});

describe('aggregate helpers', () => {
  const row = (bucket: string, requests: number, p95: number | null): AggregateRow => ({
    bucket, requests, errors: 1, errors_by_source: { user: 1, provider: 0, platform: 0 }, input_tokens: 10, output_tokens: 5, cost_micros: 100,
    unpriced_requests: 0, estimated_requests: 0, latency_p50_ms: null, latency_p95_ms: p95, latency_p99_ms: null, ttft_p50_ms: null, fallback_requests: 0,
  });

  it('sums additive metrics and keeps the worst p95', () => {
    const total = sumRows([row('2026-12-01T00:00:00.000+05:30', 3, 200), row('2026-12-02T00:00:00.000+05:30', 4, null)]);
    expect(total).toMatchObject({ requests: 7, errors: 2, cost_micros: 200, input_tokens: 20, latency_p95_ms: 200 });
    expect(total.errors_by_source.user).toBe(2);
  });

  it('orders buckets by instant and labels them in the zone', () => {
    const { x, labels } = bucketsOf([row('2026-12-02T00:00:00.000+05:30', 1, null), row('2026-12-01T00:00:00.000+05:30', 1, null)], 'Asia/Kolkata', false);
    expect(x).toEqual([Date.parse('2026-11-30T18:30:00Z'), Date.parse('2026-12-01T18:30:00Z')]);
    expect(labels).toEqual(['1 Dec 2026', '2 Dec 2026']);
  });

  it('has no change without a previous value', () => {
    expect(changeOf(5, 0)).toBeNull();
    expect(changeOf(6, 4)).toBe(0.5);
  });
});
