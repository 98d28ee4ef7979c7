/**
 * Platform keys (`sk-sb-…`): how programs call the AI API. A key is 256 random bits, shown once at
 * creation, stored as its SHA-256 only. A key acts for its user, or for one of the user's teams
 * (team scope), and may carry an expiry, a model allow-list, a rate limit and a monthly budget.
 *
 * Revocation publishes on the invalidation bus, so every replica's authentication cache drops the
 * key at once (see http/authenticate.ts).
 *
 * Rolling a key creates its replacement with the same settings and revokes the old key now or
 * after a grace period: `revoked_at` then lies in the future. Authentication compares `revoked_at`
 * with the clock on every request (as it does `expires_at`), so the old key stops on every replica
 * when the grace ends, with no message needed for that. The message is for people: a periodic
 * sweep (`announceEndedGraces`) publishes `key.revoked` once per key when its grace has ended, so
 * other tabs drop the key and event streams opened with it close.
 */
import { randomBytes } from 'node:crypto';
import type { AuditLog } from '../platform/audit.js';
import type { Clock } from '../platform/clock.js';
import { AppError } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import type { InvalidationBus } from '../platform/invalidation.js';
import { and, eq } from 'drizzle-orm';
import type { Database } from '../store/db.js';
import { budgets, type RateLimitSpec } from '../store/schema.js';
import type { PlatformKeyRow, PlatformKeysStore } from './platform-keys.store.js';
import { hashToken } from './tokens.js';

export const PLATFORM_KEY_PREFIX = 'sk-sb-';

export const generatePlatformKey = (): string => `${PLATFORM_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;

export interface CreatePlatformKeyInput {
  name: string;
  team_id?: string | null | undefined;
  expires_at?: string | null | undefined;
  models?: string[] | null | undefined;
  rate_limit?: RateLimitSpec | null | undefined;
  monthly_budget_micros?: number | null | undefined;
}

export interface PlatformKeyView {
  id: string;
  name: string;
  key_last4: string;
  team_id: string | null;
  models: string[] | null;
  rate_limit: RateLimitSpec | null;
  monthly_budget_micros: number | null;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
  created_at: string;
  status: 'active' | 'expired' | 'revoked';
}

export function toPlatformKeyView(row: PlatformKeyRow, now: Date): PlatformKeyView {
  return {
    id: row.id,
    name: row.name,
    key_last4: row.keyLast4,
    team_id: row.teamId,
    models: row.models ?? null,
    rate_limit: row.rateLimit ?? null,
    monthly_budget_micros: row.monthlyBudgetMicros ?? null,
    expires_at: row.expiresAt?.toISOString() ?? null,
    revoked_at: row.revokedAt?.toISOString() ?? null,
    last_used_at: row.lastUsedAt?.toISOString() ?? null,
    created_at: row.createdAt.toISOString(),
    status: isRevoked(row, now) ? 'revoked' : row.expiresAt && row.expiresAt <= now ? 'expired' : 'active',
  };
}

/** Revoked by now (a roll's grace period may still be running: then not yet). */
export const isRevoked = (row: Pick<PlatformKeyRow, 'revokedAt'>, now: Date): boolean => row.revokedAt !== null && row.revokedAt <= now;

/** The longest grace period a roll may give the old key (the web app offers now, 1 h and 24 h). */
export const MAX_ROLL_GRACE_SECONDS = 86_400;

/** `service/model` exactly, or a `service/*` (any prefix ending in `*`) pattern. */
export function isModelAllowed(allowList: readonly string[] | null | undefined, model: string): boolean {
  if (!allowList || allowList.length === 0) return true;
  return allowList.some((pattern) => (pattern.endsWith('*') ? model.startsWith(pattern.slice(0, -1)) : pattern === model));
}

export interface Actor {
  userId: string;
  ip?: string | null;
  userAgent?: string | null;
}

export interface PlatformKeysServiceDeps {
  db: Database;
  store: PlatformKeysStore;
  audit: AuditLog;
  clock: Clock;
  bus: InvalidationBus;
  /** Told of a key revoked now, or whose roll grace ended (the live `key.revoked` event). */
  onRevoked?: (key: { id: string; userId: string; teamId: string | null }) => void;
}

