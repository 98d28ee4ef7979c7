import { and, eq, isNull, sql } from 'drizzle-orm';
import type { DbExecutor } from '../store/db.js';
import { refreshTokens, sessions, users } from '../store/schema.js';

export type UserRow = typeof users.$inferSelect;
export type SessionRow = typeof sessions.$inferSelect;
export type RefreshTokenRow = typeof refreshTokens.$inferSelect;

export function createAccountsStore(db: DbExecutor) {
  return {
    async insertUser(row: typeof users.$inferInsert, tx: DbExecutor = db): Promise<UserRow | undefined> {
      const [created] = await tx.insert(users).values(row).onConflictDoNothing({ target: users.email }).returning();
      return created;
    },

    async findUserByEmail(email: string, tx: DbExecutor = db): Promise<UserRow | undefined> {
      const rows = await tx.select().from(users).where(eq(users.email, email)).limit(1);
      return rows[0];
    },

    async findUserById(id: string, tx: DbExecutor = db): Promise<UserRow | undefined> {
      const rows = await tx.select().from(users).where(eq(users.id, id)).limit(1);
      return rows[0];
    },

    async updatePasswordHash(userId: string, passwordHash: string, tx: DbExecutor = db): Promise<void> {
      await tx.update(users).set({ passwordHash, updatedAt: sql`now()` }).where(eq(users.id, userId));
    },

    async insertSession(row: typeof sessions.$inferInsert, tx: DbExecutor = db): Promise<void> {
      await tx.insert(sessions).values(row);
    },

    async insertRefreshToken(row: typeof refreshTokens.$inferInsert, tx: DbExecutor = db): Promise<void> {
      await tx.insert(refreshTokens).values(row);
    },

    async findRefreshToken(
      tokenHash: Buffer,
      tx: DbExecutor = db,
    ): Promise<{ token: RefreshTokenRow; session: SessionRow; user: UserRow } | undefined> {
      const rows = await tx
        .select({ token: refreshTokens, session: sessions, user: users })
        .from(refreshTokens)
        .innerJoin(sessions, eq(sessions.id, refreshTokens.sessionId))
        .innerJoin(users, eq(users.id, sessions.userId))
        .where(eq(refreshTokens.tokenHash, tokenHash))
        .limit(1);
      return rows[0];
    },

    /** Atomically spend a token; false when a concurrent request spent it first. */
    async spendRefreshToken(id: string, usedAt: Date, tx: DbExecutor = db): Promise<boolean> {
      const rows = await tx
        .update(refreshTokens)
        .set({ usedAt })
        .where(and(eq(refreshTokens.id, id), isNull(refreshTokens.usedAt)))
        .returning({ id: refreshTokens.id });
      return rows.length === 1;
    },

    async touchSession(sessionId: string, ip: string | null, userAgent: string | null, tx: DbExecutor = db): Promise<void> {
      await tx.update(sessions).set({ lastUsedAt: sql`now()`, ip, userAgent }).where(eq(sessions.id, sessionId));
    },

    async revokeSession(sessionId: string, reason: string, tx: DbExecutor = db): Promise<void> {
      await tx
        .update(sessions)
        .set({ revokedAt: sql`now()`, revokedReason: reason })
        .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)));
    },
  };
}

export type AccountsStore = ReturnType<typeof createAccountsStore>;
