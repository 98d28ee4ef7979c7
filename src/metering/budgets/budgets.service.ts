/**
 * Managing budgets (`/api/budgets`) and reading notifications (`/api/notifications`).
 *
 * Who may see and set which budget: your own user budget; a team's budget as its owner or admin;
 * a platform key's budget as the key's owner; an integration's budget as its owner (a team
 * integration: the team's owners and admins). Anything else answers 404, as if it did not exist.
 * Key and integration budgets also write the existing `platform_keys.monthly_budget_micros` and
 * `integrations.monthly_quota` fields, so those always show the budget in force.
 */
import { and, desc, eq, gt, inArray, isNull, or, sql } from 'drizzle-orm';
import type { AuditLog } from '../../platform/audit.js';
import { AppError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import type { InvalidationBus } from '../../platform/invalidation.js';
import type { Database } from '../../store/db.js';
import { budgets, integrations, memberships, notifications, platformKeys } from '../../store/schema.js';
import { toNotificationView } from './alerts.store.js';
import type { BudgetLedger } from './budget-ledger.js';
import { counterKey, monthSpend, periodOf, type BudgetRow, type BudgetScope } from './budget-enforcer.js';

export interface Actor {
  userId: string;
  ip: string | null;
  userAgent: string | null;
}

export interface PutBudgetInput {
  scope: BudgetScope;
  scope_id?: string | undefined;
  limit_micros: number;
  alert_thresholds?: number[] | undefined;
  hard_limit?: boolean | undefined;
  webhook_url?: string | null | undefined;
}

export interface BudgetView {
  id: string;
  scope: BudgetScope;
  scope_id: string;
  limit_micros: number;
  alert_thresholds: number[];
  hard_limit: boolean;
  webhook_url: string | null;
  period: string;
  spent_micros: number;
  reserved_micros: number;
  created_at: string;
  updated_at: string;
}

export function createBudgetsService(deps: {
  db: Database;
  ledger: BudgetLedger;
  audit: AuditLog;
  bus: InvalidationBus;
  /** Validates a webhook URL (scheme, private addresses, a configured secret); throws a 400. */
  checkWebhookUrl: (url: string) => string;
}) {
  const { db } = deps;

  async function managedTeams(userId: string): Promise<string[]> {
    const rows = await db
      .select({ teamId: memberships.teamId })
      .from(memberships)
      .where(and(eq(memberships.userId, userId), inArray(memberships.role, ['owner', 'admin'])));
    return rows.map((row) => row.teamId);
  }

  /** The owner a budget of this scope belongs to, when the actor may manage it; else 404. */
  async function ownerFor(userId: string, scope: BudgetScope, scopeId: string): Promise<{ ownerUserId: string | null; ownerTeamId: string | null }> {
    const notFound = () => new AppError('not_found', { param: 'scope_id', message: `No ${scope} ${scopeId} that you manage.` });
    if (scope === 'user') {
      if (scopeId !== userId) throw notFound();
      return { ownerUserId: userId, ownerTeamId: null };
    }
    if (scope === 'team') {
      if (!(await managedTeams(userId)).includes(scopeId)) throw notFound();
      return { ownerUserId: null, ownerTeamId: scopeId };
    }
    if (scope === 'key') {
      const [key] = await db.select({ id: platformKeys.id }).from(platformKeys).where(and(eq(platformKeys.id, scopeId), eq(platformKeys.userId, userId), or(isNull(platformKeys.revokedAt), gt(platformKeys.revokedAt, sql`now()`))));
      if (!key) throw notFound();
      return { ownerUserId: userId, ownerTeamId: null };
    }
    const [integration] = await db.select({ user: integrations.ownerUserId, team: integrations.ownerTeamId }).from(integrations).where(eq(integrations.id, scopeId));
    if (!integration) throw notFound();
    if (integration.user === userId) return { ownerUserId: userId, ownerTeamId: null };
    if (integration.team && (await managedTeams(userId)).includes(integration.team)) return { ownerUserId: null, ownerTeamId: integration.team };
    throw notFound();
  }

  async function view(row: BudgetRow): Promise<BudgetView> {
    const period = periodOf();
    const counter = await deps.ledger.read(counterKey(row.scope, row.scopeId, period));
    const spent = counter ? counter.spent : await monthSpend(db, row.scope, row.scopeId, period);
    return {
      id: row.id,
      scope: row.scope,
      scope_id: row.scopeId,
      limit_micros: row.limitMicros,
      alert_thresholds: row.alertThresholds,
      hard_limit: row.hardLimit,
      webhook_url: row.webhookUrl,
      period,
      spent_micros: spent,
      reserved_micros: counter?.held ?? 0,
      created_at: row.createdAt.toISOString(),
      updated_at: row.updatedAt.toISOString(),
    };
  }

  async function visibleRow(userId: string, id: string): Promise<BudgetRow> {
    const teams = await managedTeams(userId);
    const [row] = await db
      .select()
      .from(budgets)
      .where(and(eq(budgets.id, id), or(eq(budgets.ownerUserId, userId), teams.length > 0 ? inArray(budgets.ownerTeamId, teams) : sql`false`)));
    if (!row) throw new AppError('not_found', { message: 'No such budget.' });
    return row;
  }

  const mirror = async (tx: Parameters<Parameters<Database['transaction']>[0]>[0], scope: BudgetScope, scopeId: string, limit: number | null) => {
    if (scope === 'key') await tx.update(platformKeys).set({ monthlyBudgetMicros: limit }).where(eq(platformKeys.id, scopeId));
    if (scope === 'integration') await tx.update(integrations).set({ monthlyQuota: limit === null ? null : { limit_micros: limit } }).where(eq(integrations.id, scopeId));
  };

  return {
    /** Every budget the caller may see (own, own keys' and integrations', managed teams'), with this month's spend. */
    async list(userId: string): Promise<BudgetView[]> {
      const teams = await managedTeams(userId);
      const rows = await db
        .select()
        .from(budgets)
        .where(or(eq(budgets.ownerUserId, userId), teams.length > 0 ? inArray(budgets.ownerTeamId, teams) : sql`false`))
        .orderBy(budgets.id);
      return Promise.all(rows.map(view));
    },

    async get(userId: string, id: string): Promise<BudgetView> {
      return view(await visibleRow(userId, id));
    },

    /** The stored budget, when the caller may manage it (own, or a team they own or administer); else 404. */
    visibleRow,

    /** Creates or replaces the budget of one scope. */
    async put(actor: Actor, input: PutBudgetInput): Promise<{ budget: BudgetView; created: boolean }> {
      const scopeId = input.scope_id ?? (input.scope === 'user' ? actor.userId : undefined);
      if (!scopeId) throw new AppError('invalid_request', { param: 'scope_id', message: `scope_id is required for a ${input.scope} budget.` });
      const owner = await ownerFor(actor.userId, input.scope, scopeId);
      const webhookUrl = input.webhook_url ? deps.checkWebhookUrl(input.webhook_url) : null;
      const thresholds = [...new Set(input.alert_thresholds ?? [50, 80, 100])].sort((a, b) => a - b);
      const result = await db.transaction(async (tx) => {
        const [existing] = await tx.select({ id: budgets.id }).from(budgets).where(and(eq(budgets.scope, input.scope), eq(budgets.scopeId, scopeId))).for('update');
        const values = { limitMicros: input.limit_micros, alertThresholds: thresholds, hardLimit: input.hard_limit ?? true, webhookUrl };
        const [row] = existing
          ? await tx.update(budgets).set({ ...values, updatedAt: sql`now()` }).where(eq(budgets.id, existing.id)).returning()
          : await tx.insert(budgets).values({ id: newId(), scope: input.scope, scopeId, ...owner, ...values }).returning();
        await mirror(tx, input.scope, scopeId, input.limit_micros);
        await deps.audit.record(
          {
            action: existing ? 'budget.update' : 'budget.create',
            actorUserId: actor.userId,
            teamId: owner.ownerTeamId,
            targetKind: 'budget',
            targetId: row!.id,
            ip: actor.ip,
            userAgent: actor.userAgent,
            metadata: { scope: input.scope, scope_id: scopeId, limit_micros: input.limit_micros, hard_limit: values.hardLimit, alert_thresholds: thresholds },
          },
          tx,
        );
        return { row: row!, created: !existing };
      });
      deps.bus.publish('budget', result.row.id);
      return { budget: await view(result.row), created: result.created };
    },

    async remove(actor: Actor, id: string): Promise<void> {
      const row = await visibleRow(actor.userId, id);
      await db.transaction(async (tx) => {
        await tx.delete(budgets).where(eq(budgets.id, id));
        await mirror(tx, row.scope, row.scopeId, null);
        await deps.audit.record(
          { action: 'budget.delete', actorUserId: actor.userId, teamId: row.ownerTeamId, targetKind: 'budget', targetId: id, ip: actor.ip, userAgent: actor.userAgent, metadata: { scope: row.scope, scope_id: row.scopeId } },
          tx,
        );
      });
      deps.bus.publish('budget', id);
    },

    /** The caller's notifications, newest first (at most 100). */
    async notifications(userId: string, options: { unreadOnly: boolean }) {
      const rows = await db
        .select()
        .from(notifications)
        .where(and(eq(notifications.userId, userId), options.unreadOnly ? isNull(notifications.readAt) : undefined))
        .orderBy(desc(notifications.id))
        .limit(100);
      return rows.map(toNotificationView);
    },

    async markRead(userId: string, id: string): Promise<void> {
      const updated = await db
        .update(notifications)
        .set({ readAt: sql`coalesce(${notifications.readAt}, now())` })
        .where(and(eq(notifications.id, id), eq(notifications.userId, userId)))
        .returning({ id: notifications.id });
      if (updated.length === 0) throw new AppError('not_found', { message: 'No such notification.' });
    },
  };
}

export type BudgetsService = ReturnType<typeof createBudgetsService>;
