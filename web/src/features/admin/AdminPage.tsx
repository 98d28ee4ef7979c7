/**
 * Admin (WEBAPP.md §6.4), admins only: everyone else gets the same Not found page as an unknown URL,
 * decided from /api/me before anything of the panel renders. `tablist` "Admin sections", the open
 * section in the URL (`?tab=`, so Usage's dashboard controls and a shared link keep it); each
 * section is its own lazy chunk and fetches only when opened. No key material anywhere.
 */
import { useQuery } from '@tanstack/react-query';
import { useNavigate, useSearch } from '@tanstack/react-router';
import { lazy, Suspense, type ComponentType } from 'react';
import { meQuery } from '../../api/queries';
import { Page } from '../../ui/Page';
import { Tabs } from '../../ui/Tabs';
import { NotFoundPage } from '../errors/NotFoundPage';

const sections: Array<{ value: string; label: string; Component: ComponentType }> = [
  { value: 'users', label: 'Users', Component: lazy(() => import('./AdminUsersTab')) },
  { value: 'teams', label: 'Teams', Component: lazy(() => import('./AdminTeamsTab')) },
  { value: 'health', label: 'Health', Component: lazy(() => import('./AdminHealthTab')) },
  { value: 'usage', label: 'Usage', Component: lazy(() => import('./AdminUsageTab')) },
  { value: 'audit', label: 'Audit log', Component: lazy(() => import('./AdminAuditTab')) },
  { value: 'prices', label: 'Prices', Component: lazy(() => import('./AdminPricesTab')) },
];

export default function AdminPage() {
  const me = useQuery(meQuery);
  const search = useSearch({ strict: false }) as { tab?: string };
  const navigate = useNavigate();
  const tab = sections.some((section) => section.value === search.tab) ? search.tab! : 'users';
  const setTab = (value: string) =>
    void navigate({ to: '.', search: (previous: Record<string, unknown>) => ({ ...previous, tab: value === 'users' ? undefined : value }), replace: true } as never);
  if (!me.data) return null;
  if (!me.data.is_admin) return <NotFoundPage />;
  return (
    <Page title="Admin">
      <Tabs
        label="Admin sections"
        value={tab}
        onValueChange={setTab}
        items={sections.map(({ value, label, Component }) => ({
          value,
          label,
          content: (
            <Suspense fallback={<p className="text-sm text-muted">Loading…</p>}>
              <Component />
            </Suspense>
          ),
        }))}
      />
    </Page>
  );
}
