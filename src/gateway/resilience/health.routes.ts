/**
 * GET /api/admin/health: every circuit breaker of this process (per provider endpoint) and the
 * moving averages per `service/model`. Admins only; like every /api/admin path, anyone else gets
 * 404 route_not_found. (Owners read their integration's view at GET /api/integrations/{id}/health.)
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../../http/context.js';
import { bearerSecurity, commonErrors, createApiRouter } from '../../http/openapi.js';
import type { Resilience } from './resilience.js';

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
  })
  .openapi('GatewayHealth');

const route = createRoute({
  method: 'get', path: '/admin/health', tags: ['admin'], security: bearerSecurity,
  summary: 'Circuit breakers and latency / error moving averages (this process)',
  responses: { 200: { description: 'Health', content: { 'application/json': { schema: HealthSchema } } }, ...commonErrors },
});

export function adminHealthRoutes(resilience: Pick<Resilience, 'breakers' | 'stats'>, requireAdmin: MiddlewareHandler<AppEnv>) {
  const router = createApiRouter();
  router.use('/admin/health', requireAdmin);
  router.openapi(route, (c) => c.json({ breakers: resilience.breakers.list(), models: resilience.stats.list() }, 200));
  return router;
}
