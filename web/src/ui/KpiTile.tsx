/** A KPI: a `group` named by its title, the value, and the change against the previous period. */
import { useId, type ReactNode } from 'react';

export interface KpiTileProps {
  title: string;
  value: string;
  /** Relative change vs the previous period (0.12 = +12%); null when there is nothing to compare. */
  change?: number | null;
  /** True when a rise is bad (errors, latency): only the wording's tone changes, never the meaning. */
  riseIsBad?: boolean;
  children?: ReactNode;
}

export function KpiTile({ title, value, change, riseIsBad = false, children }: KpiTileProps) {
  const id = useId();
  const delta =
    change === undefined ? null : change === null || !Number.isFinite(change) ? (
      <span className="text-muted">no previous data</span>
    ) : (
      <span className={change === 0 ? 'text-muted' : (change > 0) === riseIsBad ? 'text-danger' : 'text-ok'}>
        {change > 0 ? '▲ +' : change < 0 ? '▼ ' : ''}
        {(change * 100).toFixed(1)}% vs previous period
      </span>
    );
  return (
    <div role="group" aria-labelledby={id} className="grid min-h-32 content-start gap-1 rounded-lg border border-border bg-surface p-4">
      <p id={id} className="text-sm font-medium text-muted">
        {title}
      </p>
      <p className="text-2xl font-semibold tabular-nums" data-kpi-value="">
        {value}
      </p>
      {delta ? <p className="text-xs">{delta}</p> : null}
      {children ? <div className="text-xs text-muted">{children}</div> : null}
    </div>
  );
}
