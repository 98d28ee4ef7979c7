import { EmptyState } from '../../ui/EmptyState';
import { Page } from '../../ui/Page';

/** Placeholder until its slice lands: the heading and title are the contract (WEBAPP.md §6.4). */
export default function UsagePage() {
  return (
    <Page title="Usage">
      <EmptyState title="Coming soon">Usage charts and the CSV export will show here.</EmptyState>
    </Page>
  );
}
