import type { HttpBindings } from '@hono/node-server';
import type { Logger } from '../platform/logger.js';
import type { RateLimitSpec } from '../store/schema.js';
import type { DirectWriter } from './direct-response.js';

/** Who is calling: resolved once per request by `authenticate`. */
export interface Principal {
  userId: string;
  isAdmin: boolean;
  /** Set for access tokens (a login session). */
  sessionId?: string;
  /** Set for platform keys. */
  keyId?: string;
  /** The team the request acts for: a team-scoped platform key's, or `x-switchboard-team`'s. */
  teamId?: string;
  /** A platform key's model allow-list (`service/model` or `service/*`); absent = any model. */
  allowedModels?: readonly string[];
  /** A platform key's own rate limits (`rate_limit`); operator defaults fill what it leaves unset. */
  rateLimit?: RateLimitSpec;
}

export interface AppVariables {
  requestId: string;
  logger: Logger;
  clientIp: string | null;
  principal: Principal;
  /** Set by a handler that writes the Node response itself (see direct-response.ts). */
  directWriter?: DirectWriter;
}

/** Hono environment of every route: node bindings (absent under app.request()) and our variables. */
export interface AppEnv {
  Bindings: Partial<HttpBindings>;
  Variables: AppVariables;
}
