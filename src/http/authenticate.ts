/**
 * Authentication middleware for the management API and the AI API. Credentials arrive as
 * `Authorization: Bearer …`, or on the Anthropic surface as `x-api-key` (as Anthropic's SDK sends
 * them). The management API takes access tokens only; the AI API also takes platform keys.
 *
 * On the AI API a caller may act for a team: a team-scoped platform key does so implicitly, and a
 * user credential can ask with `x-switchboard-team: <teamId>` (the caller must be a member).
 */
import type { MiddlewareHandler } from 'hono';
import type { Authenticator } from '../accounts/authenticator.js';
import { AppError } from '../platform/errors.js';
import { isUlid } from '../platform/ids.js';
import type { AppEnv } from './context.js';
import { requestHeader } from './node-headers.js';

export const TEAM_HEADER = 'x-switchboard-team';

export function bearerCredential(authorization: string | undefined, apiKeyHeader: string | undefined): string | undefined {
  if (authorization) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    return match?.[1];
  }
  return apiKeyHeader?.trim() || undefined;
}

export interface RequireAuthOptions {
  /** Accept `sk-sb-` platform keys (the AI API). */
  allowPlatformKeys?: boolean;
  /** Accept the credential in `x-api-key` (the Anthropic surface). */
  allowApiKeyHeader?: boolean;
  /** Honour `x-switchboard-team` (the AI API). */
  allowTeamHeader?: boolean;
}

export function requireAuth(authenticator: Authenticator, options: RequireAuthOptions = {}): MiddlewareHandler<AppEnv> {
  const allowPlatformKeys = options.allowPlatformKeys ?? false;
  return async (c, next) => {
    const credential = bearerCredential(
      requestHeader(c, 'authorization'),
      options.allowApiKeyHeader ? requestHeader(c, 'x-api-key') : undefined,
    );
    const principal = credential ? await authenticator.authenticate(credential, { allowPlatformKeys }) : undefined;
    if (!principal) throw new AppError('unauthenticated');
    const requestedTeam = options.allowTeamHeader ? requestHeader(c, TEAM_HEADER) : undefined;
    if (requestedTeam !== undefined) {
      if (!isUlid(requestedTeam)) {
        throw new AppError('invalid_request', { param: TEAM_HEADER, message: `${TEAM_HEADER} must be a team id (ULID).` });
      }
      if (principal.teamId !== undefined) {
        if (principal.teamId !== requestedTeam) {
          throw new AppError('invalid_request', {
            param: TEAM_HEADER,
            message: `This platform key is scoped to another team; omit ${TEAM_HEADER} or use a key of that team.`,
          });
        }
      } else {
        // Not a member (or a disabled team) reads as "no such team": ids of other tenants reveal nothing.
        if (!(await authenticator.teamRole(requestedTeam, principal.userId))) {
          throw new AppError('not_found', { param: TEAM_HEADER, message: 'Team not found.' });
        }
        principal.teamId = requestedTeam;
      }
    }
    c.set('principal', principal);
    await next();
  };
}
