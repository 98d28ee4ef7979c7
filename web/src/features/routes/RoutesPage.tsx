import { EmptyState } from '../../ui/EmptyState';
import { Page } from '../../ui/Page';

/** Placeholder until its slice lands: the heading and title are the contract (WEBAPP.md §6.4). */
export default function RoutesPage() {
  return (
    <Page title="Routes">
      <EmptyState title="Coming soon">Your routes (virtual models) will be listed here.</EmptyState>
    </Page>
  );
}
