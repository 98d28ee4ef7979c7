/** Usage (`/usage`): the heading at once, the rest (charts, table, export) as a lazy chunk (bundle budget). */
import { lazy, Suspense } from 'react';
import { Page } from '../../ui/Page';

const UsageView = lazy(() => import('./UsageView').then((module) => ({ default: module.UsageView })));

export default function UsagePage() {
  return (
    <Suspense fallback={<Page title="Usage"><div aria-busy="true" className="min-h-96 rounded-lg border border-border bg-raised"><span className="sr-only">Loading usage…</span></div></Page>}>
      <UsageView />
    </Suspense>
  );
}
