/** The combobox "Time zone": every IANA zone the browser knows (Intl.supportedValuesOf), default the browser's. */
import { useMemo } from 'react';
import { browserTimeZone } from '../format';
import { Select } from './Select';

function zones(current: string): string[] {
  let list: string[] = [];
  try {
    list = (Intl as unknown as { supportedValuesOf(key: string): string[] }).supportedValuesOf('timeZone');
  } catch {
    list = [];
  }
  const all = new Set(['UTC', browserTimeZone(), current, ...list]);
  return [...all].sort((a, b) => (a === 'UTC' ? -1 : b === 'UTC' ? 1 : a.localeCompare(b)));
}

export function TimeZoneSelect({ value, onChange }: { value: string; onChange: (zone: string) => void }) {
  const options = useMemo(() => zones(value).map((zone) => ({ value: zone, label: zone.replaceAll('_', ' ') })), [value]);
  return <Select label="Time zone" options={options} value={value} onChange={(event) => onChange(event.target.value)} />;
}
