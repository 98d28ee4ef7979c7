/**
 * Formatting, done once (WEBAPP.md §4.6): money arrives as integer micro-dollars, unpriced is never $0,
 * and dates are shown in an explicit time zone.
 */
const MICROS_PER_DOLLAR = 1_000_000;

/** "$1,234.56"; below one cent, up to 6 decimals ("$0.000042"); null/undefined → "unpriced". */
export function formatMoney(micros: number | bigint | null | undefined, locale = 'en-US'): string {
  if (micros === null || micros === undefined) return 'unpriced';
  const value = typeof micros === 'bigint' ? Number(micros) : micros;
  const dollars = value / MICROS_PER_DOLLAR;
  const abs = Math.abs(dollars);
  const digits = abs === 0 || abs >= 0.01 ? 2 : Math.min(6, Math.max(2, -Math.floor(Math.log10(abs)) + 1));
  return new Intl.NumberFormat(locale, { style: 'currency', currency: 'USD', minimumFractionDigits: digits, maximumFractionDigits: digits }).format(dollars);
}

/** A decimal dollar string ("12.5") → micro-dollars, or null when invalid (negative, > 6 decimals). */
export function parseDollarsToMicros(input: string): number | null {
  const text = input.trim();
  const match = /^(\d+)(?:\.(\d{1,6}))?$/.exec(text);
  if (!match) return null;
  const whole = Number(match[1]);
  const fraction = Number((match[2] ?? '').padEnd(6, '0'));
  const micros = whole * MICROS_PER_DOLLAR + fraction;
  return Number.isSafeInteger(micros) ? micros : null;
}

export function formatNumber(value: number, locale = 'en-US'): string {
  return new Intl.NumberFormat(locale).format(value);
}

/** 1234567 → "1.2M", 12345 → "12.3K". */
export function formatCompact(value: number, locale = 'en-US'): string {
  return new Intl.NumberFormat(locale, { notation: 'compact', maximumFractionDigits: 1 }).format(value);
}

/** 0.0123 → "1.2%". */
export function formatPercent(ratio: number, locale = 'en-US'): string {
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(ratio);
}

/** Milliseconds → "840 ms", "1.2 s", "3 min 20 s", "2 h 5 min". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const totalSeconds = Math.round(ms / 1000);
  if (totalSeconds < 3600) {
    const seconds = totalSeconds % 60;
    return `${Math.floor(totalSeconds / 60)} min${seconds ? ` ${seconds} s` : ''}`;
  }
  const totalMinutes = Math.round(totalSeconds / 60);
  const minutes = totalMinutes % 60;
  return `${Math.floor(totalMinutes / 60)} h${minutes ? ` ${minutes} min` : ''}`;
}

/** The browser's zone, e.g. "Europe/Berlin" (UTC when unknown). */
export const browserTimeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** "6 Dec 2026, 14:05" in the given zone. */
export function formatDateTime(value: string | number | Date, timeZone: string, locale = 'en-GB'): string {
  return new Intl.DateTimeFormat(locale, { timeZone, dateStyle: 'medium', timeStyle: 'short' }).format(new Date(value));
}

/** "6 Dec 2026" in the given zone. */
export function formatDate(value: string | number | Date, timeZone: string, locale = 'en-GB'): string {
  return new Intl.DateTimeFormat(locale, { timeZone, dateStyle: 'medium' }).format(new Date(value));
}
