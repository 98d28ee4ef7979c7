/**
 * Admin user management beyond disable/enable (WEBAPP.md §6.3 item 8): search with spend this
 * month and teams (two grouped queries per page, no per-row follow-up), make/remove admin, sign a
 * user out everywhere, resend their verification mail, and the platform audit log with filters.
 * Every action is audited in the transaction that makes it; never key material.
 */
import { and, desc, eq, ilike, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import { encodeTime } from 'ulid';
import type { AuditLog } from '../platform/audit.js';
import { AppError } from '../platform/errors.js';
import { isUlid } from '../platform/ids.js';
import type { InvalidationBus } from '../platform/invalidation.js';
import type { Database } from '../store/db.js';
import { auditEvents, memberships, sessions, teams, usageRecords, users } from '../store/schema.js';
import type { AdminActor } from './admin.service.js';

export interface AdminUsersDeps {
  db: Database;
  audit: Pick<AuditLog, 'record'>;
  bus: Pick<InvalidationBus, 'publish'>;
  /** Mails a new verification link (accounts service). */
  resendVerification(email: string): Promise<void>;
}

const escapeLike = (value: string) => value.replace(/[\\%_]/g, (ch) => `\\${ch}`);

export function createAdminUsers(deps: AdminUsersDeps) {
  const { db, audit, bus } = deps;

  const record = (actor: AdminActor, action: string, userId: string, metadata: Record<string, unknown>, tx: Parameters<AuditLog['record']>[1]) =>
    audit.record({ action, actorUserId: actor.userId, targetKind: 'user', targetId: userId, ip: actor.ip ?? null, userAgent: actor.userAgent ?? null, metadata }, tx);

  async function findUser(id: string, tx: Parameters<Parameters<Database['transaction']>[0]>[0] | Database = db) {
    const [user] = await tx.select({ id: users.id, email: users.email, isAdmin: users.isAdmin, emailVerifiedAt: users.emailVerifiedAt, disabledAt: users.disabledAt }).from(users).where(eq(users.id, id)).limit(1);
    if (!user) throw new AppError('not_found', { message: 'User not found.' });
    return user;
  }

  return {
    /** `query` matches an email fragment (case-insensitive) or a user id exactly. */
    searchCondition(query: string | undefined) {
      if (!query) return undefined;
      const byEmail = ilike(users.email, `%${escapeLike(query.toLowerCase())}%`);
      return isUlid(query.toUpperCase()) ? or(byEmail, eq(users.id, query.toUpperCase())) : byEmail;
    },

    /** Spend this UTC month, teams and last activity (latest session use), for a page of users: one grouped query each. */
    async extrasOf(ids: string[], now = new Date()) {
      if (ids.length === 0) return new Map<string, { spend: number; lastActive: string | null; teams: Array<{ id: string; name: string; role: string }> }>();
      const monthStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
      const [spend, teamRows, activity] = await Promise.all([
        db
          .select({ userId: usageRecords.userId, micros: sql<string | null>`sum(${usageRecords.costMicros})` })
          .from(usageRecords)
          .where(and(inArray(usageRecords.userId, ids), sql`${usageRecords.id} >= ${`${encodeTime(monthStart, 10)}${'0'.repeat(16)}`}`, sql`${usageRecords.createdAt} >= ${new Date(monthStart).toISOString()}::timestamptz`))
          .groupBy(usageRecords.userId),
        db
          .select({ userId: memberships.userId, id: teams.id, name: teams.name, role: memberships.role })
          .from(memberships)
          .innerJoin(teams, eq(teams.id, memberships.teamId))
          .where(inArray(memberships.userId, ids))
          .orderBy(teams.name),
        db
          .select({ userId: sessions.userId, at: sql<string | Date | null>`max(${sessions.lastUsedAt})` })
          .from(sessions)
          .where(inArray(sessions.userId, ids))
          .groupBy(sessions.userId),
      ]);
      const extras = new Map(ids.map((id) => [id, { spend: 0, lastActive: null as string | null, teams: [] as Array<{ id: string; name: string; role: string }> }]));
      for (const row of activity) extras.get(row.userId)!.lastActive = row.at === null ? null : new Date(row.at).toISOString();
      for (const row of spend) extras.get(row.userId)!.spend = Number(row.micros ?? 0);
      for (const row of teamRows) extras.get(row.userId)!.teams.push({ id: row.id, name: row.name, role: row.role });
      return extras;
    },

    /** Spend this UTC month per team, for a page of teams: one grouped query. */
    async teamSpendOf(ids: string[], now = new Date()): Promise<Map<string, number>> {
      if (ids.length === 0) return new Map();
      const monthStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
      const rows = await db
        .select({ teamId: usageRecords.teamId, micros: sql<string | null>`sum(${usageRecords.costMicros})` })
        .from(usageRecords)
        .where(and(inArray(usageRecords.teamId, ids), sql`${usageRecords.id} >= ${`${encodeTime(monthStart, 10)}${'0'.repeat(16)}`}`, sql`${usageRecords.createdAt} >= ${new Date(monthStart).toISOString()}::timestamptz`))
        .groupBy(usageRecords.teamId);
      return new Map(rows.map((row) => [row.teamId!, Number(row.micros ?? 0)]));
    },

    async setAdmin(actor: AdminActor, userId: string, isAdmin: boolean): Promise<void> {
      if (!isAdmin && userId === actor.userId) throw new AppError('invalid_request', { param: 'id', message: 'You cannot remove your own admin role; ask another admin.' });
      await db.transaction(async (tx) => {
        const user = await findUser(userId, tx);
        await tx.update(users).set({ isAdmin, updatedAt: sql`now()` }).where(eq(users.id, userId));
        await record(actor, isAdmin ? 'user.admin_granted' : 'user.admin_revoked', userId, { before: { is_admin: user.isAdmin }, after: { is_admin: isAdmin } }, tx);
      });
      bus.publish('user', userId);
    },

    /** "Sign out everywhere": every live session ends; their access tokens stop at once on every replica. */
    async revokeSessions(actor: AdminActor, userId: string): Promise<number> {
      const ids = await db.transaction(async (tx) => {
        await findUser(userId, tx);
        const rows = await tx
          .update(sessions)
          .set({ revokedAt: sql`now()`, revokedReason: 'admin_signed_out' })
          .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt)))
          .returning({ id: sessions.id });
        await record(actor, 'user.sessions_revoked', userId, { sessions_revoked: rows.length }, tx);
        return rows.map((row) => row.id);
      });
      for (const id of ids) bus.publish('session', id);
      return ids.length;
    },

    async resendVerification(actor: AdminActor, userId: string): Promise<void> {
      const user = await findUser(userId);
      if (user.emailVerifiedAt) throw new AppError('invalid_request', { param: 'id', message: 'This user has already verified their email address.' });
      if (user.disabledAt) throw new AppError('invalid_request', { param: 'id', message: 'This user is disabled; enable them first.' });
      await deps.resendVerification(user.email);
      await record(actor, 'user.verification_resent', userId, {}, undefined);
    },

    /** The platform audit log, newest first, keyset-paginated; filters combine. */
    async audit(filter: { actor?: string | undefined; action?: string | undefined; target?: string | undefined }, page: { limit: number; before?: string | undefined }) {
      return db
        .select()
        .from(auditEvents)
        .where(
          and(
            filter.actor ? eq(auditEvents.actorUserId, filter.actor) : undefined,
            filter.action ? (filter.action.endsWith('.') ? sql`${auditEvents.action} like ${`${escapeLike(filter.action)}%`}` : eq(auditEvents.action, filter.action)) : undefined,
            filter.target ? eq(auditEvents.targetId, filter.target) : undefined,
            page.before ? lt(auditEvents.id, page.before) : undefined,
          ),
        )
        .orderBy(desc(auditEvents.id))
        .limit(page.limit);
    },
  };
}

export type AdminUsers = ReturnType<typeof createAdminUsers>;
