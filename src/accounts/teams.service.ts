/**
 * Teams: membership, roles and invitations. A team always keeps at least one owner; every
 * membership change is audited (before/after role) and published on the `membership` topic so
 * caches keyed by team + user (team platform keys, team secrets) drop it on every replica.
 *
 * Roles rank owner > admin > member. Owners manage everyone; admins manage members only. A caller
 * who is not a member gets 404 for the team and everything under it; a member who lacks the role
 * gets 403, since they can already see the team.
 */
import { randomBytes } from 'node:crypto';
import type { AuditLog } from '../platform/audit.js';
import type { Clock } from '../platform/clock.js';
import { AppError } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import type { InvalidationBus } from '../platform/invalidation.js';
import type { Mailer } from '../platform/mailer.js';
import type { Database } from '../store/db.js';
import { normaliseEmail } from './accounts.service.js';
import type { AccountsStore } from './accounts.store.js';
import type { InvitationRow, TeamRole, TeamRow, TeamsStore } from './teams.store.js';
import { hashToken } from './tokens.js';

export type { TeamRole } from './teams.store.js';

export const INVITATION_TTL_MS = 7 * 24 * 3600 * 1000;
const rank: Record<TeamRole, number> = { member: 1, admin: 2, owner: 3 };

export interface TeamView {
  id: string;
  name: string;
  role: TeamRole;
  disabled: boolean;
  created_at: string;
  updated_at: string;
}

/** A team in the Teams table: the team plus its member count and this month's (UTC) settled spend. */
export interface TeamSummaryView extends TeamView {
  member_count: number;
  month_spend_micros: number;
}

export interface MemberView {
  user_id: string;
  email: string;
  role: TeamRole;
  joined_at: string;
  /** The member's latest session use (list only); null when never signed in. */
  last_active_at?: string | null;
}

/** What an invitation link shows before it is accepted: only to the user it was mailed to. */
export interface InvitationPreview {
  team_id: string;
  team_name: string;
  role: TeamRole;
  email: string;
  expires_at: string;
}

export interface InvitationView {
  id: string;
  team_id: string;
  email: string;
  role: TeamRole;
  invited_by: string | null;
  created_at: string;
  expires_at: string;
}

const toTeamView = (team: TeamRow, role: TeamRole): TeamView => ({
  id: team.id,
  name: team.name,
  role,
  disabled: team.disabledAt !== null,
  created_at: team.createdAt.toISOString(),
  updated_at: team.updatedAt.toISOString(),
});

const toInvitationView = (row: InvitationRow): InvitationView => ({
  id: row.id,
  team_id: row.teamId,
  email: row.email,
  role: row.role,
  invited_by: row.invitedBy,
  created_at: row.createdAt.toISOString(),
  expires_at: row.expiresAt.toISOString(),
});

const toSummaryView = (row: { team: TeamRow; role: TeamRole; memberCount: number; monthSpendMicros: number }): TeamSummaryView => ({
  ...toTeamView(row.team, row.role),
  member_count: row.memberCount,
  month_spend_micros: row.monthSpendMicros,
});

/** The first instant of the current budget period (calendar month, UTC). */
const monthStartOf = (now: Date) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));

export interface Actor {
  userId: string;
  ip?: string | null;
  userAgent?: string | null;
}

export interface TeamsServiceDeps {
  db: Database;
  store: TeamsStore;
  accounts: Pick<AccountsStore, 'findUserById'>;
  audit: AuditLog;
  bus: Pick<InvalidationBus, 'publish'>;
  mailer: Pick<Mailer, 'send'>;
  clock: Clock;
  publicUrl: string;
}

type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];

const teamNotFound = (): never => {
  throw new AppError('not_found', { message: 'Team not found.' });
};

