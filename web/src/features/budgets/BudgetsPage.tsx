/**
 * Budgets (WEBAPP.md §6.4): the table "Budgets" — every budget the caller can see (you, teams,
 * keys, integration quotas) with spent/limit, period and reset (UTC, said so), thresholds,
 * hard/soft, state in words, forecast — and "Edit budget" (a lazy dialog). An exhausted budget says
 * what callers get and when it resets; a key's row shows its parent chain (key → team → you).
 * Refreshes on the live `budget.alert` and `usage.created` events.
 */
import { queryOptions, useQuery, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useState } from 'react';
import { api } from '../../api/client';
import { useLiveEvent } from '../../api/events';
import { meQuery, teamsQuery } from '../../api/queries';
import type { Integration, ApiResponse, PlatformKey } from '../../api/types';
import { formatDateTime, formatMoney } from '../../format';
import { Button } from '../../ui/Button';
import { cellClass as cell, LoadError, TableRegion } from '../../ui/DataRegion';
import { EmptyState } from '../../ui/EmptyState';
import { Page } from '../../ui/Page';
import { Progress } from '../../ui/Progress';
import { StatusPill } from '../../ui/StatusPill';
import { integrationsQuery } from '../integrations/scope';
import { forecastExhaustAt, resetsAt, stateOf, type Budget, type ScopeOption } from './budget-model';

const EditBudgetDialog = lazy(() => import('./EditBudgetDialog'));

export const budgetsQuery = queryOptions({ queryKey: ['budgets'], queryFn: ({ signal }) => api<ApiResponse<'/api/budgets'>>('/api/budgets', { signal }) });
const keysQuery = queryOptions({ queryKey: ['keys'], queryFn: ({ signal }) => api<ApiResponse<'/api/keys'>>('/api/keys?limit=100', { signal }) });

const UTC = 'UTC';
const scopeWords = { user: 'You', team: 'Team', key: 'Key', integration: 'Integration quota' } as const;

