/**
 * /api/routes[/{name}] (the caller's own routes) and /api/teams/{teamId}/routes[/{name}] (members
 * read; owners and admins write). Another tenant's route, or a team the caller is not in, is 404.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../http/context.js';
import { bearerSecurity, commonErrors, createApiRouter, UlidSchema } from '../http/openapi.js';
import { capabilityNames } from '../gateway/resilience/model-capabilities.js';
import type { RoutesService } from './routes.service.js';

const micros = z.number().int().min(0).max(1e12);
const TargetSchema = z
  .object({
    model: z.string().min(3).max(256).openapi({ example: 'openai/gpt-4o-mini' }),
    integration_id: z.string().min(1).max(64).optional(),
    weight: z.number().positive().max(1_000_000).optional(),
  })
  .strict();
const ConstraintsSchema = z
  .object({
    max_input_price_per_mtok_micros: micros.optional(),
    max_output_price_per_mtok_micros: micros.optional(),
    capabilities: z.array(z.enum(capabilityNames as ['tools', 'vision', 'json'])).max(3).optional(),
    min_context: z.number().int().min(1).max(100_000_000).optional(),
  })
  .strict();
export const PutRouteSchema = z
  .object({
    strategy: z.enum(['priority', 'cost', 'latency', 'weighted']),
    targets: z.array(TargetSchema).min(1).max(20),
    constraints: ConstraintsSchema.optional(),
    fallback_local: z.boolean().optional(),
  })
  .strict()
  .openapi('PutRoute');
export const RouteSchema = z
  .object({
    name: z.string(),
    owner: z.object({ kind: z.enum(['user', 'team']), id: z.string() }),
    strategy: z.enum(['priority', 'cost', 'latency', 'weighted']),
    targets: z.array(TargetSchema),
    constraints: ConstraintsSchema.nullable(),
    fallback_local: z.boolean(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Route');

export const RoutePreviewSchema = z
  .object({
    candidates: z.array(
      z.object({
        model: z.string(),
        integration_id: z.string().nullable().openapi({ description: 'The integration a call would use (the pinned one, else the owner’s key for the service); null without one' }),
        breaker: z.enum(['closed', 'open', 'half_open']),
        skipped: z.boolean().openapi({ description: 'true when a call now would skip this candidate' }),
        reason: z.enum(['breaker_open', 'no_integration', 'integration_disabled']).nullable(),
      }),
    ),
    fallback_local: z.boolean(),
  })
  .openapi('RoutePreview');
const preview = { description: 'The candidate order now', content: { 'application/json': { schema: RoutePreviewSchema } } };

const NameParams = z.object({ name: z.string().min(1).max(64) });
const TeamParams = z.object({ teamId: UlidSchema });
const TeamNameParams = z.object({ teamId: UlidSchema, name: z.string().min(1).max(64) });
const tags = ['routes'];
const security = bearerSecurity;
const one = (description: string) => ({ description, content: { 'application/json': { schema: RouteSchema } } });
const list = { description: 'Routes', content: { 'application/json': { schema: z.object({ data: z.array(RouteSchema) }) } } };
const body = { content: { 'application/json': { schema: PutRouteSchema } }, required: true };

const defs = {
  list: createRoute({ method: 'get', path: '/routes', tags, security, summary: 'Your routes (virtual models)', responses: { 200: list, ...commonErrors } }),
  get: createRoute({ method: 'get', path: '/routes/{name}', tags, security, summary: 'One of your routes', request: { params: NameParams }, responses: { 200: one('Route'), ...commonErrors } }),
  put: createRoute({
    method: 'put', path: '/routes/{name}', tags, security, summary: 'Create or replace a route',
    request: { params: NameParams, body }, responses: { 200: one('Replaced'), 201: one('Created'), ...commonErrors },
  }),
  preview: createRoute({
    method: 'post', path: '/routes/preview', tags, security, summary: 'The candidate order the gateway would use now for this (unsaved) route, given breaker states',
    request: { body }, responses: { 200: preview, ...commonErrors },
  }),
  teamPreview: createRoute({
    method: 'post', path: '/teams/{teamId}/routes/preview', tags, security, summary: 'Preview a team route’s candidate order (any member)',
    request: { params: TeamParams, body }, responses: { 200: preview, ...commonErrors },
  }),
  remove: createRoute({ method: 'delete', path: '/routes/{name}', tags, security, summary: 'Delete a route', request: { params: NameParams }, responses: { 204: { description: 'Deleted' }, ...commonErrors } }),
  teamList: createRoute({
    method: 'get', path: '/teams/{teamId}/routes', tags, security, summary: 'A team’s routes (any member)',
    request: { params: TeamParams }, responses: { 200: list, ...commonErrors },
  }),
  teamGet: createRoute({
    method: 'get', path: '/teams/{teamId}/routes/{name}', tags, security, summary: 'One team route (any member)',
    request: { params: TeamNameParams }, responses: { 200: one('Route'), ...commonErrors },
  }),
  teamPut: createRoute({
    method: 'put', path: '/teams/{teamId}/routes/{name}', tags, security, summary: 'Create or replace a team route (owner or admin)',
    request: { params: TeamNameParams, body }, responses: { 200: one('Replaced'), 201: one('Created'), ...commonErrors },
  }),
  teamRemove: createRoute({
    method: 'delete', path: '/teams/{teamId}/routes/{name}', tags, security, summary: 'Delete a team route (owner or admin)',
    request: { params: TeamNameParams }, responses: { 204: { description: 'Deleted' }, ...commonErrors },
  }),
};

export function routesRoutes(service: RoutesService, requireAuth: MiddlewareHandler<AppEnv>) {
  const router = createApiRouter();
  router.use('/routes', requireAuth);
  router.use('/routes/*', requireAuth);
  router.use('/teams/:teamId/routes', requireAuth);
  router.use('/teams/:teamId/routes/*', requireAuth);
  const me = (c: Context<AppEnv>) => c.get('principal').userId;
  const mine = (c: Context<AppEnv>) => ({ kind: 'user' as const, id: me(c) });
  const team = (teamId: string) => ({ kind: 'team' as const, id: teamId });

  router.openapi(defs.list, async (c) => c.json(await service.list(mine(c), me(c)), 200));
  router.openapi(defs.preview, async (c) => c.json(await service.preview(mine(c), me(c), c.req.valid('json')), 200));
  router.openapi(defs.teamPreview, async (c) => c.json(await service.preview(team(c.req.valid('param').teamId), me(c), c.req.valid('json')), 200));
  router.openapi(defs.get, async (c) => c.json(await service.get(mine(c), me(c), c.req.valid('param').name), 200));
  router.openapi(defs.put, async (c) => {
    const { route, created } = await service.put(mine(c), me(c), c.req.valid('param').name, c.req.valid('json'));
    return created ? c.json(route, 201) : c.json(route, 200);
  });
  router.openapi(defs.remove, async (c) => {
    await service.remove(mine(c), me(c), c.req.valid('param').name);
    return c.body(null, 204);
  });
  router.openapi(defs.teamList, async (c) => c.json(await service.list(team(c.req.valid('param').teamId), me(c)), 200));
  router.openapi(defs.teamGet, async (c) => {
    const { teamId, name } = c.req.valid('param');
    return c.json(await service.get(team(teamId), me(c), name), 200);
  });
  router.openapi(defs.teamPut, async (c) => {
    const { teamId, name } = c.req.valid('param');
    const { route, created } = await service.put(team(teamId), me(c), name, c.req.valid('json'));
    return created ? c.json(route, 201) : c.json(route, 200);
  });
  router.openapi(defs.teamRemove, async (c) => {
    const { teamId, name } = c.req.valid('param');
    await service.remove(team(teamId), me(c), name);
    return c.body(null, 204);
  });
  return router;
}
