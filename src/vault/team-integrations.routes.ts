import { createRoute, z } from '@hono/zod-openapi';
import { storedCheckAnswer } from './check-answer.js';
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../http/context.js';
import { bearerSecurity, commonErrors, createApiRouter, ErrorSchema, pageOf, PageQuerySchema, UlidSchema } from '../http/openapi.js';
import { CreateIntegrationSchema, DisableIntegrationSchema, IntegrationCheckSchema, IntegrationSchema, UpdateIntegrationSchema } from './integrations.routes.js';
import type { IntegrationStats } from './integration-stats.js';
import type { TeamIntegrationsService } from './team-integrations.service.js';

const TeamParams = z.object({ teamId: UlidSchema });
const ItemParams = z.object({ teamId: UlidSchema, id: z.string().min(1).max(64) });
const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } }, required: true });
const integrationResponse = (description: string) => ({ description, content: { 'application/json': { schema: IntegrationSchema } } });
const errors = {
  ...commonErrors,
  403: { description: 'A team member without the owner or admin role', content: { 'application/json': { schema: ErrorSchema } } },
} as const;

const tags = ['team secrets'];
const security = bearerSecurity;
const routes = {
  list: createRoute({
    method: 'get', path: '/teams/{teamId}/integrations', tags, security, summary: 'List a team’s integrations (any member)',
    request: { params: TeamParams, query: PageQuerySchema },
    responses: { 200: { description: 'Page', content: { 'application/json': { schema: pageOf(IntegrationSchema) } } }, ...errors },
  }),
  create: createRoute({
    method: 'post', path: '/teams/{teamId}/integrations', tags, security, summary: 'Store a team provider key (owner or admin)',
    request: { params: TeamParams, body: json(CreateIntegrationSchema) },
    responses: { 201: integrationResponse('Stored'), ...errors },
  }),
  get: createRoute({
    method: 'get', path: '/teams/{teamId}/integrations/{id}', tags, security, summary: 'One team integration (masked)',
    request: { params: ItemParams },
    responses: { 200: integrationResponse('Integration'), ...errors },
  }),
  update: createRoute({
    method: 'patch', path: '/teams/{teamId}/integrations/{id}', tags, security,
    summary: 'Update a team integration; api_key replaces the stored key (owner or admin)',
    request: { params: ItemParams, body: json(UpdateIntegrationSchema) },
    responses: { 200: integrationResponse('Updated'), ...errors },
  }),
  test: createRoute({
    method: 'post', path: '/teams/{teamId}/integrations/{id}/test', tags, security,
    summary: 'Check a team key with a cheap provider call (any member)',
    request: { params: ItemParams },
    responses: { 200: { description: 'Checked', content: { 'application/json': { schema: IntegrationCheckSchema } } }, ...errors },
  }),
  disable: createRoute({
    method: 'post', path: '/teams/{teamId}/integrations/{id}/disable', tags, security,
    summary: 'Take a team integration out of service until it is enabled (owner or admin)',
    request: { params: ItemParams, body: { content: { 'application/json': { schema: DisableIntegrationSchema } }, required: false } },
    responses: { 200: integrationResponse('Disabled (already disabled: unchanged)'), ...errors },
  }),
  enable: createRoute({
    method: 'post', path: '/teams/{teamId}/integrations/{id}/enable', tags, security,
    summary: 'Put a disabled team integration back into service (owner or admin)',
    request: { params: ItemParams },
    responses: { 200: integrationResponse('Enabled (already enabled: unchanged)'), ...errors },
  }),
  remove: createRoute({
    method: 'delete', path: '/teams/{teamId}/integrations/{id}', tags, security, summary: 'Delete a team integration and its key',
    request: { params: ItemParams },
    responses: { 204: { description: 'Deleted' }, ...errors },
  }),
};

export function teamIntegrationsRoutes(service: TeamIntegrationsService, requireAuth: MiddlewareHandler<AppEnv>, stats: IntegrationStats) {
  const router = createApiRouter();
  router.use('/teams/:teamId/integrations', requireAuth);
  router.use('/teams/:teamId/integrations/*', requireAuth);
  const actorOf = (c: Context<AppEnv>) => ({
    userId: c.get('principal').userId,
    ip: c.get('clientIp'),
    userAgent: c.req.header('user-agent')?.slice(0, 512) ?? null,
  });
  const me = (c: Context<AppEnv>) => c.get('principal').userId;

  router.openapi(routes.list, async (c) => {
    const { limit, cursor } = c.req.valid('query');
    const { teamId } = c.req.valid('param');
    const page = await service.listTeamIntegrations(me(c), teamId, { limit, ...(cursor ? { cursor } : {}) });
    return c.json({ ...page, data: await stats.enrich({ kind: 'team', id: teamId }, page.data) }, 200);
  });
  const team = (teamId: string) => ({ kind: 'team', id: teamId }) as const;
  router.openapi(routes.create, async (c) => {
    const { teamId } = c.req.valid('param');
    return c.json(await stats.one(team(teamId), await service.storeTeamIntegration(actorOf(c), teamId, c.req.valid('json'))), 201);
  });
  router.openapi(routes.get, async (c) => {
    const { teamId, id } = c.req.valid('param');
    return c.json(await stats.one(team(teamId), await service.getTeamIntegration(me(c), teamId, id)), 200);
  });
  router.openapi(routes.update, async (c) => {
    const { teamId, id } = c.req.valid('param');
    return c.json(await stats.one(team(teamId), await service.updateTeamIntegration(actorOf(c), teamId, id, c.req.valid('json'))), 200);
  });
  router.openapi(routes.test, async (c) => {
    const { teamId, id } = c.req.valid('param');
    const result = await service.testTeamIntegration(actorOf(c), teamId, id);
    return c.json(storedCheckAnswer({ ...result, integration: await stats.one(team(teamId), result.integration) }), 200);
  });
  router.openapi(routes.disable, async (c) => {
    const { teamId, id } = c.req.valid('param');
    const body = (c.req.valid('json') as { reason?: string } | undefined) ?? {};
    return c.json(await stats.one(team(teamId), await service.disableTeamIntegration(actorOf(c), teamId, id, body.reason)), 200);
  });
  router.openapi(routes.enable, async (c) => {
    const { teamId, id } = c.req.valid('param');
    return c.json(await stats.one(team(teamId), await service.enableTeamIntegration(actorOf(c), teamId, id)), 200);
  });
  router.openapi(routes.remove, async (c) => {
    const { teamId, id } = c.req.valid('param');
    await service.deleteTeamIntegration(actorOf(c), teamId, id);
    return c.body(null, 204);
  });
  return router;
}
