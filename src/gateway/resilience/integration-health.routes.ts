/**
 * GET /api/integrations/{id}/health and GET /api/teams/{teamId}/integrations/{id}/health: what an
 * owner needs to know about one of their keys: its status (`invalid` after a provider 401/403),
 * the last error, and the circuit breaker and moving averages of the endpoint it calls. Someone
 * else's integration, or a team the caller is not an owner/admin of, is 404/403 as for the
 * integration itself.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../../http/context.js';
import { bearerSecurity, commonErrors, createApiRouter, UlidSchema } from '../../http/openapi.js';
import type { ServiceId } from '../providers/provider.js';
import type { IntegrationsService } from '../../vault/integrations.service.js';
import { breakerKey } from './breaker.js';
import type { Resilience } from './resilience.js';

const HealthSchema = z
  .object({
    id: z.string(),
    service: z.string(),
    status: z.string(),
    last_error: z.string().nullable(),
    last_checked_at: z.string().nullable(),
    endpoint: z.string().nullable(),
    breaker: z.enum(['closed', 'open', 'half_open']),
    breaker_retry_after_ms: z.number().int(),
  })
  .openapi('IntegrationHealth');

const ok = { 200: { description: 'Health', content: { 'application/json': { schema: HealthSchema } } }, ...commonErrors };
const defs = {
  own: createRoute({
    method: 'get', path: '/integrations/{id}/health', tags: ['integrations'], security: bearerSecurity,
    summary: 'The status of one of your integrations and the circuit breaker of its endpoint',
    request: { params: z.object({ id: z.string().min(1).max(64) }) }, responses: ok,
  }),
  team: createRoute({
    method: 'get', path: '/teams/{teamId}/integrations/{id}/health', tags: ['team secrets'], security: bearerSecurity,
    summary: 'The status of a team integration and the circuit breaker of its endpoint (owner or admin)',
    request: { params: z.object({ teamId: UlidSchema, id: z.string().min(1).max(64) }) }, responses: ok,
  }),
};

export interface IntegrationHealthRoutesDeps {
  integrations: Pick<IntegrationsService, 'getIntegration'>;
  access: { requireTeamRole(teamId: string, userId: string, minimum: 'owner' | 'admin' | 'member'): Promise<unknown> };
  resilience: Pick<Resilience, 'breakers'>;
  providerBaseUrls: Record<ServiceId, string | undefined>;
}

export function integrationHealthRoutes(deps: IntegrationHealthRoutesDeps, requireAuth: MiddlewareHandler<AppEnv>) {
  const router = createApiRouter();
  router.use('/integrations/:id/health', requireAuth);
  router.use('/teams/:teamId/integrations/:id/health', requireAuth);
  const view = async (owner: { kind: 'user' | 'team'; id: string }, id: string) => {
    const integration = await deps.integrations.getIntegration(owner, id);
    const baseUrl = integration.base_url ?? deps.providerBaseUrls[integration.service as ServiceId];
    const key = baseUrl ? breakerKey(integration.service, baseUrl) : undefined;
    const breaker = key ? deps.resilience.breakers.list().find((entry) => entry.key === key) : undefined;
    return {
      id: integration.id,
      service: integration.service,
      status: integration.status,
      last_error: integration.last_error,
      last_checked_at: integration.last_checked_at,
      endpoint: key ? key.slice(integration.service.length + 1) : null,
      breaker: breaker?.state ?? ('closed' as const),
      breaker_retry_after_ms: breaker?.retry_after_ms ?? 0,
    };
  };
  router.openapi(defs.own, async (c) => c.json(await view({ kind: 'user', id: c.get('principal').userId }, c.req.valid('param').id), 200));
  router.openapi(defs.team, async (c) => {
    const { teamId, id } = c.req.valid('param');
    await deps.access.requireTeamRole(teamId, c.get('principal').userId, 'admin');
    return c.json(await view({ kind: 'team', id: teamId }, id), 200);
  });
  return router;
}
