/**
 * Who is calling, answered from memory on the hot path.
 *
 * - Access tokens: signature and expiry are checked locally (tokens.ts); the token's session is
 *   looked up once and then cached, so a revoked session or a disabled user stops working as soon
 *   as the `session`/`user` invalidation arrives, not when the token expires.
 * - Platform keys (`sk-sb-…`): looked up by SHA-256 once, then cached with their user's and team's
 *   standing. Unknown keys are cached briefly too, so a flood of bad keys cannot become a flood
 *   of queries (per-IP limits bound it as well).
 * - Team context: a member's role in a team, cached.
 *
 * Every cache has a TTL as a backstop and is dropped on the matching bus topic, so a change made
 * on one replica takes effect on all of them within the pub/sub delay.
 */
import { LRUCache } from 'lru-cache';
import type { Principal } from '../http/context.js';
import type { Clock } from '../platform/clock.js';
import type { InvalidationBus } from '../platform/invalidation.js';
import { isRevoked, PLATFORM_KEY_PREFIX } from './platform-keys.service.js';
import type { AccountsStore } from './accounts.store.js';
import type { KeyIdentityRow, PlatformKeysStore } from './platform-keys.store.js';
import { hashToken, type AccessTokens } from './tokens.js';

export type TeamRole = 'owner' | 'admin' | 'member';

export interface Authenticator {
  /** The principal behind a credential, or undefined when it is not valid (unknown, revoked, expired). */
  authenticate(credential: string, options: { allowPlatformKeys: boolean }): Promise<Principal | undefined>;
  /** The caller's role in an enabled team, or undefined when they are not a member. */
  teamRole(teamId: string, userId: string): Promise<TeamRole | undefined>;
}

export interface AuthenticatorDeps {
  tokens: AccessTokens;
  store: Pick<PlatformKeysStore, 'findIdentityByHash' | 'findTeamRole'>;
  sessions: Pick<AccountsStore, 'isSessionActive'>;
  bus: InvalidationBus;
  clock: Clock;
  /** Backstop TTL of every cache entry (pub/sub is fire-and-forget). */
  cacheTtlSeconds: number;
  /** Called for each request a platform key authenticates (last-used tracking, off the hot path). */
  onKeyUsed?: (keyId: string) => void;
}

const NEGATIVE_TTL_MS = 10_000;
const MAX_ENTRIES = 50_000;

export function createAuthenticator(deps: AuthenticatorDeps): Authenticator {
  const { tokens, store, bus, clock } = deps;
  const ttl = Math.max(1, deps.cacheTtlSeconds) * 1000;
  const keys = new LRUCache<string, { identity: KeyIdentityRow | null }>({ max: MAX_ENTRIES, ttl });
  const sessions = new LRUCache<string, { active: boolean; userId: string }>({ max: MAX_ENTRIES, ttl });
  const roles = new LRUCache<string, { role: TeamRole | null }>({ max: MAX_ENTRIES, ttl });

  const dropWhere = <V extends object>(cache: LRUCache<string, V>, matches: (key: string, value: V) => boolean) => {
    for (const [key, value] of cache.entries()) if (matches(key, value)) cache.delete(key);
  };
  bus.subscribe('platform_key', (keyId) => dropWhere(keys, (_, v) => v.identity?.key.id === keyId));
  bus.subscribe('session', (sessionId) => sessions.delete(sessionId));
  bus.subscribe('user', (userId) => {
    dropWhere(keys, (_, v) => v.identity?.key.userId === userId);
    dropWhere(sessions, (_, v) => v.userId === userId);
    dropWhere(roles, (key) => key.endsWith(`:${userId}`));
  });
  bus.subscribe('team', (teamId) => {
    dropWhere(keys, (_, v) => v.identity?.key.teamId === teamId);
    dropWhere(roles, (key) => key.startsWith(`${teamId}:`));
  });
  bus.subscribe('membership', (teamAndUser) => {
    roles.delete(teamAndUser);
    const [teamId, userId] = teamAndUser.split(':');
    dropWhere(keys, (_, v) => v.identity?.key.teamId === teamId && v.identity?.key.userId === userId);
  });
  bus.onResync(() => {
    keys.clear();
    sessions.clear();
    roles.clear();
  });

  async function fromPlatformKey(credential: string): Promise<Principal | undefined> {
    // Keyed by the key itself, like the verified-token cache: a hit costs no hashing. The process
    // already holds decrypted provider keys; the database is what must never hold a usable key.
    let entry = keys.get(credential);
    if (!entry) {
      const identity = (await store.findIdentityByHash(hashToken(credential))) ?? null;
      entry = { identity };
      keys.set(credential, entry, identity ? {} : { ttl: NEGATIVE_TTL_MS });
    }
    const identity = entry.identity;
    if (!identity) return undefined;
    const { key } = identity;
    // Expiry and revocation are judged per request: a cached key expires on time, and a key whose
    // roll gave it a grace period (revoked_at in the future) stops when the grace ends, on every replica.
    const now = clock.now();
    if (isRevoked(key, now) || (key.expiresAt && key.expiresAt <= now) || identity.userDisabled || identity.teamUsable === false) {
      return undefined;
    }
    deps.onKeyUsed?.(key.id);
    return {
      userId: key.userId,
      // Admin rights belong to interactive sessions; a program's key never carries them.
      isAdmin: false,
      keyId: key.id,
      ...(key.teamId ? { teamId: key.teamId } : {}),
      ...(key.models ? { allowedModels: key.models } : {}),
      ...(key.rateLimit ? { rateLimit: key.rateLimit } : {}),
    };
  }

  async function fromAccessToken(credential: string): Promise<Principal | undefined> {
    const claims = await tokens.verify(credential);
    if (!claims) return undefined;
    let session = sessions.get(claims.sessionId);
    if (!session) {
      session = { active: await deps.sessions.isSessionActive(claims.sessionId), userId: claims.userId };
      sessions.set(claims.sessionId, session);
    }
    if (!session.active) return undefined;
    return { userId: claims.userId, isAdmin: claims.isAdmin, sessionId: claims.sessionId };
  }

  return {
    async authenticate(credential, options) {
      if (credential.startsWith(PLATFORM_KEY_PREFIX)) return options.allowPlatformKeys ? fromPlatformKey(credential) : undefined;
      return fromAccessToken(credential);
    },
    async teamRole(teamId, userId) {
      const cacheKey = `${teamId}:${userId}`;
      let entry = roles.get(cacheKey);
      if (!entry) {
        entry = { role: (await store.findTeamRole(teamId, userId)) ?? null };
        roles.set(cacheKey, entry);
      }
      return entry.role ?? undefined;
    },
  };
}
