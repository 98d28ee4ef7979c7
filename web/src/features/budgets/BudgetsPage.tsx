import { EmptyState } from '../../ui/EmptyState';
import { Page } from '../../ui/Page';

/** Placeholder until its slice lands: the heading and title are the contract (WEBAPP.md §6.4). */
export default function BudgetsPage() {
  return (
    <Page title="Budgets">
      <EmptyState title="Coming soon">Your budgets and alerts will show here.</EmptyState>
    </Page>
  );
}