export function createPlatformKeysService(deps: PlatformKeysServiceDeps) {
  const { db, store, audit, clock, bus } = deps;
  const teamNotFound = () => new AppError('not_found', { param: 'team_id', message: 'Team not found.' });

  return {
    /** Create a key; the only time its secret is returned. */
    async createKey(actor: Actor, input: CreatePlatformKeyInput): Promise<PlatformKeyView & { key: string }> {
      const now = clock.now();
      const name = input.name.trim();
      if (name.length === 0) throw new AppError('invalid_request', { param: 'name', message: 'name must not be empty.' });
      let expiresAt: Date | null = null;
      if (input.expires_at) {
        expiresAt = new Date(input.expires_at);
        if (Number.isNaN(expiresAt.getTime()) || expiresAt <= now) {
          throw new AppError('invalid_request', { param: 'expires_at', message: 'expires_at must be a future ISO 8601 time.' });
        }
      }
      const teamId = input.team_id ?? null;
      if (teamId !== null && !(await store.findTeamRole(teamId, actor.userId))) throw teamNotFound();

      const key = generatePlatformKey();
      const row = await db.transaction(async (tx) => {
        const created = await store.insert(
          {
            id: newId(),
            userId: actor.userId,
            teamId,
            name,
            keyHash: hashToken(key),
            keyLast4: key.slice(-4),
            models: input.models && input.models.length > 0 ? input.models : null,
            rateLimit: input.rate_limit ?? null,
            monthlyBudgetMicros: input.monthly_budget_micros ?? null,
            expiresAt,
          },
          tx,
        );
        await audit.record(
          {
            action: 'platform_key.created',
            actorUserId: actor.userId,
            teamId,
            targetKind: 'platform_key',
            targetId: created.id,
            ip: actor.ip ?? null,
            userAgent: actor.userAgent ?? null,
            metadata: { after: settingsOf(created) },
          },
          tx,
        );
        return created;
      });
      return { ...toPlatformKeyView(row, now), key };
    },

    async listKeys(userId: string, page: { limit: number; cursor?: string }) {
      const rows = await store.list(userId, { limit: page.limit + 1, ...(page.cursor ? { before: page.cursor } : {}) });
      const now = clock.now();
      const data = rows.slice(0, page.limit).map((row) => toPlatformKeyView(row, now));
      return { data, next_cursor: rows.length > page.limit ? (data.at(-1)?.id ?? null) : null };
    },

    async getKey(userId: string, id: string): Promise<PlatformKeyView> {
      const row = await store.find(userId, id);
      if (!row) throw new AppError('not_found', { message: 'Platform key not found.' });
      return toPlatformKeyView(row, clock.now());
    },

    /** Revoke a key; idempotent. Takes effect on every replica within a second (bus). */
    async revokeKey(actor: Actor, id: string): Promise<void> {
      const outcome = await db.transaction(async (tx) => {
        const result = await store.revoke(actor.userId, id, tx);
        if (!result) throw new AppError('not_found', { message: 'Platform key not found.' });
        if (result.changed) {
          await audit.record(
            {
              action: 'platform_key.revoked',
              actorUserId: actor.userId,
              teamId: result.row.teamId,
              targetKind: 'platform_key',
              targetId: id,
              ip: actor.ip ?? null,
              userAgent: actor.userAgent ?? null,
            },
            tx,
          );
        }
        return result;
      });
      bus.publish('platform_key', outcome.row.id);
      if (outcome.changed) deps.onRevoked?.(outcome.row);
    },

    /**
     * Replaces a key: a new key with the same name, scope, allowed models, rate limit, budget (its
     * budgets row too: thresholds, hard limit, webhook) and expiry, returned once; the old key is
     * revoked now (`revokeOldInSeconds` 0) or when the grace ends. A revoked or expired key cannot
     * be rolled (409); someone else's is 404. Rolling a key in grace again moves its end no later.
     */
    async rollKey(actor: Actor, id: string, revokeOldInSeconds: number): Promise<PlatformKeyView & { key: string; replaced: PlatformKeyView }> {
      if (!Number.isInteger(revokeOldInSeconds) || revokeOldInSeconds < 0 || revokeOldInSeconds > MAX_ROLL_GRACE_SECONDS) {
        throw new AppError('invalid_request', { param: 'revoke_old_in', message: `revoke_old_in must be a whole number of seconds from 0 to ${MAX_ROLL_GRACE_SECONDS}.` });
      }
      const now = clock.now();
      const key = generatePlatformKey();
      const outcome = await db.transaction(async (tx) => {
        const old = await store.find(actor.userId, id, tx, { forUpdate: true });
        if (!old) throw new AppError('not_found', { message: 'Platform key not found.' });
        if (isRevoked(old, now)) throw new AppError('conflict', { message: 'This key is revoked; create a new key instead.' });
        if (old.expiresAt && old.expiresAt <= now) throw new AppError('conflict', { message: 'This key has expired; create a new key instead.' });
        if (old.teamId !== null && !(await store.findTeamRole(old.teamId, actor.userId, tx))) {
          throw new AppError('conflict', { message: 'You are no longer a member of this key’s team, so it cannot be rolled.' });
        }
        const created = await store.insert(
          {
            id: newId(),
            userId: actor.userId,
            teamId: old.teamId,
            name: old.name,
            keyHash: hashToken(key),
            keyLast4: key.slice(-4),
            models: old.models,
            rateLimit: old.rateLimit,
            monthlyBudgetMicros: old.monthlyBudgetMicros,
            expiresAt: old.expiresAt,
          },
          tx,
        );
        const [budget] = await tx.select().from(budgets).where(and(eq(budgets.scope, 'key'), eq(budgets.scopeId, old.id)));
        if (budget) await tx.insert(budgets).values({ ...budget, id: newId(), scopeId: created.id, createdAt: now, updatedAt: now });
        const revokeAt = new Date(now.getTime() + revokeOldInSeconds * 1000);
        // A grace already running ends no later than it did.
        const revokedAt = old.revokedAt && old.revokedAt < revokeAt ? old.revokedAt : revokeAt;
        const replaced = await store.scheduleRevocation(actor.userId, old.id, revokedAt, revokedAt <= now, tx);
        const context = { actorUserId: actor.userId, teamId: old.teamId, targetKind: 'platform_key', ip: actor.ip ?? null, userAgent: actor.userAgent ?? null } as const;
        await audit.record({ ...context, action: 'platform_key.created', targetId: created.id, metadata: { after: settingsOf(created), rolled_from: old.id } }, tx);
        await audit.record({ ...context, action: 'platform_key.rolled', targetId: old.id, metadata: { replacement_id: created.id, revoke_old_in: revokeOldInSeconds, revoked_at: replaced.revokedAt?.toISOString() ?? null } }, tx);
        return { created, replaced };
      });
      // Every replica reloads the old key, with its new revoked_at; from then on each judges it per request.
      bus.publish('platform_key', outcome.replaced.id);
      if (isRevoked(outcome.replaced, now)) deps.onRevoked?.(outcome.replaced);
      return { ...toPlatformKeyView(outcome.created, now), key, replaced: toPlatformKeyView(outcome.replaced, now) };
    },

    /**
     * Publishes `key.revoked` for each key whose roll grace has ended and that was not announced
     * yet, and `platform_key` on the bus (event streams opened with it end; caches reload it).
     * Every replica runs it; the claim gives each key to exactly one. Answers how many it announced.
     */
    async announceEndedGraces(): Promise<number> {
      let announced = 0;
      for (;;) {
        const rows = await store.claimUnannouncedRevocations(clock.now(), ANNOUNCE_BATCH);
        for (const row of rows) {
          bus.publish('platform_key', row.id);
          deps.onRevoked?.(row);
        }
        announced += rows.length;
        if (rows.length < ANNOUNCE_BATCH) return announced;
      }
    },
  };
}

/** Keys announced per claim: a batch stays one short statement however many graces ended at once. */
const ANNOUNCE_BATCH = 100;

/** The non-secret settings of a key, for audit before/after. */
const settingsOf = (row: PlatformKeyRow) => ({
  name: row.name,
  team_id: row.teamId,
  models: row.models ?? null,
  rate_limit: row.rateLimit ?? null,
  monthly_budget_micros: row.monthlyBudgetMicros ?? null,
  expires_at: row.expiresAt?.toISOString() ?? null,
});

export type PlatformKeysService = ReturnType<typeof createPlatformKeysService>;
