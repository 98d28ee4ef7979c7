import type { ReactNode } from 'react';

export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <section aria-label={title} className="flex flex-col items-start gap-3 rounded-lg border border-dashed border-border bg-surface p-6">
      <h2 className="text-base font-semibold">{title}</h2>
      {children ? <div className="text-sm text-muted">{children}</div> : null}
      {action}
    </section>
  );
}
