/**
 * Accounts: users, login sessions and token exchange.
 *
 * A session is one refresh-token family. Every refresh spends the presented token and issues its
 * successor; presenting a spent token again after a short grace window (concurrent tabs refreshing
 * at once) is treated as theft and revokes the whole family.
 */
import { randomBytes } from 'node:crypto';
import type { AuditLog } from '../platform/audit.js';
import type { Clock } from '../platform/clock.js';
import { AppError } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import type { InvalidationBus } from '../platform/invalidation.js';
import type { Logger } from '../platform/logger.js';
import type { Mailer, MailMessage } from '../platform/mailer.js';
import type { Database } from '../store/db.js';
import type { AccountsStore, EmailTokenPurpose, SessionRow, UserRow } from './accounts.store.js';
import { createLoginBackoff, type LoginBackoff } from './login-backoff.js';
import { dummyPasswordHash, hashPassword, needsRehash, passwordPolicy, verifyPassword } from './passwords.js';
import { generateRefreshToken, hashToken, type AccessTokens } from './tokens.js';

/** How long a just-spent refresh token may be presented again without revoking its family. */
export const REFRESH_REUSE_GRACE_MS = 10_000;

export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
}

/** Lifetimes of mailed one-time links. */
export const EMAIL_TOKEN_TTL_SECONDS: Record<EmailTokenPurpose, number> = { verify_email: 24 * 3600, reset_password: 3600 };

/** Mailed tokens: 256 random bits, URL-safe; only their SHA-256 is stored. */
const generateEmailToken = (): string => `sbe_${randomBytes(32).toString('base64url')}`;

export interface SessionView {
  id: string;
  ip: string | null;
  user_agent: string | null;
  created_at: string;
  last_used_at: string;
  expires_at: string;
  current: boolean;
}

const toSessionView = (session: SessionRow, currentSessionId: string | undefined): SessionView => ({
  id: session.id,
  ip: session.ip,
  user_agent: session.userAgent,
  created_at: session.createdAt.toISOString(),
  last_used_at: session.lastUsedAt.toISOString(),
  expires_at: session.expiresAt.toISOString(),
  current: session.id === currentSessionId,
});

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

export function checkEmail(email: string): void {
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || email.length > 320) {
    throw new AppError('invalid_request', { param: 'email', message: 'email must be a valid address.' });
  }
}

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
  /**
   * The rest is needed by the server (sign-up, sessions); one-shot CLI commands that only create
   * users may leave it out. Revoked sessions are announced on bus topic `session`.
   */
  bus?: Pick<InvalidationBus, 'publish'>;
  mailer?: Mailer;
  logger?: Logger;
  /** Base of links in mail (config.publicUrl, no trailing slash). */
  publicUrl?: string;
  loginBackoff?: LoginBackoff;
}