export function createTeamsService(deps: TeamsServiceDeps) {
  const { db, store, audit, bus } = deps;

  /** The caller's membership, or 404 whether the team is unknown or just not theirs. */
  async function membershipOf(teamId: string, userId: string, tx?: Tx) {
    return (await store.findMembership(teamId, userId, tx)) ?? teamNotFound();
  }

  async function requireRole(teamId: string, userId: string, minimum: TeamRole, tx?: Tx) {
    const membership = await membershipOf(teamId, userId, tx);
    if (rank[membership.role] < rank[minimum]) {
      throw new AppError('forbidden', { message: `This needs the ${minimum} role in the team.` });
    }
    return membership;
  }

  /** Owners manage every role; admins only members. */
  function checkCanManage(actorRole: TeamRole, role: TeamRole) {
    const allowed = actorRole === 'owner' || (actorRole === 'admin' && role === 'member');
    if (!allowed) throw new AppError('forbidden', { message: `A team ${actorRole} cannot manage the ${role} role.` });
  }

  const record = (action: string, actor: Actor, teamId: string, target: { kind: string; id: string }, tx: Tx, metadata?: Record<string, unknown>) =>
    audit.record(
      {
        action,
        actorUserId: actor.userId,
        teamId,
        targetKind: target.kind,
        targetId: target.id,
        ip: actor.ip ?? null,
        userAgent: actor.userAgent ?? null,
        ...(metadata ? { metadata } : {}),
      },
      tx,
    );

  /** A mail that is part of a change: if it cannot be sent, the change rolls back with a clear 503. */
  async function sendOrUndo(message: Parameters<Mailer['send']>[0]) {
    try {
      await deps.mailer.send(message);
    } catch (error) {
      throw new AppError('mail_unavailable', { cause: error });
    }
  }

  const invitationNotFound = (): never => {
    throw new AppError('not_found', { message: 'Invitation not found, expired or already used.' });
  };

  /** A pending, unexpired invitation mailed to this user's address; else the one 404. */
  async function usableInvitation(userId: string, token: string, tx?: Tx) {
    const invitation = await store.findInvitationByHash(hashToken(token), tx);
    const user = await deps.accounts.findUserById(userId, tx);
    if (!invitation || !user || invitation.email !== user.email || invitation.expiresAt <= deps.clock.now()) return invitationNotFound();
    if (invitation.acceptedAt !== null || invitation.revokedAt !== null) return invitationNotFound();
    return invitation;
  }

  const membershipChanged = (teamId: string, userId: string) => bus.publish('membership', `${teamId}:${userId}`);

  return {
    /**
     * The user's role in the team, or undefined when they are not a member, the team is disabled
     * or the user is: what the gateway's key resolution checks.
     */
    roleOf(teamId: string, userId: string): Promise<TeamRole | undefined> {
      return store.findActiveRole(teamId, userId);
    },

    /** 404 unless a member, 403 unless at least `minimum`. For modules that hang routes under a team. */
    async requireTeamRole(teamId: string, userId: string, minimum: TeamRole): Promise<TeamRole> {
      return (await requireRole(teamId, userId, minimum)).role;
    },

    async createTeam(actor: Actor, input: { name: string }): Promise<TeamView> {
      const name = requireName(input.name);
      const team = await db.transaction(async (tx) => {
        const created = await store.insertTeam({ id: newId(), name, createdBy: actor.userId }, tx);
        await store.insertMembership({ teamId: created.id, userId: actor.userId, role: 'owner' }, tx);
        await record('team.created', actor, created.id, { kind: 'team', id: created.id }, tx, { after: { name } });
        await record('membership.added', actor, created.id, { kind: 'membership', id: actor.userId }, tx, { after: { role: 'owner' } });
        return created;
      });
      membershipChanged(team.id, actor.userId);
      return toTeamView(team, 'owner');
    },

    async listTeams(userId: string, page: { limit: number; cursor?: string }) {
      const monthStart = monthStartOf(deps.clock.now());
      const rows = await store.listTeamsOf(userId, { limit: page.limit + 1, monthStart, ...(page.cursor ? { before: page.cursor } : {}) });
      const data = rows.slice(0, page.limit).map(toSummaryView);
      return { data, next_cursor: rows.length > page.limit ? (data.at(-1)?.id ?? null) : null };
    },

    async getTeam(userId: string, teamId: string): Promise<TeamSummaryView> {
      const row = (await store.findTeamSummary(teamId, userId, monthStartOf(deps.clock.now()))) ?? teamNotFound();
      return toSummaryView(row);
    },

    async renameTeam(actor: Actor, teamId: string, input: { name: string }): Promise<TeamView> {
      const name = requireName(input.name);
      return db.transaction(async (tx) => {
        const { team, role } = await requireRole(teamId, actor.userId, 'admin', tx);
        const updated = (await store.updateTeam(teamId, { name }, tx)) ?? teamNotFound();
        await record('team.updated', actor, teamId, { kind: 'team', id: teamId }, tx, { before: { name: team.name }, after: { name } });
        return toTeamView(updated, role);
      });
    },

    async deleteTeam(actor: Actor, teamId: string): Promise<void> {
      const members = await db.transaction(async (tx) => {
        const { team } = await requireRole(teamId, actor.userId, 'owner', tx);
        const ids = await store.memberIds(teamId, tx);
        await store.deleteTeam(teamId, tx);
        await record('team.deleted', actor, teamId, { kind: 'team', id: teamId }, tx, { before: { name: team.name, members: ids.length } });
        return ids;
      });
      for (const userId of members) membershipChanged(teamId, userId);
      bus.publish('team', teamId);
    },

    async listMembers(userId: string, teamId: string, page: { limit: number; cursor?: string }) {
      await membershipOf(teamId, userId);
      const rows = await store.listMembers(teamId, { limit: page.limit + 1, ...(page.cursor ? { after: page.cursor } : {}) });
      const data: MemberView[] = rows.slice(0, page.limit).map((row) => ({
        user_id: row.userId,
        email: row.email,
        role: row.role,
        joined_at: row.createdAt.toISOString(),
        last_active_at: row.lastActiveAt,
      }));
      return { data, next_cursor: rows.length > page.limit ? (data.at(-1)?.user_id ?? null) : null };
    },

    async changeRole(actor: Actor, teamId: string, userId: string, role: TeamRole): Promise<MemberView> {
      const view = await db.transaction(async (tx) => {
        const me = await requireRole(teamId, actor.userId, 'admin', tx);
        const owners = await store.lockOwners(teamId, tx);
        const target = await store.findMembership(teamId, userId, tx);
        if (!target) throw new AppError('not_found', { message: 'Member not found.' });
        checkCanManage(me.role, target.role);
        checkCanManage(me.role, role);
        if (target.role === 'owner' && role !== 'owner' && owners.length === 1) {
          throw new AppError('last_owner', { message: 'The last owner cannot be demoted; make another member owner first.' });
        }
        if (target.role !== role) {
          await store.setRole(teamId, userId, role, tx);
          await record('membership.role_changed', actor, teamId, { kind: 'membership', id: userId }, tx, {
            before: { role: target.role },
            after: { role },
          });
        }
        const member = await store.findMember(teamId, userId, tx);
        if (!member) throw new Error('member vanished during role change');
        return { user_id: member.userId, email: member.email, role: member.role, joined_at: member.createdAt.toISOString() };
      });
      membershipChanged(teamId, userId);
      return view;
    },

    /** Remove a member, or leave when `userId` is the caller. The last owner can do neither. */
    async removeMember(actor: Actor, teamId: string, userId: string): Promise<void> {
      await db.transaction(async (tx) => {
        const me = await membershipOf(teamId, actor.userId, tx);
        const owners = await store.lockOwners(teamId, tx);
        const leaving = userId === actor.userId;
        const target = leaving ? me : await store.findMembership(teamId, userId, tx);
        if (!leaving) {
          if (rank[me.role] < rank.admin) throw new AppError('forbidden', { message: 'This needs the admin role in the team.' });
          if (!target) throw new AppError('not_found', { message: 'Member not found.' });
          checkCanManage(me.role, target.role);
        }
        if (target?.role === 'owner' && owners.length === 1) {
          throw new AppError('last_owner', {
            message: leaving
              ? 'You are the last owner: make another member owner (or delete the team) before leaving.'
              : 'The last owner cannot be removed.',
          });
        }
        await store.removeMembership(teamId, userId, tx);
        await record(leaving ? 'membership.left' : 'membership.removed', actor, teamId, { kind: 'membership', id: userId }, tx, {
          before: { role: target?.role },
        });
      });
      membershipChanged(teamId, userId);
    },

    async invite(actor: Actor, teamId: string, input: { email: string; role: TeamRole }): Promise<InvitationView> {
      const email = normaliseEmail(input.email);
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || email.length > 320) {
        throw new AppError('invalid_request', { param: 'email', message: 'email must be a valid address.' });
      }
      const token = `sbinv_${randomBytes(32).toString('base64url')}`;
      const now = deps.clock.now();
      return db.transaction(async (tx) => {
        const me = await requireRole(teamId, actor.userId, 'admin', tx);
        checkCanManage(me.role, input.role);
        if (await store.isMemberByEmail(teamId, email, tx)) {
          throw new AppError('conflict', { param: 'email', message: 'This address already belongs to a member of the team.' });
        }
        const row = await store.insertInvitation(
          {
            id: newId(),
            teamId,
            email,
            role: input.role,
            tokenHash: hashToken(token),
            invitedBy: actor.userId,
            createdAt: now,
            expiresAt: new Date(now.getTime() + INVITATION_TTL_MS),
          },
          tx,
        );
        await record('invitation.created', actor, teamId, { kind: 'invitation', id: row.id }, tx, { after: { email, role: input.role } });
        // Mailed inside the transaction: an invitation nobody was told about is not kept.
        await sendOrUndo({
          to: email,
          subject: `You are invited to join ${me.team.name} on Switchboard`,
          text:
            `You have been invited to join the team "${me.team.name}" on Switchboard as ${input.role}.\n\n` +
            `Log in with this address and open this link within 7 days to accept:\n` +
            `${deps.publicUrl}/invitations/accept?token=${token}\n`,
        });
        return toInvitationView(row);
      });
    },

    /** Mail a pending invitation again with a fresh token (the old link stops working) and a new 7-day expiry. */
    async resendInvitation(actor: Actor, teamId: string, invitationId: string): Promise<InvitationView> {
      const token = `sbinv_${randomBytes(32).toString('base64url')}`;
      const now = deps.clock.now();
      return db.transaction(async (tx) => {
        const me = await requireRole(teamId, actor.userId, 'admin', tx);
        const row = await store.renewInvitation(teamId, invitationId, { tokenHash: hashToken(token), expiresAt: new Date(now.getTime() + INVITATION_TTL_MS) }, tx);
        if (!row) throw new AppError('not_found', { message: 'Invitation not found.' });
        checkCanManage(me.role, row.role);
        await record('invitation.resent', actor, teamId, { kind: 'invitation', id: row.id }, tx, { after: { email: row.email, role: row.role } });
        await sendOrUndo({
          to: row.email,
          subject: `You are invited to join ${me.team.name} on Switchboard`,
          text:
            `You have been invited to join the team "${me.team.name}" on Switchboard as ${row.role}.\n\n` +
            `Log in with this address and open this link within 7 days to accept:\n` +
            `${deps.publicUrl}/invitations/accept?token=${token}\n`,
        });
        return toInvitationView(row);
      });
    },

    /**
     * The team and role an invitation offers, for the page behind the mailed link. The same rules
     * and the same 404 as accepting: only the invited, logged-in user learns anything.
     */
    async previewInvitation(userId: string, token: string): Promise<InvitationPreview> {
      const invitation = await usableInvitation(userId, token);
      const team = (await store.findTeam(invitation.teamId)) ?? invitationNotFound();
      return { team_id: team.id, team_name: team.name, role: invitation.role, email: invitation.email, expires_at: invitation.expiresAt.toISOString() };
    },

    /** The invited user says no: the invitation is spent (revoked) and audited. */
    async declineInvitation(actor: Actor, token: string): Promise<void> {
      await db.transaction(async (tx) => {
        const invitation = await usableInvitation(actor.userId, token, tx);
        if (!(await store.declineInvitation(invitation.id, tx))) invitationNotFound();
        await record('invitation.declined', actor, invitation.teamId, { kind: 'invitation', id: invitation.id }, tx, { before: { email: invitation.email, role: invitation.role } });
      });
    },

    async listInvitations(userId: string, teamId: string, page: { limit: number; cursor?: string }) {
      await requireRole(teamId, userId, 'admin');
      const rows = await store.listInvitations(teamId, { limit: page.limit + 1, ...(page.cursor ? { before: page.cursor } : {}) });
      const data = rows.slice(0, page.limit).map(toInvitationView);
      return { data, next_cursor: rows.length > page.limit ? (data.at(-1)?.id ?? null) : null };
    },

    async revokeInvitation(actor: Actor, teamId: string, invitationId: string): Promise<void> {
      await db.transaction(async (tx) => {
        await requireRole(teamId, actor.userId, 'admin', tx);
        const row = await store.revokeInvitation(teamId, invitationId, tx);
        if (!row) throw new AppError('not_found', { message: 'Invitation not found.' });
        await record('invitation.revoked', actor, teamId, { kind: 'invitation', id: row.id }, tx, { before: { email: row.email, role: row.role } });
      });
    },

    /**
     * Join the invitation's team with its role. Only the user the invitation was mailed to can
     * use it, once, before it expires; every other case answers the same 404, so a token seen by
     * the wrong person reveals nothing.
     */
    async acceptInvitation(actor: Actor, token: string): Promise<TeamView> {
      const invalid = () => new AppError('not_found', { message: 'Invitation not found, expired or already used.' });
      const view = await db.transaction(async (tx) => {
        const invitation = await store.findInvitationByHash(hashToken(token), tx);
        const user = await deps.accounts.findUserById(actor.userId, tx);
        if (!invitation || !user || invitation.email !== user.email || invitation.expiresAt <= deps.clock.now()) throw invalid();
        if (!(await store.spendInvitation(invitation.id, tx))) throw invalid();
        const team = await store.findTeam(invitation.teamId, tx);
        if (!team) throw invalid();
        const joined = await store.insertMembership({ teamId: team.id, userId: user.id, role: invitation.role }, tx);
        if (joined) {
          await record('membership.added', actor, team.id, { kind: 'membership', id: user.id }, tx, {
            invitation_id: invitation.id,
            after: { role: invitation.role },
          });
          return toTeamView(team, invitation.role);
        }
        // Already a member: the invitation is spent, the existing role stays.
        const existing = await membershipOf(team.id, user.id, tx);
        return toTeamView(team, existing.role);
      });
      membershipChanged(view.id, actor.userId);
      return view;
    },
  };
}

function requireName(raw: string): string {
  const name = raw.trim();
  if (name.length === 0) throw new AppError('invalid_request', { param: 'name', message: 'name must not be empty.' });
  return name;
}

export type TeamsService = ReturnType<typeof createTeamsService>;
