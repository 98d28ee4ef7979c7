import { EmptyState } from '../../ui/EmptyState';
import { Page } from '../../ui/Page';

/** Placeholder until its slice lands: the heading and title are the contract (WEBAPP.md §6.4). */
export default function LogsPage() {
  return (
    <Page title="Logs">
      <EmptyState title="Coming soon">The request explorer will show here.</EmptyState>
    </Page>
  );
}
