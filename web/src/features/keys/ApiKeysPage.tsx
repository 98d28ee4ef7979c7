import { EmptyState } from '../../ui/EmptyState';
import { Page } from '../../ui/Page';

/** Placeholder until its slice lands: the heading and title are the contract (WEBAPP.md §6.4). */
export default function ApiKeysPage() {
  return (
    <Page title="API keys">
      <EmptyState title="Coming soon">Your platform keys will be listed here.</EmptyState>
    </Page>
  );
}
