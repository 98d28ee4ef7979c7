/**
 * The frame every data table shares: a focusable scroll region with an accessible name (wide
 * tables scroll inside it, never the page — WEBAPP.md §6.5 rule 1), the table with a caption, and
 * the load error with "Retry".
 */
import type { ReactNode } from 'react';
import { Button } from './Button';

export const cellClass = 'px-3 py-2 text-left align-top';

export function TableRegion({ caption, minWidth, head, children }: { caption: string; minWidth: string; head: ReactNode; children: ReactNode }) {
  return (
    // `relative`: an sr-only caption must not position itself against the page and widen it.
    <div role="region" aria-label={`${caption} table`} tabIndex={0} className="relative overflow-x-auto rounded-md border border-border">
      <table className="w-full text-sm" style={{ minWidth }}>
        <caption className="sr-only">{caption}</caption>
        <thead className="bg-raised">
          <tr>{head}</tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

export function LoadError({ what, onRetry }: { what: string; onRetry: () => void }) {
  return (
    <div role="alert" className="rounded-md border border-danger p-3 text-sm">
      {what} could not be loaded. <Button onClick={onRetry}>Retry</Button>
    </div>
  );
}
