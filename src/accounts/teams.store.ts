import { and, asc, desc, eq, gt, isNull, lt, sql } from 'drizzle-orm';
import type { DbExecutor } from '../store/db.js';
import { memberships, sessions, teamInvitations, teams, usageHourly, users } from '../store/schema.js';

export type TeamRow = typeof teams.$inferSelect;
export type MembershipRow = typeof memberships.$inferSelect;
export type InvitationRow = typeof teamInvitations.$inferSelect;
export type TeamRole = MembershipRow['role'];

/**
 * What the Teams table shows beside the team, as correlated subqueries of the same statement (no
 * per-row follow-up queries): the member count and the team's settled spend since `monthStart`
 * (the budget period, a UTC calendar month) from the usage rollups.
 */
const teamSummary = (monthStart: Date) => ({
  team: teams,
  role: memberships.role,
  memberCount: sql<number>`(select count(*)::int from ${memberships} m where m.team_id = ${teams.id})`.mapWith(Number),
  monthSpendMicros: sql<number>`(select coalesce(sum(h.cost_micros), 0)::bigint from ${usageHourly} h where h.team_id = ${teams.id} and h.bucket_start >= ${monthStart.toISOString()}::timestamptz)`.mapWith(Number),
});

/** Drizzle queries for teams, memberships and invitations. Every member query is filtered by team. */
export function createTeamsStore(db: DbExecutor) {
  return {
    async insertTeam(row: typeof teams.$inferInsert, tx: DbExecutor = db): Promise<TeamRow> {
      const [created] = await tx.insert(teams).values(row).returning();
      if (!created) throw new Error('insert returned no row');
      return created;
    },

    async findTeam(teamId: string, tx: DbExecutor = db): Promise<TeamRow | undefined> {
      const rows = await tx.select().from(teams).where(eq(teams.id, teamId)).limit(1);
      return rows[0];
    },

    async updateTeam(teamId: string, patch: Partial<Pick<TeamRow, 'name' | 'disabledAt'>>, tx: DbExecutor = db): Promise<TeamRow | undefined> {
      const [row] = await tx.update(teams).set({ ...patch, updatedAt: sql`now()` }).where(eq(teams.id, teamId)).returning();
      return row;
    },

    async deleteTeam(teamId: string, tx: DbExecutor = db): Promise<void> {
      await tx.delete(teams).where(eq(teams.id, teamId));
    },

    /** The caller's role in a team, with the team; undefined when not a member. */
    async findMembership(teamId: string, userId: string, tx: DbExecutor = db): Promise<{ team: TeamRow; role: TeamRole } | undefined> {
      const rows = await tx
        .select({ team: teams, role: memberships.role })
        .from(memberships)
        .innerJoin(teams, eq(teams.id, memberships.teamId))
        .where(and(eq(memberships.teamId, teamId), eq(memberships.userId, userId)))
        .limit(1);
      return rows[0];
    },

    /** Teams a user belongs to with member count and month spend, newest first, keyset-paginated by team id. */
    async listTeamsOf(userId: string, options: { limit: number; before?: string; monthStart: Date }, tx: DbExecutor = db) {
      return tx
        .select(teamSummary(options.monthStart))
        .from(memberships)
        .innerJoin(teams, eq(teams.id, memberships.teamId))
        .where(and(eq(memberships.userId, userId), options.before ? lt(teams.id, options.before) : undefined))
        .orderBy(desc(teams.id))
        .limit(options.limit);
    },

    /** One team of the user's, with the same summary as the list; undefined when not a member. */
    async findTeamSummary(teamId: string, userId: string, monthStart: Date, tx: DbExecutor = db) {
      const rows = await tx
        .select(teamSummary(monthStart))
        .from(memberships)
        .innerJoin(teams, eq(teams.id, memberships.teamId))
        .where(and(eq(memberships.teamId, teamId), eq(memberships.userId, userId)))
        .limit(1);
      return rows[0];
    },

    /** Members ordered by user id (stable under paging), keyset-paginated; last active = their latest session use. */
    async listMembers(teamId: string, options: { limit: number; after?: string }, tx: DbExecutor = db) {
      return tx
        .select({
          userId: memberships.userId,
          email: users.email,
          role: memberships.role,
          createdAt: memberships.createdAt,
          lastActiveAt: sql<string | null>`(select to_char(max(s.last_used_at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') from ${sessions} s where s.user_id = ${memberships.userId})`,
        })
        .from(memberships)
        .innerJoin(users, eq(users.id, memberships.userId))
        .where(and(eq(memberships.teamId, teamId), options.after ? gt(memberships.userId, options.after) : undefined))
        .orderBy(asc(memberships.userId))
        .limit(options.limit);
    },

    async findMember(teamId: string, userId: string, tx: DbExecutor = db) {
      const rows = await tx
        .select({ userId: memberships.userId, email: users.email, role: memberships.role, createdAt: memberships.createdAt })
        .from(memberships)
        .innerJoin(users, eq(users.id, memberships.userId))
        .where(and(eq(memberships.teamId, teamId), eq(memberships.userId, userId)))
        .limit(1);
      return rows[0];
    },

    async isMemberByEmail(teamId: string, email: string, tx: DbExecutor = db): Promise<boolean> {
      const rows = await tx
        .select({ userId: memberships.userId })
        .from(memberships)
        .innerJoin(users, eq(users.id, memberships.userId))
        .where(and(eq(memberships.teamId, teamId), eq(users.email, email)))
        .limit(1);
      return rows.length === 1;
    },

    /** The role of an enabled user in an enabled team: what serving a team's keys requires. */
    async findActiveRole(teamId: string, userId: string, tx: DbExecutor = db): Promise<TeamRole | undefined> {
      const rows = await tx
        .select({ role: memberships.role })
        .from(memberships)
        .innerJoin(teams, eq(teams.id, memberships.teamId))
        .innerJoin(users, eq(users.id, memberships.userId))
        .where(and(eq(memberships.teamId, teamId), eq(memberships.userId, userId), isNull(teams.disabledAt), isNull(users.disabledAt)))
        .limit(1);
      return rows[0]?.role;
    },

    async memberIds(teamId: string, tx: DbExecutor = db): Promise<string[]> {
      const rows = await tx.select({ userId: memberships.userId }).from(memberships).where(eq(memberships.teamId, teamId));
      return rows.map((row) => row.userId);
    },

    async insertMembership(row: typeof memberships.$inferInsert, tx: DbExecutor = db): Promise<boolean> {
      const rows = await tx.insert(memberships).values(row).onConflictDoNothing().returning({ userId: memberships.userId });
      return rows.length === 1;
    },

    async setRole(teamId: string, userId: string, role: TeamRole, tx: DbExecutor = db): Promise<void> {
      await tx.update(memberships).set({ role }).where(and(eq(memberships.teamId, teamId), eq(memberships.userId, userId)));
    },

    async removeMembership(teamId: string, userId: string, tx: DbExecutor = db): Promise<void> {
      await tx.delete(memberships).where(and(eq(memberships.teamId, teamId), eq(memberships.userId, userId)));
    },

    /**
     * Owners of a team, locked for the rest of the transaction: two owners leaving at once must
     * not both see the other as the remaining owner.
     */
    async lockOwners(teamId: string, tx: DbExecutor): Promise<string[]> {
      const rows = await tx
        .select({ userId: memberships.userId })
        .from(memberships)
        .where(and(eq(memberships.teamId, teamId), eq(memberships.role, 'owner')))
        .for('update');
      return rows.map((row) => row.userId);
    },

    async insertInvitation(row: typeof teamInvitations.$inferInsert, tx: DbExecutor = db): Promise<InvitationRow> {
      const [created] = await tx.insert(teamInvitations).values(row).returning();
      if (!created) throw new Error('insert returned no row');
      return created;
    },

    /** Pending invitations (neither accepted nor revoked), newest first. */
    async listInvitations(teamId: string, options: { limit: number; before?: string }, tx: DbExecutor = db) {
      return tx
        .select()
        .from(teamInvitations)
        .where(
          and(
            eq(teamInvitations.teamId, teamId),
            isNull(teamInvitations.acceptedAt),
            isNull(teamInvitations.revokedAt),
            options.before ? lt(teamInvitations.id, options.before) : undefined,
          ),
        )
        .orderBy(desc(teamInvitations.id))
        .limit(options.limit);
    },

    async revokeInvitation(teamId: string, id: string, tx: DbExecutor = db): Promise<InvitationRow | undefined> {
      const [row] = await tx
        .update(teamInvitations)
        .set({ revokedAt: sql`now()` })
        .where(
          and(eq(teamInvitations.teamId, teamId), eq(teamInvitations.id, id), isNull(teamInvitations.acceptedAt), isNull(teamInvitations.revokedAt)),
        )
        .returning();
      return row;
    },

    /** A pending invitation gets a new token and expiry (resend); undefined when not pending. */
    async renewInvitation(teamId: string, id: string, patch: { tokenHash: Buffer; expiresAt: Date }, tx: DbExecutor = db): Promise<InvitationRow | undefined> {
      const [row] = await tx
        .update(teamInvitations)
        .set(patch)
        .where(
          and(eq(teamInvitations.teamId, teamId), eq(teamInvitations.id, id), isNull(teamInvitations.acceptedAt), isNull(teamInvitations.revokedAt)),
        )
        .returning();
      return row;
    },

    /** The invitee declines: the invitation is spent as revoked; false when it was no longer pending. */
    async declineInvitation(id: string, tx: DbExecutor = db): Promise<boolean> {
      const rows = await tx
        .update(teamInvitations)
        .set({ revokedAt: sql`now()` })
        .where(and(eq(teamInvitations.id, id), isNull(teamInvitations.acceptedAt), isNull(teamInvitations.revokedAt)))
        .returning({ id: teamInvitations.id });
      return rows.length === 1;
    },

    async findInvitationByHash(tokenHash: Buffer, tx: DbExecutor = db): Promise<InvitationRow | undefined> {
      const rows = await tx.select().from(teamInvitations).where(eq(teamInvitations.tokenHash, tokenHash)).limit(1);
      return rows[0];
    },

    /** Atomically spend an invitation; false when it was already used or revoked. */
    async spendInvitation(id: string, tx: DbExecutor = db): Promise<boolean> {
      const rows = await tx
        .update(teamInvitations)
        .set({ acceptedAt: sql`now()` })
        .where(and(eq(teamInvitations.id, id), isNull(teamInvitations.acceptedAt), isNull(teamInvitations.revokedAt)))
        .returning({ id: teamInvitations.id });
      return rows.length === 1;
    },
  };
}

export type TeamsStore = ReturnType<typeof createTeamsStore>;
