import { EmptyState } from '../../ui/EmptyState';
import { Page } from '../../ui/Page';

/** Placeholder until its slice lands: the heading and title are the contract (WEBAPP.md §6.4). */
export default function QuickStartPage() {
  return (
    <Page title="Quick start">
      <EmptyState title="Coming soon">The setup checklist and code samples will show here.</EmptyState>
    </Page>
  );
}
