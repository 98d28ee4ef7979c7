import { EmptyState } from '../../ui/EmptyState';
import { Page } from '../../ui/Page';

/** Placeholder until its slice lands: the heading and title are the contract (WEBAPP.md §6.4). */
export default function OverviewPage() {
  return (
    <Page title="Overview">
      <EmptyState title="Coming soon">Spend, requests, latency and errors will show here.</EmptyState>
    </Page>
  );
}
