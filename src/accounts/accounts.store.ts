import { and, desc, eq, gt, isNull, ne, sql } from 'drizzle-orm';
import type { DbExecutor } from '../store/db.js';
import { emailTokens, refreshTokens, sessions, users } from '../store/schema.js';

export type UserRow = typeof users.$inferSelect;
export type SessionRow = typeof sessions.$inferSelect;
export type RefreshTokenRow = typeof refreshTokens.$inferSelect;
export type EmailTokenPurpose = (typeof emailTokens.$inferSelect)['purpose'];

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

    /** True when this call revoked the session (false: unknown or already revoked). */
    async revokeSession(sessionId: string, reason: string, tx: DbExecutor = db): Promise<boolean> {
      const rows = await tx
        .update(sessions)
        .set({ revokedAt: sql`now()`, revokedReason: reason })
        .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)))
        .returning({ id: sessions.id });
      return rows.length === 1;
    },

    /** Revoke one of the user's sessions; false when it is not theirs, unknown or already revoked. */
    async revokeUserSession(userId: string, sessionId: string, reason: string, tx: DbExecutor = db): Promise<boolean> {
      const rows = await tx
        .update(sessions)
        .set({ revokedAt: sql`now()`, revokedReason: reason })
        .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId), isNull(sessions.revokedAt)))
        .returning({ id: sessions.id });
      return rows.length === 1;
    },

    /** Revoke every live session of a user (except `keepSessionId`); returns the revoked ids. */
    async revokeUserSessions(userId: string, reason: string, keepSessionId: string | undefined, tx: DbExecutor = db): Promise<string[]> {
      const rows = await tx
        .update(sessions)
        .set({ revokedAt: sql`now()`, revokedReason: reason })
        .where(
          and(
            eq(sessions.userId, userId),
            isNull(sessions.revokedAt),
            keepSessionId === undefined ? undefined : ne(sessions.id, keepSessionId),
          ),
        )
        .returning({ id: sessions.id });
      return rows.map((row) => row.id);
    },

    /** Live sessions of a user, newest first; `beforeId` (the previous page's last id) pages on, ULIDs sorting by creation. */
    async listActiveSessions(userId: string, now: Date, limit: number, beforeId: string | undefined, tx: DbExecutor = db): Promise<SessionRow[]> {
      return tx
        .select()
        .from(sessions)
        .where(
          and(
            eq(sessions.userId, userId),
            isNull(sessions.revokedAt),
            gt(sessions.expiresAt, now),
            beforeId === undefined ? undefined : sql`${sessions.id} < ${beforeId}`,
          ),
        )
        .orderBy(desc(sessions.id))
        .limit(limit);
    },

    /** One primary-key lookup: the session exists, is not revoked or expired, and its user is not disabled. */
    async isSessionActive(sessionId: string, tx: DbExecutor = db): Promise<boolean> {
      const rows = await tx
        .select({ id: sessions.id })
        .from(sessions)
        .innerJoin(users, eq(users.id, sessions.userId))
        .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt), gt(sessions.expiresAt, sql`now()`), isNull(users.disabledAt)))
        .limit(1);
      return rows.length === 1;
    },

    async markEmailVerified(userId: string, at: Date, tx: DbExecutor = db): Promise<void> {
      await tx.update(users).set({ emailVerifiedAt: at, updatedAt: sql`now()` }).where(and(eq(users.id, userId), isNull(users.emailVerifiedAt)));
    },

    /** Store a new mailed token; older unused tokens of the same purpose stop working. */
    async replaceEmailToken(
      row: { id: string; userId: string; purpose: EmailTokenPurpose; tokenHash: Buffer; expiresAt: Date },
      now: Date,
      tx: DbExecutor = db,
    ): Promise<void> {
      await tx
        .update(emailTokens)
        .set({ usedAt: now })
        .where(and(eq(emailTokens.userId, row.userId), eq(emailTokens.purpose, row.purpose), isNull(emailTokens.usedAt)));
      await tx.insert(emailTokens).values(row);
    },

    /**
     * Spend a mailed token atomically: only an unused, unexpired token of this purpose is spent,
     * and only once even under concurrent requests. Returns its user id.
     */
    async spendEmailToken(tokenHash: Buffer, purpose: EmailTokenPurpose, now: Date, tx: DbExecutor = db): Promise<string | undefined> {
      const rows = await tx
        .update(emailTokens)
        .set({ usedAt: now })
        .where(
          and(
            eq(emailTokens.tokenHash, tokenHash),
            eq(emailTokens.purpose, purpose),
            isNull(emailTokens.usedAt),
            gt(emailTokens.expiresAt, now),
          ),
        )
        .returning({ userId: emailTokens.userId });
      return rows[0]?.userId;
    },
  };
}

export type AccountsStore = ReturnType<typeof createAccountsStore>;
