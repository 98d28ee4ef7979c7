/**
 * Budgets as the page shows them: the API's Budget plus what follows from it — state in words, the
 * reset time (budgets are per calendar month in UTC), a linear forecast of when the limit is reached,
 * and for keys the parent chain (key → team → user) of the budgets that also apply.
 */
import type { Budget } from '../../api/types';

export type { Budget };

/** A scope the caller may budget, as the dialog's "Scope" options: `user:`, `team:<id>`, `key:<id>`, `integration:<id>`. */
export interface ScopeOption {
  value: string;
  label: string;
}

export type BudgetState = 'ok' | 'warning' | 'exhausted';

export function stateOf(budget: Pick<Budget, 'spent_micros' | 'limit_micros' | 'alert_thresholds'>): BudgetState {
  if (budget.spent_micros >= budget.limit_micros) return 'exhausted';
  const lowest = Math.min(...budget.alert_thresholds.filter((threshold) => threshold < 100), 80);
  return budget.spent_micros * 100 >= budget.limit_micros * lowest ? 'warning' : 'ok';
}

/** The start of the month after `period` ("YYYY-MM"), UTC. */
export function resetsAt(period: string): Date {
  const [year, month] = period.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(year, month, 1));
}

/** When the spend rate of the month so far reaches the limit; undefined if not before the reset. */
export function forecastExhaustAt(budget: Pick<Budget, 'spent_micros' | 'limit_micros' | 'period'>, now = Date.now()): Date | undefined {
  const reset = resetsAt(budget.period).getTime();
  const [year, month] = budget.period.split('-').map(Number) as [number, number];
  const start = Date.UTC(year, month - 1, 1);
  if (budget.spent_micros >= budget.limit_micros) return new Date(Math.min(now, reset));
  if (budget.spent_micros <= 0 || now <= start) return undefined;
  const at = start + ((now - start) * budget.limit_micros) / budget.spent_micros;
  return at < reset ? new Date(at) : undefined;
}
