/**
 * Seconds to wait from an HTTP `Retry-After` value: delta-seconds, or an HTTP date measured from
 * `nowSeconds` (RFC 9110 §10.2.3). Undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | string[] | undefined, nowSeconds: number): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined || raw.trim() === '') return undefined;
  const trimmed = raw.trim();
  if (/^\d+(?:\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed));
  // An HTTP date names its day and month; without letters it is a malformed number ("-1"), not a date.
  if (!/[a-z]/i.test(trimmed)) return undefined;
  const dateMs = Date.parse(trimmed);
  if (Number.isNaN(dateMs)) return undefined;
  return Math.max(0, Math.ceil(dateMs / 1000 - nowSeconds));
}
