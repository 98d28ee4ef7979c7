/**
 * Overview (`/`): the usage dashboard of the workspace in the header (Personal, or ?team=). The
 * heading renders at once; the dashboard is its own lazy chunk (the route's initial JS budget).
 */
import { useSearch } from '@tanstack/react-router';
import { lazy, Suspense } from 'react';
import { Page } from '../../ui/Page';

const UsageDashboard = lazy(() => import('./UsageDashboard').then((module) => ({ default: module.UsageDashboard })));

export default function OverviewPage() {
  const { team } = useSearch({ strict: false }) as { team?: string };
  return (
    <Page title="Overview">
      <Suspense fallback={<div aria-busy="true" className="min-h-96 rounded-lg border border-border bg-raised"><span className="sr-only">Loading the dashboard…</span></div>}>
        <UsageDashboard scope={team ? { kind: 'team', teamId: team } : { kind: 'user' }} />
      </Suspense>
    </Page>
  );
}
