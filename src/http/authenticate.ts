/**
 * Bearer authentication for the management API and the AI API. Access tokens are verified
 * locally (signature and expiry, no database round-trip). The Anthropic surface may send the
 * credential as `x-api-key` instead, as Anthropic's SDK does.
 */
import type { MiddlewareHandler } from 'hono';
import type { AccessTokens } from '../accounts/tokens.js';
import { AppError } from '../platform/errors.js';
import type { AppEnv, Principal } from './context.js';

export function bearerCredential(authorization: string | undefined, apiKeyHeader: string | undefined): string | undefined {
  if (authorization) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    return match?.[1];
  }
  return apiKeyHeader?.trim() || undefined;
}

export interface Authenticator {
  authenticate(credential: string): Promise<Principal | undefined>;
}

export function createAuthenticator(deps: { tokens: AccessTokens }): Authenticator {
  return {
    async authenticate(credential) {
      if (credential.startsWith('sk-sb-')) return undefined; // platform keys: resolved by the keys module once it exists
      const claims = await deps.tokens.verify(credential);
      return claims ? { userId: claims.userId, isAdmin: claims.isAdmin, sessionId: claims.sessionId } : undefined;
    },
  };
}

export function requireAuth(authenticator: Authenticator, options: { allowApiKeyHeader?: boolean } = {}): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const credential = bearerCredential(
      c.req.header('authorization'),
      options.allowApiKeyHeader ? c.req.header('x-api-key') : undefined,
    );
    const principal = credential ? await authenticator.authenticate(credential) : undefined;
    if (!principal) throw new AppError('unauthenticated');
    c.set('principal', principal);
    await next();
  };
}
