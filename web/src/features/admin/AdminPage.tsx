import { useQuery } from '@tanstack/react-query';
import { meQuery } from '../../api/queries';
import { EmptyState } from '../../ui/EmptyState';
import { Page } from '../../ui/Page';
import { NotFoundPage } from '../errors/NotFoundPage';

/** Admins only; everyone else gets the same Not found page as an unknown URL. */
export default function AdminPage() {
  const me = useQuery(meQuery);
  if (!me.data) return null;
  if (!me.data.is_admin) return <NotFoundPage />;
  return (
    <Page title="Admin">
      <EmptyState title="Coming soon">Users, teams, health, usage, the audit log and prices will show here.</EmptyState>
    </Page>
  );
}
