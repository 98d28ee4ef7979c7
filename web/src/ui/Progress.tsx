/** A named `progressbar` with aria-valuenow/max and its value in words beside the bar (never colour alone). */
export interface ProgressProps {
  /** Accessible name, e.g. "Monthly budget". */
  label: string;
  value: number;
  max: number;
  /** The value as people read it, e.g. "$4.12 of $10.00"; also the aria-valuetext. */
  text: string;
  /** Visually hide the label (it stays the accessible name). */
  hideLabel?: boolean;
}

export function Progress({ label, value, max, text, hideLabel = false }: ProgressProps) {
  const ratio = max > 0 ? Math.min(1, Math.max(0, value / max)) : 0;
  const tone = ratio >= 1 ? 'bg-danger' : ratio >= 0.8 ? 'bg-warn' : 'bg-accent';
  return (
    <div className="grid gap-1">
      <div className="flex justify-between gap-2 text-sm">
        <span className={hideLabel ? 'sr-only' : 'font-medium'}>{label}</span>
        <span className="tabular-nums text-muted">{text}</span>
      </div>
      <div
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={max}
        aria-valuenow={Math.min(value, max)}
        aria-valuetext={text}
        className="h-2 w-full overflow-hidden rounded-full bg-raised"
      >
        <div className={`h-full ${tone}`} style={{ width: `${(ratio * 100).toFixed(1)}%` }} />
      </div>
    </div>
  );
}
