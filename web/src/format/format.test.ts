import { describe, expect, it } from 'vitest';
import { formatDateTime, formatDuration, formatMoney, formatNumber, formatPercent, parseDollarsToMicros } from './index';

describe('money', () => {
  it('formats micro-dollars, keeping sub-cent amounts visible and unpriced never $0', () => {
    expect(formatMoney(0)).toBe('$0.00');
    expect(formatMoney(1_234_560_000)).toBe('$1,234.56');
    expect(formatMoney(10_000)).toBe('$0.01');
    expect(formatMoney(42)).toBe('$0.000042');
    expect(formatMoney(1_500)).toBe('$0.0015');
    expect(formatMoney(-2_500_000)).toBe('-$2.50');
    expect(formatMoney(null)).toBe('unpriced');
    expect(formatMoney(undefined)).toBe('unpriced');
  });

  it('parses dollar input to micro-dollars, refusing negatives and more than 6 decimals', () => {
    expect(parseDollarsToMicros('12.5')).toBe(12_500_000);
    expect(parseDollarsToMicros(' 0.000001 ')).toBe(1);
    expect(parseDollarsToMicros('1200')).toBe(1_200_000_000);
    expect(parseDollarsToMicros('-1')).toBeNull();
    expect(parseDollarsToMicros('1.0000001')).toBeNull();
    expect(parseDollarsToMicros('1e3')).toBeNull();
    expect(parseDollarsToMicros('')).toBeNull();
  });
});

describe('numbers, durations and dates', () => {
  it('formats counts, ratios and durations', () => {
    expect(formatNumber(1234567)).toBe('1,234,567');
    expect(formatPercent(0.0123)).toBe('1.2%');
    expect(formatDuration(840)).toBe('840 ms');
    expect(formatDuration(1_234)).toBe('1.2 s');
    expect(formatDuration(200_000)).toBe('3 min 20 s');
    expect(formatDuration(7_500_000)).toBe('2 h 5 min');
  });

  it('shows the same instant in the chosen time zone', () => {
    const instant = '2026-12-06T03:30:00Z';
    expect(formatDateTime(instant, 'UTC')).toBe('6 Dec 2026, 03:30');
    expect(formatDateTime(instant, 'Asia/Kolkata')).toBe('6 Dec 2026, 09:00');
    expect(formatDateTime(instant, 'America/Los_Angeles')).toBe('5 Dec 2026, 19:30');
  });
});
