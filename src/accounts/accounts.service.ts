/**
 * Accounts: users, login sessions and token exchange.
 *
 * A session is one refresh-token family. Every refresh spends the presented token and issues its
 * successor; presenting a spent token again after a short grace window (concurrent tabs refreshing
 * at once) is treated as theft and revokes the whole family.
 */
import type { AuditLog } from '../platform/audit.js';
import type { Clock } from '../platform/clock.js';
import { AppError } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import type { Database } from '../store/db.js';
import type { AccountsStore, UserRow } from './accounts.store.js';
import { dummyPasswordHash, hashPassword, needsRehash, passwordPolicy, verifyPassword } from './passwords.js';
import { generateRefreshToken, hashToken, type AccessTokens } from './tokens.js';

/** How long a just-spent refresh token may be presented again without revoking its family. */
export const REFRESH_REUSE_GRACE_MS = 10_000;

export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
}

export interface TokenPair {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
}

export interface UserView {
  id: string;
  email: string;
  is_admin: boolean;
  email_verified: boolean;
  created_at: string;
}

export const toUserView = (user: UserRow): UserView => ({
  id: user.id,
  email: user.email,
  is_admin: user.isAdmin,
  email_verified: user.emailVerifiedAt !== null,
  created_at: user.createdAt.toISOString(),
});

export const normaliseEmail = (email: string): string => email.trim().toLowerCase();

export function checkPasswordPolicy(password: string): void {
  if (password.length < passwordPolicy.minLength) {
    throw new AppError('invalid_request', {
      param: 'password',
      message: `Passwords need at least ${passwordPolicy.minLength} characters.`,
    });
  }
  if (password.length > passwordPolicy.maxLength) {
    throw new AppError('invalid_request', {
      param: 'password',
      message: `Passwords may have at most ${passwordPolicy.maxLength} characters.`,
    });
  }
}

export interface AccountsServiceDeps {
  db: Database;
  store: AccountsStore;
  tokens: AccessTokens;
  audit: AuditLog;
  clock: Clock;
  refreshTokenTtlSeconds: number;
}

export function createAccountsService(deps: AccountsServiceDeps) {
  const { db, store, tokens, audit, clock } = deps;

  async function startSession(user: UserRow, client: ClientInfo): Promise<TokenPair> {
    const sessionId = newId();
    const refreshToken = generateRefreshToken();
    const expiresAt = new Date(clock.now().getTime() + deps.refreshTokenTtlSeconds * 1000);
    await db.transaction(async (tx) => {
      await store.insertSession({ id: sessionId, userId: user.id, ip: client.ip, userAgent: client.userAgent, expiresAt }, tx);
      await store.insertRefreshToken({ id: newId(), sessionId, tokenHash: hashToken(refreshToken), expiresAt }, tx);
      await audit.record(
        { action: 'auth.login', actorUserId: user.id, targetKind: 'session', targetId: sessionId, ...client },
        tx,
      );
    });
    return tokenPair(user, sessionId, refreshToken);
  }

  async function tokenPair(user: UserRow, sessionId: string, refreshToken: string): Promise<TokenPair> {
    return {
      access_token: await tokens.issue({ userId: user.id, sessionId, isAdmin: user.isAdmin }),
      token_type: 'Bearer',
      expires_in: tokens.ttlSeconds,
      refresh_token: refreshToken,
    };
  }

  return {
    /** Create a user. Operators (CLI) create verified users; sign-up creates unverified ones. */
    async createUser(input: { email: string; password: string; isAdmin?: boolean; verified?: boolean }): Promise<UserView> {
      const email = normaliseEmail(input.email);
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || email.length > 320) {
        throw new AppError('invalid_request', { param: 'email', message: 'email must be a valid address.' });
      }
      checkPasswordPolicy(input.password);
      const passwordHash = await hashPassword(input.password);
      const created = await store.insertUser({
        id: newId(),
        email,
        passwordHash,
        isAdmin: input.isAdmin ?? false,
        emailVerifiedAt: input.verified ? clock.now() : null,
      });
      if (!created) throw new AppError('conflict', { param: 'email', message: 'A user with this email already exists.' });
      await audit.record({ action: 'user.created', actorUserId: created.id, targetKind: 'user', targetId: created.id });
      return toUserView(created);
    },

    async login(email: string, password: string, client: ClientInfo): Promise<TokenPair> {
      const user = await store.findUserByEmail(normaliseEmail(email));
      // Verify against a dummy hash on a miss: an unknown email costs the same time as a wrong password.
      const valid = await verifyPassword(user?.passwordHash ?? (await dummyPasswordHash()), password);
      if (!user || !valid || user.disabledAt) throw new AppError('invalid_credentials');
      if (needsRehash(user.passwordHash)) await store.updatePasswordHash(user.id, await hashPassword(password));
      return startSession(user, client);
    },

    async refresh(refreshToken: string, client: ClientInfo): Promise<TokenPair> {
      const found = await store.findRefreshToken(hashToken(refreshToken));
      const now = clock.now();
      if (!found || found.session.revokedAt || found.session.expiresAt <= now || found.user.disabledAt) {
        throw new AppError('invalid_refresh_token');
      }
      const { token, session, user } = found;
      // Spent-at and now come from the same clock (the app's), so the grace window is exact.
      const reused = token.usedAt !== null || !(await store.spendRefreshToken(token.id, now));
      if (reused) {
        // Within the grace window a spent token still yields a successor (tabs refreshing at
        // once); after it, a replay means the token was stolen: end the whole family.
        const spentAt = token.usedAt ?? now;
        if (now.getTime() - spentAt.getTime() > REFRESH_REUSE_GRACE_MS) {
          await store.revokeSession(session.id, 'refresh_token_reuse');
          await audit.record({ action: 'auth.refresh_reuse_detected', actorUserId: user.id, targetKind: 'session', targetId: session.id, ...client });
          throw new AppError('invalid_refresh_token');
        }
      }
      const successor = generateRefreshToken();
      await db.transaction(async (tx) => {
        await store.insertRefreshToken({ id: newId(), sessionId: session.id, tokenHash: hashToken(successor), expiresAt: session.expiresAt }, tx);
        await store.touchSession(session.id, client.ip, client.userAgent, tx);
      });
      return tokenPair(user, session.id, successor);
    },

    async logout(refreshToken: string): Promise<void> {
      const found = await store.findRefreshToken(hashToken(refreshToken));
      if (found) await store.revokeSession(found.session.id, 'logout');
    },

    async getUser(userId: string): Promise<UserView> {
      const user = await store.findUserById(userId);
      if (!user) throw new AppError('unauthenticated');
      return toUserView(user);
    },
  };
}

export type AccountsService = ReturnType<typeof createAccountsService>;
