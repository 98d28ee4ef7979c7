/** The budget bar ("Monthly budget", the tightest applicable budget) and "Recent alerts". */
import { queryOptions, useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { api } from '../../api/client';
import type { ApiResponse, Budget } from '../../api/types';
import { formatDate, formatDateTime, formatMoney } from '../../format';
import { Progress } from '../../ui/Progress';
import type { UsageScope } from './usage-api';
import { Widget } from './Widget';

const budgetsQuery = queryOptions({ queryKey: ['budgets'], queryFn: ({ signal }) => api<ApiResponse<'/api/budgets'>>('/api/budgets', { signal }) });
const alertsQuery = queryOptions({ queryKey: ['alerts', 'recent'], queryFn: ({ signal }) => api<ApiResponse<'/api/alerts'>>('/api/alerts?limit=5', { signal }) });

/** The tightest budget for the scope: a user's own budgets (any scope), or the team's. */
function tightest(budgets: Budget[], scope: UsageScope): Budget | undefined {
  const applicable = scope.kind === 'team' ? budgets.filter((b) => b.scope === 'team' && b.scope_id === scope.teamId) : budgets.filter((b) => b.scope !== 'team');
  return applicable.sort((a, b) => b.spent_micros / b.limit_micros - a.spent_micros / a.limit_micros)[0];
}

export function BudgetBar({ scope, tz }: { scope: UsageScope; tz: string }) {
  const query = useQuery(budgetsQuery);
  return (
    <Widget label="Monthly budget" heading query={query} minHeight={72}>
      {({ data }) => {
        const budget = tightest(data, scope);
        if (!budget)
          return (
            <p className="text-sm text-muted">
              No monthly budget set. <Link to="/budgets" className="text-accent underline">Set a budget</Link>
            </p>
          );
        const now = new Date();
        const monthStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
        const reset = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
        const elapsed = Math.max(1, now.getTime() - monthStart) / (reset - monthStart);
        const forecast = Math.round(budget.spent_micros / elapsed);
        return (
          <div className="grid gap-1">
            <Progress label="Monthly budget" value={budget.spent_micros} max={budget.limit_micros} text={`${formatMoney(budget.spent_micros)} of ${formatMoney(budget.limit_micros)} (${budget.scope} budget)`} hideLabel />
            <p className="text-xs text-muted">
              Resets {formatDate(reset, tz)}. Forecast for the month: {formatMoney(forecast)}
              {forecast > budget.limit_micros ? ', over the limit' : ''}.
            </p>
          </div>
        );
      }}
    </Widget>
  );
}

export function RecentAlerts({ tz }: { tz: string }) {
  const query = useQuery(alertsQuery);
  return (
    <Widget label="Recent alerts" heading query={query} minHeight={96}>
      {({ data }) =>
        data.length === 0 ? (
          <p className="text-sm text-muted">No alerts.</p>
        ) : (
          <ul className="grid gap-2 text-sm">
            {data.map((alert) => (
              <li key={alert.id} className="rounded-md border border-border p-2">
                <p className="font-medium">{alert.title}</p>
                <p className="text-muted">{alert.body}</p>
                <p className="text-xs text-muted">{formatDateTime(alert.created_at, tz)}</p>
              </li>
            ))}
          </ul>
        )
      }
    </Widget>
  );
}
