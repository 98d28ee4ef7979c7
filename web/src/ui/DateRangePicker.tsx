/** The group "Date range": "Last 24 hours", "Last 7 days", "Last 30 days", "Custom" (from/to dates, to inclusive). */
import { Button } from './Button';

export type RangePreset = '24h' | '7d' | '30d' | 'custom';

export interface DateRangeValue {
  range: RangePreset;
  /** YYYY-MM-DD, only for custom. */
  from?: string;
  to?: string;
}

const PRESETS: Array<{ value: RangePreset; label: string }> = [
  { value: '24h', label: 'Last 24 hours' },
  { value: '7d', label: 'Last 7 days' },
  { value: '30d', label: 'Last 30 days' },
  { value: 'custom', label: 'Custom' },
];

const input = 'min-h-11 rounded-md border border-border bg-surface px-3 py-2 text-sm text-fg';

export function DateRangePicker({ value, onChange, today }: { value: DateRangeValue; onChange: (value: DateRangeValue) => void; today: string }) {
  return (
    <div role="group" aria-label="Date range" className="flex flex-wrap items-end gap-2">
      {PRESETS.map((preset) => (
        <Button
          key={preset.value}
          variant={value.range === preset.value ? 'primary' : 'secondary'}
          aria-pressed={value.range === preset.value}
          onClick={() => onChange(preset.value === 'custom' ? { range: 'custom', from: value.from ?? today, to: value.to ?? today } : { range: preset.value })}
        >
          {preset.label}
        </Button>
      ))}
      {value.range === 'custom' ? (
        <>
          <label className="grid gap-1 text-sm font-medium">
            From
            <input type="date" className={input} value={value.from ?? ''} max={value.to} onChange={(e) => e.target.value && onChange({ ...value, from: e.target.value })} />
          </label>
          <label className="grid gap-1 text-sm font-medium">
            To
            <input type="date" className={input} value={value.to ?? ''} min={value.from} onChange={(e) => e.target.value && onChange({ ...value, to: e.target.value })} />
          </label>
        </>
      ) : null}
    </div>
  );
}
