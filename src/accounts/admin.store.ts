import { and, count, desc, eq, gte, ilike, isNull, lt, sql, type SQL } from 'drizzle-orm';
import type { DbExecutor } from '../store/db.js';
import { memberships, sessions, teams, usageRecords, users } from '../store/schema.js';

/** Platform-wide queries for admins. Nothing here selects key material of any kind. */
export function createAdminStore(db: DbExecutor) {
  return {
    /** Newest first, optionally by a case-insensitive email fragment. */
    async listUsers(options: { limit: number; before?: string; email?: string; condition?: SQL | undefined }, tx: DbExecutor = db) {
      const fragment = options.email?.toLowerCase().replace(/[\\%_]/g, (ch) => `\\${ch}`);
      return tx
        .select({
          id: users.id,
          email: users.email,
          isAdmin: users.isAdmin,
          emailVerifiedAt: users.emailVerifiedAt,
          disabledAt: users.disabledAt,
          createdAt: users.createdAt,
        })
        .from(users)
        .where(and(options.before ? lt(users.id, options.before) : undefined, fragment ? ilike(users.email, `%${fragment}%`) : undefined, options.condition))
        .orderBy(desc(users.id))
        .limit(options.limit);
    },

    /** Checked per admin request: a token minted before a demotion or disablement stops here. */
    async isActiveAdmin(id: string, tx: DbExecutor = db): Promise<boolean> {
      const rows = await tx
        .select({ id: users.id })
        .from(users)
        .where(and(eq(users.id, id), eq(users.isAdmin, true), isNull(users.disabledAt)))
        .limit(1);
      return rows.length === 1;
    },

    async findUser(id: string, tx: DbExecutor = db) {
      const rows = await tx.select({ id: users.id, disabledAt: users.disabledAt }).from(users).where(eq(users.id, id)).limit(1);
      return rows[0];
    },

    async setUserDisabled(id: string, disabledAt: Date | null, tx: DbExecutor = db): Promise<void> {
      await tx.update(users).set({ disabledAt, updatedAt: sql`now()` }).where(eq(users.id, id));
    },

    /** Ends every live session of a user, so no refresh token of theirs works again. */
    async revokeSessionsOf(userId: string, reason: string, tx: DbExecutor = db): Promise<number> {
      const rows = await tx
        .update(sessions)
        .set({ revokedAt: sql`now()`, revokedReason: reason })
        .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt)))
        .returning({ id: sessions.id });
      return rows.length;
    },

    /** Newest first, with member counts. */
    async listTeams(options: { limit: number; before?: string; name?: string }, tx: DbExecutor = db) {
      return tx
        .select({ team: teams, memberCount: count(memberships.userId) })
        .from(teams)
        .leftJoin(memberships, eq(memberships.teamId, teams.id))
        .where(and(options.before ? lt(teams.id, options.before) : undefined, options.name ? ilike(teams.name, `%${options.name.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`) : undefined))
        .groupBy(teams.id)
        .orderBy(desc(teams.id))
        .limit(options.limit);
    },

    async findTeam(id: string, tx: DbExecutor = db) {
      const rows = await tx.select({ id: teams.id, name: teams.name, disabledAt: teams.disabledAt }).from(teams).where(eq(teams.id, id)).limit(1);
      return rows[0];
    },

    async setTeamDisabled(id: string, disabledAt: Date | null, tx: DbExecutor = db): Promise<void> {
      await tx.update(teams).set({ disabledAt, updatedAt: sql`now()` }).where(eq(teams.id, id));
    },

    /** Totals per UTC day and service over [from, to). Unknown token counts add nothing (not zero). */
    async usageTotals(range: { from: Date; to: Date }, tx: DbExecutor = db) {
      const day = sql<string>`to_char(date_trunc('day', ${usageRecords.createdAt} at time zone 'UTC'), 'YYYY-MM-DD')`;
      return tx
        .select({
          day,
          service: usageRecords.service,
          requests: sql<string>`count(*)`,
          inputTokens: sql<string | null>`sum(${usageRecords.inputTokens})`,
          outputTokens: sql<string | null>`sum(${usageRecords.outputTokens})`,
          costMicros: sql<string | null>`sum(${usageRecords.costMicros})`,
        })
        .from(usageRecords)
        .where(and(gte(usageRecords.createdAt, range.from), lt(usageRecords.createdAt, range.to)))
        .groupBy(day, usageRecords.service)
        .orderBy(day, usageRecords.service);
    },
  };
}

export type AdminStore = ReturnType<typeof createAdminStore>;
