import { EmptyState } from '../../ui/EmptyState';
import { Page } from '../../ui/Page';

/** Placeholder until its slice lands: the heading and title are the contract (WEBAPP.md §6.4). */
export default function SettingsPage() {
  return (
    <Page title="Settings">
      <EmptyState title="Coming soon">Profile, sessions and notification preferences will show here.</EmptyState>
    </Page>
  );
}
