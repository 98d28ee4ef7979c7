import { and, asc, desc, eq, gt, inArray, isNotNull, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type { DbExecutor } from '../store/db.js';
import { memberships, platformKeys, teams, users } from '../store/schema.js';

export type PlatformKeyRow = typeof platformKeys.$inferSelect;

/** What authentication needs to know about a key, joined with its user's and team's state. */
export interface KeyIdentityRow {
  key: PlatformKeyRow;
  userIsAdmin: boolean;
  userDisabled: boolean;
  /** For team keys: whether the key's user is still a member of an enabled team. */
  teamUsable: boolean | null;
}

/** Drizzle queries for platform keys. Management queries are filtered by the owning user. */
export function createPlatformKeysStore(db: DbExecutor) {
  return {
    async insert(row: typeof platformKeys.$inferInsert, tx: DbExecutor = db): Promise<PlatformKeyRow> {
      const [created] = await tx.insert(platformKeys).values(row).returning();
      if (!created) throw new Error('insert returned no row');
      return created;
    },

    async find(userId: string, id: string, tx: DbExecutor = db, options: { forUpdate?: boolean } = {}): Promise<PlatformKeyRow | undefined> {
      const query = tx
        .select()
        .from(platformKeys)
        .where(and(eq(platformKeys.userId, userId), eq(platformKeys.id, id)))
        .limit(1);
      const rows = options.forUpdate ? await query.for('update') : await query;
      return rows[0];
    },

    /** Newest first, keyset-paginated by id. */
    async list(userId: string, options: { limit: number; before?: string }, tx: DbExecutor = db): Promise<PlatformKeyRow[]> {
      return tx
        .select()
        .from(platformKeys)
        .where(and(eq(platformKeys.userId, userId), options.before ? lt(platformKeys.id, options.before) : undefined))
        .orderBy(desc(platformKeys.id))
        .limit(options.limit);
    },

    /**
     * Revoke now unless already revoked (a revocation scheduled by a roll is brought forward);
     * answers the row as it now is, or undefined if not the user's.
     */
    async revoke(userId: string, id: string, tx: DbExecutor = db): Promise<{ row: PlatformKeyRow; changed: boolean } | undefined> {
      const [revoked] = await tx
        .update(platformKeys)
        // Announced in the same breath (the caller publishes key.revoked): the grace sweep skips it.
        .set({ revokedAt: sql`now()`, revokedAnnouncedAt: sql`now()` })
        .where(and(eq(platformKeys.userId, userId), eq(platformKeys.id, id), or(isNull(platformKeys.revokedAt), gt(platformKeys.revokedAt, sql`now()`))))
        .returning();
      if (revoked) return { row: revoked, changed: true };
      const existing = await this.find(userId, id, tx);
      return existing ? { row: existing, changed: false } : undefined;
    },

    /**
     * Sets when the key stops working (now or later: a roll's grace). `announced`: the caller
     * publishes key.revoked now (no grace); otherwise the sweep does when the grace ends.
     */
    async scheduleRevocation(userId: string, id: string, at: Date, announced: boolean, tx: DbExecutor = db): Promise<PlatformKeyRow> {
      const [row] = await tx
        .update(platformKeys)
        .set({ revokedAt: at, revokedAnnouncedAt: announced ? at : null })
        .where(and(eq(platformKeys.userId, userId), eq(platformKeys.id, id)))
        .returning();
      if (!row) throw new Error('the key to revoke vanished inside its transaction');
      return row;
    },

    /**
     * Claims up to `limit` keys whose revocation took effect by `now` and was not announced yet,
     * marking them announced: each row is returned to exactly one caller, however many replicas
     * sweep at once (rows another sweep holds are skipped, and a claimed row no longer matches).
     */
    async claimUnannouncedRevocations(now: Date, limit: number, tx: DbExecutor = db): Promise<Array<Pick<PlatformKeyRow, 'id' | 'userId' | 'teamId'>>> {
      const due = tx
        .select({ id: platformKeys.id })
        .from(platformKeys)
        .where(and(isNotNull(platformKeys.revokedAt), isNull(platformKeys.revokedAnnouncedAt), lte(platformKeys.revokedAt, now)))
        .orderBy(asc(platformKeys.revokedAt))
        .limit(limit)
        .for('update', { skipLocked: true });
      return tx
        .update(platformKeys)
        .set({ revokedAnnouncedAt: now })
        .where(and(inArray(platformKeys.id, due), isNull(platformKeys.revokedAnnouncedAt)))
        .returning({ id: platformKeys.id, userId: platformKeys.userId, teamId: platformKeys.teamId });
    },

    /** The authentication lookup: one indexed query by hash. */
    async findIdentityByHash(keyHash: Buffer, tx: DbExecutor = db): Promise<KeyIdentityRow | undefined> {
      const rows = await tx
        .select({
          key: platformKeys,
          userIsAdmin: users.isAdmin,
          userDisabledAt: users.disabledAt,
          teamDisabledAt: teams.disabledAt,
          teamId: teams.id,
          memberRole: memberships.role,
        })
        .from(platformKeys)
        .innerJoin(users, eq(users.id, platformKeys.userId))
        .leftJoin(teams, eq(teams.id, platformKeys.teamId))
        .leftJoin(memberships, and(eq(memberships.teamId, platformKeys.teamId), eq(memberships.userId, platformKeys.userId)))
        .where(eq(platformKeys.keyHash, keyHash))
        .limit(1);
      const row = rows[0];
      if (!row) return undefined;
      return {
        key: row.key,
        userIsAdmin: row.userIsAdmin,
        userDisabled: row.userDisabledAt !== null,
        teamUsable: row.key.teamId === null ? null : row.teamId !== null && row.teamDisabledAt === null && row.memberRole !== null,
      };
    },

    /** The caller's role in an enabled team, for acting in a team context. */
    async findTeamRole(teamId: string, userId: string, tx: DbExecutor = db): Promise<'owner' | 'admin' | 'member' | undefined> {
      const rows = await tx
        .select({ role: memberships.role })
        .from(memberships)
        .innerJoin(teams, eq(teams.id, memberships.teamId))
        .where(and(eq(memberships.teamId, teamId), eq(memberships.userId, userId), isNull(teams.disabledAt)))
        .limit(1);
      return rows[0]?.role;
    },

    /** Marks first and latest use in one statement; answers the ids used for the first time. */
    async markUsed(uses: Array<{ id: string; at: Date }>, tx: DbExecutor = db): Promise<string[]> {
      if (uses.length === 0) return [];
      const ids = sql.param(uses.map((use) => use.id));
      const times = sql.param(uses.map((use) => use.at.toISOString()));
      // `before` reads the statement's snapshot, so it still holds the values prior to this update.
      const result = await tx.execute<{ id: string; first: boolean }>(sql`
        update platform_keys k set last_used_at = greatest(k.last_used_at, u.at)
        from (select unnest(${ids}::text[]) as id, unnest(${times}::timestamptz[]) as at) u,
             (select id, last_used_at from platform_keys where id = any(${ids}::text[])) before
        where k.id = u.id and before.id = k.id
        returning k.id, before.last_used_at is null as first`);
      return result.rows.filter((row) => row.first).map((row) => row.id);
    },
  };
}

export type PlatformKeysStore = ReturnType<typeof createPlatformKeysStore>;