export default function BudgetsPage() {
  const client = useQueryClient();
  const budgets = useQuery(budgetsQuery);
  const me = useQuery(meQuery);
  const teams = useQuery(teamsQuery);
  const keys = useQuery(keysQuery);
  const integrations = useQuery(integrationsQuery());
  const [editing, setEditing] = useState<{ scope?: string } | null>(null);
  const refresh = () => void client.invalidateQueries({ queryKey: budgetsQuery.queryKey });
  useLiveEvent('budget.alert', refresh);
  useLiveEvent('usage.created', refresh);

  const teamName = (id: string) => teams.data?.data.find((team) => team.id === id)?.name ?? 'Team';
  const keyOf = (id: string) => keys.data?.data.find((key) => key.id === id);
  const nameOf = (budget: Budget): string => {
    if (budget.scope === 'user') return 'You';
    if (budget.scope === 'team') return `Team ${teamName(budget.scope_id)}`;
    if (budget.scope === 'key') return `Key ${keyOf(budget.scope_id)?.name ?? budget.scope_id}`;
    const integration = integrations.data?.data.find((row) => row.id === budget.scope_id);
    return `Integration ${integration ? `${integration.name} (${integration.service})` : budget.scope_id}`;
  };
  const all = budgets.data?.data ?? [];
  const find = (scope: Budget['scope'], id: string | null | undefined) => (id ? all.find((budget) => budget.scope === scope && budget.scope_id === id) : undefined);
  const usage = (budget: Budget) => `${formatMoney(budget.spent_micros)} of ${formatMoney(budget.limit_micros)}`;
  /** key → team → you: the other budgets a request with this key also has to fit. */
  const chainOf = (budget: Budget): string | null => {
    if (budget.scope !== 'key') return null;
    const key = keyOf(budget.scope_id);
    const parents = [key?.team_id ? find('team', key.team_id) : undefined, find('user', me.data?.id)].filter((parent): parent is Budget => parent !== undefined);
    const links = [`Key ${key?.name ?? budget.scope_id}`, ...(key?.team_id ? [`team ${teamName(key.team_id)}${parents[0]?.scope === 'team' ? ` (${usage(parents[0])})` : ' (no budget)'}`] : []), `you${find('user', me.data?.id) ? ` (${usage(find('user', me.data?.id)!)})` : ' (no budget)'}`];
    return `Parent budgets: ${links.join(' → ')}`;
  };

  const options: ScopeOption[] = [
    { value: 'user:', label: 'You (all your requests)' },
    ...(teams.data?.data ?? []).filter((team) => team.role !== 'member').map((team) => ({ value: `team:${team.id}`, label: `Team ${team.name}` })),
    ...(keys.data?.data ?? []).filter((key) => key.status === 'active').map((key) => ({ value: `key:${key.id}`, label: `Key ${key.name} (sk-sb-…${key.key_last4})` })),
    ...(integrations.data?.data ?? []).filter((row) => row.team_id === null).map((row) => ({ value: `integration:${row.id}`, label: `Integration ${row.name} (${row.service})` })),
  ];

  return (
    <Page
      title="Budgets"
      actions={
        <Button variant="primary" onClick={() => setEditing({})}>
          Edit budget
        </Button>
      }
    >
      <p className="text-sm text-muted">Budgets are per calendar month and reset at 00:00 UTC on the 1st. Times on this page are in UTC.</p>
      {budgets.isError ? <LoadError what="The budgets" onRetry={() => void budgets.refetch()} /> : null}
      {budgets.isSuccess && all.length === 0 ? <EmptyState title="No budgets yet">Set a monthly limit for yourself, a team, a key or an integration with “Edit budget”.</EmptyState> : null}
      {all.length > 0 ? (
        <TableRegion
          caption="Budgets"
          minWidth="64rem"
          head={
            <>
              <th scope="col" className={cell}>Scope</th>
              <th scope="col" className={cell}>Spent / limit</th>
              <th scope="col" className={cell}>Period</th>
              <th scope="col" className={cell}>Thresholds</th>
              <th scope="col" className={cell}>Limit type</th>
              <th scope="col" className={cell}>State</th>
              <th scope="col" className={cell}>Forecast</th>
              <th scope="col" className={cell}>
                <span className="sr-only">Actions</span>
              </th>
            </>
          }
        >
          {all.map((budget) => {
            const state = stateOf(budget);
            const reset = formatDateTime(resetsAt(budget.period), UTC);
            const forecast = forecastExhaustAt(budget);
            const chain = chainOf(budget);
            const name = nameOf(budget);
            return (
              <tr key={budget.id} className="border-t border-border">
                <th scope="row" className={`${cell} font-medium`}>
                  <span className="sr-only">{scopeWords[budget.scope]}: </span>
                  {name}
                  {chain ? <p className="mt-1 text-xs font-normal text-muted">{chain}</p> : null}
                </th>
                <td className={`${cell} min-w-48`}>
                  <Progress label={`${name} budget`} hideLabel value={budget.spent_micros} max={budget.limit_micros} text={usage(budget)} />
                </td>
                <td className={cell}>
                  {budget.period} (UTC)
                  <br />
                  <span className="text-muted">Resets {reset} UTC</span>
                </td>
                <td className={cell}>{budget.alert_thresholds.map((threshold) => `${threshold}%`).join(', ') || 'None'}</td>
                <td className={cell}>{budget.hard_limit ? 'Hard (blocks requests)' : 'Soft (alerts only)'}</td>
                <td className={cell}>
                  <StatusPill status={state} />
                  {state === 'exhausted' ? (
                    <p className="mt-1 text-xs">
                      {budget.hard_limit ? 'Callers get an error with source “user” (402 budget_exceeded)' : 'Requests still pass (soft limit)'} until the budget resets on {reset} UTC.
                    </p>
                  ) : null}
                </td>
                <td className={cell}>{state === 'exhausted' ? 'Limit reached' : forecast ? `Reaches the limit ${formatDateTime(forecast, UTC)} UTC` : 'Not before the reset'}</td>
                <td className={cell}>
                  <Button variant="ghost" onClick={() => setEditing({ scope: `${budget.scope}:${budget.scope === 'user' ? '' : budget.scope_id}` })} aria-label={`Edit budget of ${name}`}>
                    Edit
                  </Button>
                </td>
              </tr>
            );
          })}
        </TableRegion>
      ) : null}
      {editing ? (
        <Suspense fallback={null}>
          <EditBudgetDialog
            options={options}
            budgets={all}
            initialScope={editing.scope ?? options[0]!.value}
            onClose={() => {
              setEditing(null);
              refresh();
            }}
          />
        </Suspense>
      ) : null}
    </Page>
  );
}
