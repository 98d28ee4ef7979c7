/**
 * Platform administration: list, disable and enable users and teams, and platform-wide usage.
 * Never key material. Disabling ends the user's sessions and tells every replica (bus topics
 * `user` / `team`) so their platform keys and team secrets stop serving at once.
 */
import type { SQL } from 'drizzle-orm';
import type { AuditLog } from '../platform/audit.js';
import type { Clock } from '../platform/clock.js';
import { AppError } from '../platform/errors.js';
import type { InvalidationBus } from '../platform/invalidation.js';
import type { Database } from '../store/db.js';
import type { AdminStore } from './admin.store.js';

export const MAX_USAGE_RANGE_DAYS = 366;
const DAY_MS = 24 * 3600 * 1000;

export interface AdminServiceDeps {
  db: Database;
  store: AdminStore;
  audit: AuditLog;
  bus: Pick<InvalidationBus, 'publish'>;
  clock: Clock;
}

export interface AdminActor {
  userId: string;
  ip?: string | null;
  userAgent?: string | null;
}

type Page = { limit: number; cursor?: string };

export function createAdminService(deps: AdminServiceDeps) {
  const { db, store, audit, bus, clock } = deps;

  const record = (action: string, actor: AdminActor, target: { kind: string; id: string }, tx: Parameters<AuditLog['record']>[1], metadata: Record<string, unknown>) =>
    audit.record(
      { action, actorUserId: actor.userId, targetKind: target.kind, targetId: target.id, ip: actor.ip ?? null, userAgent: actor.userAgent ?? null, metadata },
      tx,
    );

  const paged = <T extends { id: string }>(rows: T[], limit: number) => {
    const data = rows.slice(0, limit);
    return { data, next_cursor: rows.length > limit ? (data.at(-1)?.id ?? null) : null };
  };

  async function setUserDisabled(actor: AdminActor, userId: string, disabled: boolean) {
    if (disabled && userId === actor.userId) {
      throw new AppError('invalid_request', { param: 'id', message: 'You cannot disable your own account.' });
    }
    await db.transaction(async (tx) => {
      const user = await store.findUser(userId, tx);
      if (!user) throw new AppError('not_found', { message: 'User not found.' });
      await store.setUserDisabled(userId, disabled ? clock.now() : null, tx);
      const revoked = disabled ? await store.revokeSessionsOf(userId, 'user_disabled', tx) : 0;
      await record(disabled ? 'user.disabled' : 'user.enabled', actor, { kind: 'user', id: userId }, tx, {
        before: { disabled: user.disabledAt !== null },
        after: { disabled },
        ...(disabled ? { sessions_revoked: revoked } : {}),
      });
    });
    bus.publish('user', userId);
  }

  async function setTeamDisabled(actor: AdminActor, teamId: string, disabled: boolean) {
    await db.transaction(async (tx) => {
      const team = await store.findTeam(teamId, tx);
      if (!team) throw new AppError('not_found', { message: 'Team not found.' });
      await store.setTeamDisabled(teamId, disabled ? clock.now() : null, tx);
      await audit.record(
        {
          action: disabled ? 'team.disabled' : 'team.enabled',
          actorUserId: actor.userId,
          teamId,
          targetKind: 'team',
          targetId: teamId,
          ip: actor.ip ?? null,
          userAgent: actor.userAgent ?? null,
          metadata: { before: { disabled: team.disabledAt !== null }, after: { disabled } },
        },
        tx,
      );
    });
    bus.publish('team', teamId);
  }

  return {
    isActiveAdmin: (userId: string) => store.isActiveAdmin(userId),

    async listUsers(page: Page & { email?: string; condition?: SQL | undefined }) {
      const rows = await store.listUsers({
        limit: page.limit + 1,
        ...(page.cursor ? { before: page.cursor } : {}),
        ...(page.email ? { email: page.email } : {}),
        condition: page.condition,
      });
      return paged(
        rows.map((user) => ({
          id: user.id,
          email: user.email,
          is_admin: user.isAdmin,
          email_verified: user.emailVerifiedAt !== null,
          disabled: user.disabledAt !== null,
          created_at: user.createdAt.toISOString(),
        })),
        page.limit,
      );
    },
    disableUser: (actor: AdminActor, userId: string) => setUserDisabled(actor, userId, true),
    enableUser: (actor: AdminActor, userId: string) => setUserDisabled(actor, userId, false),

    async listTeams(page: Page & { name?: string | undefined }) {
      const rows = await store.listTeams({ limit: page.limit + 1, ...(page.cursor ? { before: page.cursor } : {}), ...(page.name ? { name: page.name } : {}) });
      return paged(
        rows.map(({ team, memberCount }) => ({
          id: team.id,
          name: team.name,
          member_count: Number(memberCount),
          disabled: team.disabledAt !== null,
          created_at: team.createdAt.toISOString(),
        })),
        page.limit,
      );
    },
    disableTeam: (actor: AdminActor, teamId: string) => setTeamDisabled(actor, teamId, true),
    enableTeam: (actor: AdminActor, teamId: string) => setTeamDisabled(actor, teamId, false),

    /** Totals per UTC day and service; the range defaults to the last 30 days. */
    async usage(range: { from?: Date | undefined; to?: Date | undefined }) {
      const to = range.to ?? clock.now();
      const from = range.from ?? new Date(to.getTime() - 30 * DAY_MS);
      if (from >= to) throw new AppError('invalid_request', { param: 'from', message: 'from must be before to.' });
      if (to.getTime() - from.getTime() > MAX_USAGE_RANGE_DAYS * DAY_MS) {
        throw new AppError('invalid_request', { param: 'from', message: `The range may span at most ${MAX_USAGE_RANGE_DAYS} days.` });
      }
      const rows = await store.usageTotals({ from, to });
      const num = (value: string | null) => (value === null ? null : Number(value));
      return {
        from: from.toISOString(),
        to: to.toISOString(),
        data: rows.map((row) => ({
          day: row.day,
          service: row.service,
          requests: Number(row.requests),
          input_tokens: num(row.inputTokens),
          output_tokens: num(row.outputTokens),
          cost_micros: num(row.costMicros),
        })),
        next_cursor: null,
      };
    },
  };
}

export type AdminService = ReturnType<typeof createAdminService>;
