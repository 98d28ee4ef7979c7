/**
 * POST /api/integrations/test and POST /api/teams/{teamId}/integrations/test: check credentials
 * before saving them. The body is a create's body (validated the same way, base_url SSRF rules
 * included); the service's cheapest authenticated call runs and nothing is stored. The team
 * variant needs an owner or admin of the team, as saving a team key does.
 *
 * Each check is an outbound call made on the caller's behalf, so it is limited per user
 * (SWITCHBOARD_KEY_TEST_PER_MINUTE; Redis-shared across replicas when configured).
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { AppEnv } from '../http/context.js';
import { bearerSecurity, commonErrors, createApiRouter, ErrorSchema, UlidSchema } from '../http/openapi.js';
import { AppError } from '../platform/errors.js';
import { createRateLimiter, msBeforeNextOf } from '../platform/rate-limiter.js';
import type { RedisConnections } from '../platform/redis.js';
import { CheckAnswerSchema, checkAnswer } from './check-answer.js';
import type { IntegrationHealth } from './integration-health.js';
import { CreateIntegrationSchema } from './integrations.routes.js';
import type { IntegrationsService } from './integrations.service.js';

const responses = {
  200: { description: 'The verdict (nothing stored)', content: { 'application/json': { schema: CheckAnswerSchema } } },
  429: { description: 'Too many checks; retry after Retry-After', content: { 'application/json': { schema: ErrorSchema } } },
  ...commonErrors,
};
const body = { content: { 'application/json': { schema: CreateIntegrationSchema } }, required: true };

const defs = {
  own: createRoute({
    method: 'post', path: '/integrations/test', tags: ['integrations'], security: bearerSecurity,
    summary: 'Check unsaved credentials (the body of a create) with a cheap provider call; stores nothing',
    request: { body }, responses,
  }),
  team: createRoute({
    method: 'post', path: '/teams/{teamId}/integrations/test', tags: ['team secrets'], security: bearerSecurity,
    summary: 'Check unsaved credentials for a team integration (owner or admin); stores nothing',
    request: { params: z.object({ teamId: UlidSchema }), body }, responses,
  }),
};

export interface CredentialCheckDeps {
  integrations: Pick<IntegrationsService, 'validateCredentials'>;
  health: Pick<IntegrationHealth, 'checkUnsaved' | 'requireCheck'>;
  access: { requireTeamRole(teamId: string, userId: string, minimum: 'owner' | 'admin' | 'member'): Promise<unknown> };
  redis: RedisConnections | undefined;
  perMinute: number;
}

export function credentialCheckRoutes(deps: CredentialCheckDeps, requireAuth: MiddlewareHandler<AppEnv>) {
  const router = createApiRouter();
  router.use('/integrations/test', requireAuth);
  router.use('/teams/:teamId/integrations/test', requireAuth);
  const limiter: RateLimiterAbstract | undefined =
    deps.perMinute > 0 ? createRateLimiter(deps.redis, { keyPrefix: 'key-test', points: deps.perMinute, durationSeconds: 60 }) : undefined;

  async function run(c: Context<AppEnv>, input: z.infer<typeof CreateIntegrationSchema>) {
    // Validated before the limit is spent: a typo costs nothing.
    const target = deps.integrations.validateCredentials(input);
    deps.health.requireCheck(target.service);
    if (limiter) {
      try {
        await limiter.consume(c.get('principal').userId);
      } catch (rejection) {
        const ms = msBeforeNextOf(rejection);
        // A limiter storage failure fails open: the insurance limiter already covers Redis outages.
        if (ms !== undefined) {
          throw new AppError('rate_limited', { retryAfterSeconds: ms / 1000, message: `At most ${deps.perMinute} credential checks per minute; retry after the time in the Retry-After header.` });
        }
      }
    }
    const { verdict, latency_ms } = await deps.health.checkUnsaved(target);
    return checkAnswer(verdict, latency_ms, verdict.models);
  }

  router.openapi(defs.own, async (c) => c.json(await run(c, c.req.valid('json')), 200));
  router.openapi(defs.team, async (c) => {
    await deps.access.requireTeamRole(c.req.valid('param').teamId, c.get('principal').userId, 'admin');
    return c.json(await run(c, c.req.valid('json')), 200);
  });
  return router;
}
