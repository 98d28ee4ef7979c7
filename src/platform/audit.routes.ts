/**
 * GET /api/audit: your own actions, or (with ?team_id=) a team's, for its owners and admins.
 * Team access is a port so this module does not depend on accounts: 404 for a non-member,
 * 403 for a member without the role.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../http/context.js';
import { bearerSecurity, commonErrors, createApiRouter, ErrorSchema, pageOf, PageQuerySchema, UlidSchema } from '../http/openapi.js';
import type { AuditEventRow, AuditLog } from './audit.js';

type TeamRole = 'owner' | 'admin' | 'member';
export interface AuditAccess {
  requireTeamRole(teamId: string, userId: string, minimum: TeamRole): Promise<TeamRole>;
}

export const AuditEventSchema = z
  .object({
    id: z.string(),
    action: z.string().openapi({ example: 'integration.updated' }),
    actor_user_id: z.string().nullable(),
    team_id: z.string().nullable(),
    target_kind: z.string().nullable(),
    target_id: z.string().nullable(),
    metadata: z.record(z.string(), z.unknown()).nullable().openapi({ description: 'Settings before/after; never key material' }),
    ip: z.string().nullable(),
    user_agent: z.string().nullable(),
    created_at: z.string(),
  })
  .openapi('AuditEvent');

const list = createRoute({
  method: 'get',
  path: '/audit',
  tags: ['audit'],
  security: bearerSecurity,
  summary: 'Audit events: yours, or a team’s with team_id (owners and admins), newest first',
  request: { query: PageQuerySchema.extend({ team_id: UlidSchema.optional() }) },
  responses: {
    200: { description: 'Page', content: { 'application/json': { schema: pageOf(AuditEventSchema) } } },
    403: { description: 'A team member without the owner or admin role', content: { 'application/json': { schema: ErrorSchema } } },
    ...commonErrors,
  },
});

export const toAuditView = (row: AuditEventRow) => ({
  id: row.id,
  action: row.action,
  actor_user_id: row.actorUserId,
  team_id: row.teamId,
  target_kind: row.targetKind,
  target_id: row.targetId,
  metadata: (row.metadata as Record<string, unknown> | null) ?? null,
  ip: row.ip,
  user_agent: row.userAgent,
  created_at: row.createdAt.toISOString(),
});

export function auditRoutes(audit: Pick<AuditLog, 'list'>, access: AuditAccess, requireAuth: MiddlewareHandler<AppEnv>) {
  const router = createApiRouter();
  router.use('/audit', requireAuth);
  router.openapi(list, async (c) => {
    const { limit, cursor, team_id: teamId } = c.req.valid('query');
    const userId = c.get('principal').userId;
    if (teamId) await access.requireTeamRole(teamId, userId, 'admin');
    const rows = await audit.list(teamId ? { teamId } : { actorUserId: userId }, { limit: limit + 1, ...(cursor ? { before: cursor } : {}) });
    const data = rows.slice(0, limit).map(toAuditView);
    return c.json({ data, next_cursor: rows.length > limit ? (data.at(-1)?.id ?? null) : null }, 200);
  });
  return router;
}