export function createAccountsService(deps: AccountsServiceDeps) {
  const { db, store, tokens, audit, clock } = deps;
  const bus = deps.bus ?? { publish() {} };
  const log = deps.logger?.child({ component: 'accounts' });
  const loginBackoff = deps.loginBackoff ?? createLoginBackoff(undefined);
  const publicUrl = deps.publicUrl ?? 'http://localhost:8080';

  /**
   * Mail is sent after the answer, on every branch alike, so neither its latency nor an SMTP
   * failure tells a caller whether an address has an account. Failures are logged (no content).
   */
  function sendLater(message: MailMessage, kind: string): void {
    if (!deps.mailer) {
      log?.error({ kind }, 'no mailer configured: account mail not sent');
      return;
    }
    deps.mailer.send(message).catch(() => log?.error({ kind }, 'account mail could not be sent'));
  }

  async function issueEmailToken(userId: string, purpose: EmailTokenPurpose): Promise<string> {
    const token = generateEmailToken();
    const now = clock.now();
    await db.transaction(async (tx) => {
      await store.replaceEmailToken(
        { id: newId(), userId, purpose, tokenHash: hashToken(token), expiresAt: new Date(now.getTime() + EMAIL_TOKEN_TTL_SECONDS[purpose] * 1000) },
        now,
        tx,
      );
    });
    return token;
  }

  async function mailVerification(user: UserRow): Promise<void> {
    const token = await issueEmailToken(user.id, 'verify_email');
    sendLater(
      {
        to: user.email,
        subject: 'Verify your email address for Switchboard',
        text:
          `Welcome to Switchboard. Confirm your email address by opening this link (valid for 24 hours):\n\n` +
          `${publicUrl}/verify-email?token=${token}\n\nIf you did not sign up, ignore this message.\n`,
      },
      'verify_email',
    );
  }

  function announceRevoked(sessionIds: string[]): void {
    for (const id of sessionIds) bus.publish('session', id);
  }

  async function revokeAndAnnounce(sessionId: string, userId: string, reason: string, client?: ClientInfo): Promise<boolean> {
    const revoked = await store.revokeSession(sessionId, reason);
    if (revoked) {
      announceRevoked([sessionId]);
      await audit.record({ action: 'session.revoked', actorUserId: userId, targetKind: 'session', targetId: sessionId, metadata: { reason }, ...client });
    }
    return revoked;
  }

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
      checkEmail(email);
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

    /**
     * Sign up. The answer is the same whether or not the email has an account: a new address gets
     * a verification link, an unverified one a fresh link, a verified one a note that it already
     * has an account. Both paths hash the password, so their timing matches too.
     */
    async signup(input: { email: string; password: string }, client: ClientInfo): Promise<void> {
      const email = normaliseEmail(input.email);
      checkEmail(email);
      checkPasswordPolicy(input.password);
      const passwordHash = await hashPassword(input.password);
      const existing = await store.findUserByEmail(email);
      const created = existing
        ? undefined
        : await store.insertUser({ id: newId(), email, passwordHash, isAdmin: false, emailVerifiedAt: null });
      if (created) {
        await audit.record({ action: 'user.signed_up', actorUserId: created.id, targetKind: 'user', targetId: created.id, ...client });
        await mailVerification(created);
        return;
      }
      const owner = existing ?? (await store.findUserByEmail(email));
      if (!owner || owner.disabledAt) return;
      if (!owner.emailVerifiedAt) {
        await mailVerification(owner);
        return;
      }
      sendLater(
        {
          to: owner.email,
          subject: 'You already have a Switchboard account',
          text:
            `Someone (maybe you) tried to sign up to Switchboard with this address, which already has an account.\n\n` +
            `Log in at ${publicUrl}/login, or reset your password at ${publicUrl}/forgot-password.\n` +
            `If this was not you, ignore this message: nothing changed.\n`,
        },
        'signup_existing',
      );
    },

    async verifyEmail(token: string, client: ClientInfo): Promise<void> {
      const now = clock.now();
      const userId = await db.transaction(async (tx) => {
        const owner = await store.spendEmailToken(hashToken(token), 'verify_email', now, tx);
        if (owner) {
          await store.markEmailVerified(owner, now, tx);
          await audit.record({ action: 'user.email_verified', actorUserId: owner, targetKind: 'user', targetId: owner, ...client }, tx);
        }
        return owner;
      });
      if (!userId) throw new AppError('invalid_email_token', { param: 'token' });
    },

    /** Mail a new verification link to an unverified account; silent for anything else. */
    async resendVerification(email: string): Promise<void> {
      const user = await store.findUserByEmail(normaliseEmail(email));
      if (user && !user.emailVerifiedAt && !user.disabledAt) await mailVerification(user);
    },

    /** Mail a password-reset link to an existing account; silent for unknown addresses. */
    async requestPasswordReset(email: string, client: ClientInfo): Promise<void> {
      const user = await store.findUserByEmail(normaliseEmail(email));
      if (!user || user.disabledAt) return;
      const token = await issueEmailToken(user.id, 'reset_password');
      await audit.record({ action: 'auth.password_reset_requested', actorUserId: user.id, targetKind: 'user', targetId: user.id, ...client });
      sendLater(
        {
          to: user.email,
          subject: 'Reset your Switchboard password',
          text:
            `Open this link to choose a new password (valid for 1 hour):\n\n${publicUrl}/reset-password?token=${token}\n\n` +
            `If you did not ask for this, ignore this message: your password stays as it is.\n`,
        },
        'reset_password',
      );
    },

    /**
     * Set a new password from a reset link. Every session of the user ends (whoever held one may
     * be why the password is being reset), and the address counts as verified: the link proved it.
     */
    async resetPassword(token: string, password: string, client: ClientInfo): Promise<void> {
      checkPasswordPolicy(password);
      const passwordHash = await hashPassword(password);
      const now = clock.now();
      const result = await db.transaction(async (tx) => {
        const userId = await store.spendEmailToken(hashToken(token), 'reset_password', now, tx);
        if (!userId) return undefined;
        await store.updatePasswordHash(userId, passwordHash, tx);
        await store.markEmailVerified(userId, now, tx);
        const revoked = await store.revokeUserSessions(userId, 'password_reset', undefined, tx);
        await audit.record(
          { action: 'auth.password_reset', actorUserId: userId, targetKind: 'user', targetId: userId, metadata: { sessions_revoked: revoked.length }, ...client },
          tx,
        );
        return { userId, revoked };
      });
      if (!result) throw new AppError('invalid_email_token', { param: 'token' });
      announceRevoked(result.revoked);
      const user = await store.findUserById(result.userId);
      if (user) await loginBackoff.reset(user.email);
    },

    async login(email: string, password: string, client: ClientInfo): Promise<TokenPair> {
      const normalised = normaliseEmail(email);
      await loginBackoff.check(normalised);
      const user = await store.findUserByEmail(normalised);
      // Verify against a dummy hash on a miss: an unknown email costs the same time as a wrong password.
      const valid = await verifyPassword(user?.passwordHash ?? (await dummyPasswordHash()), password);
      if (!user || !valid || user.disabledAt) {
        await loginBackoff.recordFailure(normalised);
        throw new AppError('invalid_credentials');
      }
      await loginBackoff.reset(normalised);
      // Said only after a correct password, so it reveals nothing to someone guessing addresses.
      if (!user.emailVerifiedAt) throw new AppError('email_not_verified');
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
          await revokeAndAnnounce(session.id, user.id, 'refresh_token_reuse', client);
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

    async logout(refreshToken: string, client?: ClientInfo): Promise<void> {
      const found = await store.findRefreshToken(hashToken(refreshToken));
      if (found) await revokeAndAnnounce(found.session.id, found.user.id, 'logout', client);
    },

    /** The caller's live sessions, newest first; `current` marks the calling access token's one. */
    async listSessions(userId: string, currentSessionId: string | undefined, page: { limit: number; cursor?: string }) {
      const rows = await store.listActiveSessions(userId, clock.now(), page.limit + 1, page.cursor);
      const data = rows.slice(0, page.limit).map((row) => toSessionView(row, currentSessionId));
      return { data, next_cursor: rows.length > page.limit ? data[data.length - 1]!.id : null };
    },

    /** Revoke one of the caller's sessions; another user's or an unknown id is `not_found`. */
    async revokeSession(userId: string, sessionId: string, client: ClientInfo): Promise<void> {
      const revoked = await store.revokeUserSession(userId, sessionId, 'revoked_by_user');
      if (!revoked) throw new AppError('not_found', { message: 'No such session.' });
      announceRevoked([sessionId]);
      await audit.record({ action: 'session.revoked', actorUserId: userId, targetKind: 'session', targetId: sessionId, metadata: { reason: 'revoked_by_user' }, ...client });
    },

    /**
     * Change the password from a signed-in session: the current password must be right (failures
     * count towards the login backoff of the address), the new one meets the policy, and every other
     * session ends (the one making the change stays signed in). Audited; no password is ever logged.
     */
    async changePassword(userId: string, currentSessionId: string | undefined, currentPassword: string, newPassword: string, client: ClientInfo): Promise<number> {
      const user = await store.findUserById(userId);
      if (!user || user.disabledAt) throw new AppError('unauthenticated');
      await loginBackoff.check(user.email);
      if (!(await verifyPassword(user.passwordHash, currentPassword))) {
        await loginBackoff.recordFailure(user.email);
        throw new AppError('invalid_request', { param: 'current_password', message: 'The current password is not right.' });
      }
      checkPasswordPolicy(newPassword);
      const passwordHash = await hashPassword(newPassword);
      const revoked = await db.transaction(async (tx) => {
        await store.updatePasswordHash(userId, passwordHash, tx);
        const ids = await store.revokeUserSessions(userId, 'password_changed', currentSessionId, tx);
        await audit.record({ action: 'auth.password_changed', actorUserId: userId, targetKind: 'user', targetId: userId, metadata: { sessions_revoked: ids.length }, ...client }, tx);
        return ids;
      });
      announceRevoked(revoked);
      await loginBackoff.reset(user.email);
      return revoked.length;
    },

    /** Revoke all the caller's sessions but `keepSessionId` (all of them when undefined). */
    async revokeSessions(userId: string, keepSessionId: string | undefined, client: ClientInfo): Promise<number> {
      const revoked = await store.revokeUserSessions(userId, 'revoked_by_user', keepSessionId);
      announceRevoked(revoked);
      for (const id of revoked) {
        await audit.record({ action: 'session.revoked', actorUserId: userId, targetKind: 'session', targetId: id, metadata: { reason: 'revoked_by_user' }, ...client });
      }
      return revoked.length;
    },

    /** For the authenticator: one primary-key lookup per new access token. */
    isSessionActive(sessionId: string): Promise<boolean> {
      return store.isSessionActive(sessionId);
    },

    async getUser(userId: string): Promise<UserView> {
      const user = await store.findUserById(userId);
      if (!user) throw new AppError('unauthenticated');
      return toUserView(user);
    },
  };
}

export type AccountsService = ReturnType<typeof createAccountsService>;
