/**
 * Time zones for usage views: validating an IANA name, a zone's UTC offset at an instant, local
 * midnight of a calendar date, and ISO 8601 timestamps with the zone's offset.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    if (formatters.size > 500) formatters.clear();
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** True for a zone name Node's ICU knows (IANA names such as Asia/Kolkata, and UTC). */
export function isTimeZone(zone: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(zone)) return false;
  try {
    formatterFor(zone);
    return true;
  } catch {
    return false;
  }
}

/** Minutes east of UTC in `zone` at `instantMs`. */
export function offsetMinutes(zone: string, instantMs: number): number {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(zone).formatToParts(new Date(instantMs))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const asUtc = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return Math.round((asUtc - Math.floor(instantMs / 1000) * 1000) / 60_000);
}

/** The instant of local midnight starting `date` (YYYY-MM-DD) in `zone`. */
export function localMidnight(date: string, zone: string): Date {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const guess = Date.UTC(year, month - 1, day);
  let instant = guess - offsetMinutes(zone, guess) * 60_000;
  // Once more at the corrected instant: the offset may differ across a transition.
  instant = guess - offsetMinutes(zone, instant) * 60_000;
  return new Date(instant);
}

/** A formatter of instants as ISO 8601 in `zone` with its offset, memoised per quarter hour. */
export function isoInZone(zone: string): (instant: Date) => string {
  let cachedQuarter = Number.NaN;
  let cachedOffset = 0;
  return (instant) => {
    const ms = instant.getTime();
    const quarter = Math.floor(ms / 900_000);
    if (quarter !== cachedQuarter) {
      cachedQuarter = quarter;
      cachedOffset = offsetMinutes(zone, ms);
    }
    const local = new Date(ms + cachedOffset * 60_000).toISOString().slice(0, 23);
    const sign = cachedOffset < 0 ? '-' : '+';
    const abs = Math.abs(cachedOffset);
    return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  };
}
