/**
 * One team (WEBAPP.md §6.4 "Teams"): `tablist` "Team sections" with Members, Team secrets, API
 * keys, Routes, Budget and Usage; the tab is in the URL (`?tab=`). Nothing of the team renders
 * until GET /api/teams/:id has answered on this visit: a team that is not yours (or unknown, or
 * a malformed id) shows the Not found page with no flash of data, even if an old answer is cached.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate, useParams, useSearch } from '@tanstack/react-router';
import { lazy, Suspense, useEffect, type ReactNode } from 'react';
import { isApiError } from '../../api/errors';
import { formatMoney } from '../../format';
import { LoadError } from '../../ui/DataRegion';
import { Page } from '../../ui/Page';
import { Tabs } from '../../ui/Tabs';
import { NotFoundPage } from '../errors/NotFoundPage';
import { ROLE_LABELS, teamQuery } from './teamData';

// Each section is its own chunk, loaded when its tab opens: the page itself stays within the
// initial-JS budget (WEBAPP.md §6.7).
const MembersTab = lazy(() => import('./MembersTab').then((module) => ({ default: module.MembersTab })));
// Team secrets are the Integrations page's own component in team scope; Usage is the Overview
// dashboard in team scope (WEBAPP.md §6.4 "Teams").
const IntegrationsView = lazy(() => import('../integrations/IntegrationsPage').then((module) => ({ default: module.IntegrationsView })));
const TeamKeysTab = lazy(() => import('./TeamKeysTab').then((module) => ({ default: module.TeamKeysTab })));
const TeamRoutesTab = lazy(() => import('./TeamRoutesTab').then((module) => ({ default: module.TeamRoutesTab })));
const TeamBudgetTab = lazy(() => import('./TeamBudgetTab').then((module) => ({ default: module.TeamBudgetTab })));
const UsageDashboard = lazy(() => import('../overview/UsageDashboard').then((module) => ({ default: module.UsageDashboard })));

const loadingSection = (
  <p role="status" className="text-sm text-muted">
    Loading…
  </p>
);

export const TEAM_TABS = ['members', 'secrets', 'keys', 'routes', 'budget', 'usage'] as const;
export type TeamTab = (typeof TEAM_TABS)[number];

export default function TeamPage() {
  const { teamId } = useParams({ strict: false }) as { teamId: string };
  const search = useSearch({ strict: false }) as { tab?: TeamTab };
  const navigate = useNavigate();
  const client = useQueryClient();
  const team = useQuery({ ...teamQuery(teamId), refetchOnMount: 'always' });
  const gone = team.isError && isApiError(team.error) && (team.error.status === 404 || team.error.status === 400);

  // Removed from the team (or it was deleted): drop everything cached about it.
  useEffect(() => {
    if (gone) {
      client.removeQueries({ queryKey: ['teams', teamId], exact: false });
      void client.invalidateQueries({ queryKey: ['teams'] });
    }
  }, [gone, client, teamId]);

  if (gone) return <NotFoundPage />;
  if (team.isError) {
    return (
      <Page title="Team">
        <LoadError what="The team" onRetry={() => void team.refetch()} />
      </Page>
    );
  }
  if (!team.isSuccess || !team.isFetchedAfterMount) {
    return (
      <Page title="Team">
        <p role="status" className="text-sm text-muted">
          Loading…
        </p>
      </Page>
    );
  }

  const data = team.data;
  const tab: TeamTab = search.tab && TEAM_TABS.includes(search.tab) ? search.tab : 'members';
  const section = (value: TeamTab, content: () => ReactNode) => (tab === value ? <Suspense fallback={loadingSection}>{content()}</Suspense> : null);
  const setTab = (value: string) =>
    void navigate({ to: '.', search: (previous: Record<string, unknown>) => ({ ...previous, tab: value === 'members' ? undefined : value }), replace: true } as never);

  return (
    <Page title={data.name}>
      <p className="text-sm text-muted">
        Your role: {ROLE_LABELS[data.role]} · {data.member_count} {data.member_count === 1 ? 'member' : 'members'} · {formatMoney(data.month_spend_micros)} spent this month
        {data.disabled ? ' · Disabled by a platform admin: its keys and secrets do not serve.' : ''}
      </p>
      <Tabs
        label="Team sections"
        value={tab}
        onValueChange={setTab}
        items={[
          { value: 'members', label: 'Members', content: section('members', () => <MembersTab team={data} />) },
          { value: 'secrets', label: 'Team secrets', content: section('secrets', () => <IntegrationsView teamId={data.id} />) },
          { value: 'keys', label: 'API keys', content: section('keys', () => <TeamKeysTab teamId={data.id} />) },
          { value: 'routes', label: 'Routes', content: section('routes', () => <TeamRoutesTab teamId={data.id} />) },
          { value: 'budget', label: 'Budget', content: section('budget', () => <TeamBudgetTab team={data} />) },
          { value: 'usage', label: 'Usage', content: section('usage', () => <UsageDashboard scope={{ kind: 'team', teamId: data.id }} />) },
        ]}
      />
    </Page>
  );
}
