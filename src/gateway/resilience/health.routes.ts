/**
 * GET /api/admin/health: every circuit breaker of this process (per provider endpoint) and the
 * moving averages per `service/model`; with `platform`, also database, Redis, migrations, the job
 * queue, worker heartbeats, breaker counts and the 15-minute error rate by source (admin-health.ts). Admins only; like every /api/admin path, anyone else gets
 * 404 route_not_found. (Owners read their integration's view at GET /api/integrations/{id}/health.)
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../../http/context.js';
import { bearerSecurity, commonErrors, createApiRouter } from '../../http/openapi.js';
import type { AdminHealth } from '../../accounts/admin-health.js';
import type { ReadinessProbe } from '../../http/health.routes.js';
import type { Resilience } from './resilience.js';

const Counts = z.object({ closed: z.number().int(), open: z.number().int(), half_open: z.number().int() });
const BySource = <T extends z.ZodType>(item: T) => z.object({ user: item, provider: item, platform: item });

const HealthSchema = z
  .object({
    breakers: z.array(
      z.object({
        key: z.string().openapi({ description: '`<service> <base URL origin>`' }),
        state: z.enum(['closed', 'open', 'half_open']),
        consecutive_failures: z.number().int(),
        failure_rate: z.number(),
        retry_after_ms: z.number().int(),
      }),
    ),
    models: z.array(
      z.object({
        model: z.string(),
        ttft_ms: z.number().int().nullable(),
        tokens_per_second: z.number().nullable().openapi({ description: 'Output tokens per second after the first byte (streams) or over the whole call (JSON)' }),
        error_rate: z.number(),
        samples: z.number().int(),
      }),
    ),
    db: z.string().optional().openapi({ description: 'ok, or why not' }),
    redis: z.string().optional().openapi({ description: 'ok, disabled (no REDIS_URL), or unreachable' }),
    migrations: z.string().optional().openapi({ description: 'ok, or behind (applied/expected)' }),
    jobs: z.object({ depth: z.number().int(), running: z.number().int(), oldest_queued_age_seconds: z.number().int().nullable() }).nullable().optional(),
    workers: z.array(z.object({ id: z.string(), last_beat_at: z.string(), alive: z.boolean() })).nullable().optional(),
    breaker_counts: z
      .object({
        per_provider: z.array(Counts.extend({ service: z.string() })),
        per_integration: Counts.extend({ not_closed: z.array(z.object({ id: z.string(), service: z.string().nullable().openapi({ description: 'The integration’s service (null if it no longer exists); never its owner' }), state: z.enum(['closed', 'open', 'half_open']), retry_after_ms: z.number().int() })) }),
      })
      .optional(),
    errors_15m: z
      .object({ window_minutes: z.number().int(), requests: z.number().int(), errors: BySource(z.number().int()), error_rate: BySource(z.number()) })
      .nullable()
      .optional(),
  })
  .openapi('GatewayHealth');

const route = createRoute({
  method: 'get', path: '/admin/health', tags: ['admin'], security: bearerSecurity,
  summary: 'Circuit breakers and latency / error moving averages (this process)',
  responses: { 200: { description: 'Health', content: { 'application/json': { schema: HealthSchema } } }, ...commonErrors },
});

export function adminHealthRoutes(
  resilience: Pick<Resilience, 'breakers' | 'stats'>,
  requireAdmin: MiddlewareHandler<AppEnv>,
  platform?: { health: Pick<AdminHealth, 'snapshot'>; readiness: ReadinessProbe },
) {
  const router = createApiRouter();
  router.use('/admin/health', requireAdmin);
  router.openapi(route, async (c) => {
    const breakers = resilience.breakers.list();
    const extra = platform ? await platform.health.snapshot({ checks: (await platform.readiness.checks()) as Record<string, string>, breakers }) : {};
    return c.json({ breakers, models: resilience.stats.list(), ...extra }, 200);
  });
  return router;
}
