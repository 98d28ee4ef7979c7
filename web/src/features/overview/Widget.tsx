/**
 * One dashboard widget's frame around its own query: a sized skeleton while it first loads (no
 * layout shift), the error with "Retry" (only this widget), and a quiet "Updating…" while new
 * filters load with the previous data still shown (placeholderData: keepPreviousData).
 */
import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { describeError } from '../../api/errors';
import { LoadError } from '../../ui/DataRegion';

export interface WidgetProps<T> {
  label: string;
  /** A visible h2 (tables, lists); charts and tiles name themselves. */
  heading?: boolean;
  query: UseQueryResult<T>;
  minHeight: number;
  children: (data: T) => ReactNode;
  className?: string;
}

export function Widget<T>({ label, heading = false, query, minHeight, children, className = '' }: WidgetProps<T>) {
  const updating = query.isPlaceholderData && query.isFetching;
  return (
    <section aria-label={heading ? undefined : label} aria-labelledby={heading ? headingId(label) : undefined} className={`grid min-w-0 content-start gap-2 ${className}`}>
      {heading ? (
        <h2 id={headingId(label)} className="text-lg font-semibold">
          {label}
        </h2>
      ) : null}
      {updating ? (
        <p role="status" className="text-xs text-muted">
          Updating…
        </p>
      ) : null}
      {query.isError ? (
        <div className="grid gap-1">
          <LoadError what={label} onRetry={() => void query.refetch()} />
          <p className="text-xs text-muted">{describeError(query.error)}</p>
        </div>
      ) : null}
      {query.data !== undefined && !query.isError ? children(query.data) : null}
      {query.isPending && !query.isError ? (
        <div aria-busy="true" className="animate-pulse rounded-lg border border-border bg-raised" style={{ minHeight }}>
          <span className="sr-only">Loading {label}…</span>
        </div>
      ) : null}
    </section>
  );
}

const headingId = (label: string) => `widget-${label.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
