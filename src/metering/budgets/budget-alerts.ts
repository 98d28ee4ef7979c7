/**
 * Threshold alerts: when a budget's settled spend of the month reaches one of its thresholds
 * (percent of the limit), the first replica to insert the (budget, period, threshold) row of
 * `budget_alerts` sends it — mail to the owner (a team's owners and admins; each recipient may
 * turn these mails off, GET/PATCH /api/me/notification-preferences), an in-app
 * notification per recipient, and the budget's `webhook_url` (signed like video webhooks). Every
 * other replica's insert conflicts, so each threshold fires once per period.
 */
import type { WebhookSender } from '../../jobs/webhooks.js';
import type { Logger } from '../../platform/logger.js';
import type { Mailer } from '../../platform/mailer.js';
import type { Database } from '../../store/db.js';
import { budgetAlerts } from '../../store/schema.js';
import { createOwnerNotices } from '../../platform/owner-notices.js';
import type { BudgetAlertSink, BudgetRow } from './budget-enforcer.js';

export interface TestAlertResult {
  recipients: number;
  webhook: 'delivered' | 'failed' | 'not_configured' | 'none';
}

export interface BudgetAlertEvent {
  budget: BudgetRow;
  period: string;
  threshold: number;
  spent: number;
}

export function createBudgetAlerts(deps: {
  db: Database;
  mailer: Mailer;
  webhooks: WebhookSender | undefined;
  logger: Logger;
  publicUrl: string;
  /** Told once per threshold crossed (by the replica that sends it): the live `budget.alert` event. */
  onAlert?: (alert: BudgetAlertEvent) => void;
}): BudgetAlertSink & { idle(): Promise<void>; sendTest(budget: BudgetRow): Promise<TestAlertResult> } {
  const { db, logger } = deps;
  const notices = createOwnerNotices({ db, mailer: deps.mailer, logger });
  /** Thresholds this process knows fired (or are firing): no insert per request past a threshold. */
  const known = new Set<string>();
  const pending = new Set<Promise<void>>();

  async function fire(budget: BudgetRow, period: string, threshold: number, spent: number): Promise<void> {
    const inserted = await db
      .insert(budgetAlerts)
      .values({ budgetId: budget.id, period, threshold, spentMicros: spent })
      .onConflictDoNothing()
      .returning({ threshold: budgetAlerts.threshold });
    if (inserted.length === 0) return;
    deps.onAlert?.({ budget, period, threshold, spent });
    const dollars = (micros: number) => `$${(micros / 1_000_000).toFixed(2)}`;
    const title = `Budget alert: ${threshold}% of the ${budget.scope} budget used`;
    const body = `The ${budget.scope} budget ${budget.scopeId} has used ${dollars(spent)} of ${dollars(budget.limitMicros)} in ${period} (UTC), reaching the ${threshold}% threshold.${budget.hardLimit ? ' Requests that would exceed it are refused with 402 budget_exceeded.' : ''}`;
    const data = { budget_id: budget.id, scope: budget.scope, scope_id: budget.scopeId, period, threshold, spent_micros: spent, limit_micros: budget.limitMicros, hard_limit: budget.hardLimit };
    const owner = budget.ownerUserId ? { userId: budget.ownerUserId } : { teamId: budget.ownerTeamId! };
    await Promise.all([
      notices.send(owner, { kind: 'budget.threshold', topic: 'budget', title, body, data, link: `See your budgets: ${deps.publicUrl}/api/budgets` }),
      budget.webhookUrl && deps.webhooks
        ? deps.webhooks.send(budget.webhookUrl, { id: `budget_${budget.id}_${period}_${threshold}`, type: 'budget.threshold', data }).then((delivery) => {
            if (!delivery.delivered) logger.warn({ budget_id: budget.id, attempts: delivery.attempts }, 'budget alert webhook not delivered');
          })
        : undefined,
    ]);
    logger.info({ budget_id: budget.id, period, threshold }, 'budget alert sent');
  }

  return {
    /**
     * "Send test alert": the budget's channels get a clearly marked test now (in-app notification
     * and mail to the owner, a team's owners and admins; the webhook when set). Nothing is
     * recorded in budget_alerts, so real thresholds still fire.
     */
    async sendTest(budget: BudgetRow): Promise<TestAlertResult> {
      const title = `Test alert for the ${budget.scope} budget`;
      const data = { budget_id: budget.id, scope: budget.scope, scope_id: budget.scopeId, limit_micros: budget.limitMicros, test: true };
      const owner = budget.ownerUserId ? { userId: budget.ownerUserId } : { teamId: budget.ownerTeamId! };
      const recipients = await notices.send(owner, {
        kind: 'budget.test',
        topic: 'budget',
        title,
        body: `This is a test of the alert channels of the ${budget.scope} budget ${budget.scopeId}. Real alerts arrive here when spend reaches ${budget.alertThresholds.join('%, ')}% of the limit.`,
        data,
        link: `See your budgets: ${deps.publicUrl}/api/budgets`,
      });
      if (!budget.webhookUrl) return { recipients, webhook: 'none' };
      if (!deps.webhooks) return { recipients, webhook: 'not_configured' };
      const delivery = await deps.webhooks.send(budget.webhookUrl, { id: `budget_${budget.id}_test_${Date.now()}`, type: 'budget.test', data }, AbortSignal.timeout(10_000));
      return { recipients, webhook: delivery.delivered ? 'delivered' : 'failed' };
    },

    spent(budget, period, spent) {
      for (const threshold of [...budget.alertThresholds].sort((a, b) => a - b)) {
        if (spent * 100 < budget.limitMicros * threshold) break;
        const memo = `${budget.id}:${period}:${threshold}`;
        if (known.has(memo)) continue;
        known.add(memo);
        const work = fire(budget, period, threshold, spent).catch((error: unknown) => {
          known.delete(memo);
          logger.error({ err: error, budget_id: budget.id }, 'budget alert failed');
        });
        pending.add(work);
        void work.finally(() => pending.delete(work));
      }
    },
    async idle() {
      await Promise.allSettled([...pending]);
    },
  };
}
