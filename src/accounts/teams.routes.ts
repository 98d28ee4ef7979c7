import { createRoute, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../http/context.js';
import { bearerSecurity, commonErrors, createApiRouter, ErrorSchema, pageOf, PageQuerySchema, UlidSchema } from '../http/openapi.js';
import type { TeamsService } from './teams.service.js';

const RoleSchema = z.enum(['owner', 'admin', 'member']);

const TeamSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    role: RoleSchema.openapi({ description: 'Your role in the team' }),
    disabled: z.boolean().openapi({ description: 'Disabled by a platform admin: its keys and secrets do not serve' }),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Team');

const TeamSummarySchema = TeamSchema.extend({
  member_count: z.number().int().openapi({ description: 'Members of the team' }),
  month_spend_micros: z.number().int().openapi({ description: 'Settled spend of the team this calendar month (UTC), micro-dollars' }),
}).openapi('TeamSummary');

const MemberSchema = z
  .object({
    user_id: z.string(),
    email: z.string(),
    role: RoleSchema,
    joined_at: z.string(),
    last_active_at: z.string().nullable().optional().openapi({ description: 'Their latest session use (in the member list); null if never' }),
  })
  .openapi('TeamMember');

const InvitationPreviewSchema = z
  .object({ team_id: z.string(), team_name: z.string(), role: RoleSchema, email: z.string(), expires_at: z.string() })
  .openapi('TeamInvitationPreview');

const InvitationSchema = z
  .object({
    id: z.string(),
    team_id: z.string(),
    email: z.string(),
    role: RoleSchema,
    invited_by: z.string().nullable(),
    created_at: z.string(),
    expires_at: z.string(),
  })
  .openapi('TeamInvitation');

const TeamNameSchema = z.object({ name: z.string().min(1).max(100) }).strict();
const CreateInvitationSchema = z.object({ email: z.string().min(3).max(320), role: RoleSchema.default('member') }).strict();
const AcceptSchema = z.object({ token: z.string().min(1).max(200) }).strict();

const TeamParams = z.object({ teamId: UlidSchema });
const MemberParams = z.object({ teamId: UlidSchema, userId: UlidSchema });
const InvitationParams = z.object({ teamId: UlidSchema, id: UlidSchema });

const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } }, required: true });
const ok = <T extends z.ZodType>(description: string, schema: T) => ({ description, content: { 'application/json': { schema } } });
const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: ErrorSchema } } });
const teamErrors = {
  ...commonErrors,
  403: errorResponse('A member of the team without the role this needs'),
  409: errorResponse('last_owner: the team would be left without an owner; conflict: already a member'),
} as const;
const errors = teamErrors;

const tags = ['teams'];
const security = bearerSecurity;
const routes = {
  list: createRoute({
    method: 'get', path: '/teams', tags, security, summary: 'Teams you are in, with your role',
    request: { query: PageQuerySchema },
    responses: { 200: ok('Page', pageOf(TeamSummarySchema)), ...errors },
  }),
  create: createRoute({
    method: 'post', path: '/teams', tags, security, summary: 'Create a team; you become its owner',
    request: { body: json(TeamNameSchema) },
    responses: { 201: ok('Created', TeamSchema), ...errors },
  }),
  get: createRoute({
    method: 'get', path: '/teams/{teamId}', tags, security, summary: 'One of your teams',
    request: { params: TeamParams },
    responses: { 200: ok('Team', TeamSummarySchema), ...errors },
  }),
  rename: createRoute({
    method: 'patch', path: '/teams/{teamId}', tags, security, summary: 'Rename a team (owner or admin)',
    request: { params: TeamParams, body: json(TeamNameSchema) },
    responses: { 200: ok('Team', TeamSchema), ...errors },
  }),
  remove: createRoute({
    method: 'delete', path: '/teams/{teamId}', tags, security, summary: 'Delete a team and its secrets (owner)',
    request: { params: TeamParams },
    responses: { 204: { description: 'Deleted' }, ...errors },
  }),
  members: createRoute({
    method: 'get', path: '/teams/{teamId}/members', tags, security, summary: 'Members of a team',
    request: { params: TeamParams, query: PageQuerySchema },
    responses: { 200: ok('Page', pageOf(MemberSchema)), ...errors },
  }),
  changeRole: createRoute({
    method: 'patch', path: '/teams/{teamId}/members/{userId}', tags, security,
    summary: 'Change a member’s role (owners manage everyone, admins manage members)',
    request: { params: MemberParams, body: json(z.object({ role: RoleSchema }).strict()) },
    responses: { 200: ok('Member', MemberSchema), ...errors },
  }),
  removeMember: createRoute({
    method: 'delete', path: '/teams/{teamId}/members/{userId}', tags, security,
    summary: 'Remove a member, or leave the team when userId is yours (the last owner cannot)',
    request: { params: MemberParams },
    responses: { 204: { description: 'Removed' }, ...errors },
  }),
  invite: createRoute({
    method: 'post', path: '/teams/{teamId}/invitations', tags, security, summary: 'Invite someone by mail (owner or admin; only owners invite owners and admins)',
    request: { params: TeamParams, body: json(CreateInvitationSchema) },
    responses: { 201: ok('Invitation (the token is only in the mail)', InvitationSchema), ...errors },
  }),
  invitations: createRoute({
    method: 'get', path: '/teams/{teamId}/invitations', tags, security, summary: 'Pending invitations (owner or admin)',
    request: { params: TeamParams, query: PageQuerySchema },
    responses: { 200: ok('Page', pageOf(InvitationSchema)), ...errors },
  }),
  revokeInvitation: createRoute({
    method: 'delete', path: '/teams/{teamId}/invitations/{id}', tags, security, summary: 'Revoke a pending invitation',
    request: { params: InvitationParams },
    responses: { 204: { description: 'Revoked' }, ...errors },
  }),
  resendInvitation: createRoute({
    method: 'post', path: '/teams/{teamId}/invitations/{id}/resend', tags, security,
    summary: 'Mail a pending invitation again with a new link and expiry (the old link stops working)',
    request: { params: InvitationParams },
    responses: { 200: ok('Invitation', InvitationSchema), ...errors },
  }),
  previewInvitation: createRoute({
    method: 'post', path: '/invitations/lookup', tags, security,
    summary: 'The team and role an invitation offers (the invited, logged-in user only; the token stays out of URLs)',
    request: { body: json(AcceptSchema) },
    responses: { 200: ok('Invitation preview', InvitationPreviewSchema), ...errors },
  }),
  declineInvitation: createRoute({
    method: 'post', path: '/invitations/decline', tags, security, summary: 'Decline an invitation mailed to your address',
    request: { body: json(AcceptSchema) },
    responses: { 204: { description: 'Declined' }, ...errors },
  }),
  accept: createRoute({
    method: 'post', path: '/invitations/accept', tags, security,
    summary: 'Accept an invitation mailed to your address; you join with the invited role',
    request: { body: json(AcceptSchema) },
    responses: { 200: ok('The team joined', TeamSchema), ...errors },
  }),
};

const actorOf = (c: Context<AppEnv>) => ({
  userId: c.get('principal').userId,
  ip: c.get('clientIp'),
  userAgent: c.req.header('user-agent')?.slice(0, 512) ?? null,
});

const pageInput = (query: { limit: number; cursor?: string | undefined }) => ({ limit: query.limit, ...(query.cursor ? { cursor: query.cursor } : {}) });

export function teamsRoutes(teams: TeamsService, requireAuth: MiddlewareHandler<AppEnv>) {
  const router = createApiRouter();
  // Exact patterns, not '/teams/*': team secrets (vault) mount their own auth under /teams/:teamId/integrations.
  const paths = ['/teams', '/teams/:teamId', '/teams/:teamId/members', '/teams/:teamId/members/*', '/teams/:teamId/invitations', '/teams/:teamId/invitations/*', '/invitations/*'];
  for (const path of paths) router.use(path, requireAuth);
  const me = (c: Context<AppEnv>) => c.get('principal').userId;

  router.openapi(routes.list, async (c) => c.json(await teams.listTeams(me(c), pageInput(c.req.valid('query'))), 200));
  router.openapi(routes.create, async (c) => c.json(await teams.createTeam(actorOf(c), c.req.valid('json')), 201));
  router.openapi(routes.get, async (c) => c.json(await teams.getTeam(me(c), c.req.valid('param').teamId), 200));
  router.openapi(routes.rename, async (c) => c.json(await teams.renameTeam(actorOf(c), c.req.valid('param').teamId, c.req.valid('json')), 200));
  router.openapi(routes.remove, async (c) => {
    await teams.deleteTeam(actorOf(c), c.req.valid('param').teamId);
    return c.body(null, 204);
  });
  router.openapi(routes.members, async (c) =>
    c.json(await teams.listMembers(me(c), c.req.valid('param').teamId, pageInput(c.req.valid('query'))), 200),
  );
  router.openapi(routes.changeRole, async (c) => {
    const { teamId, userId } = c.req.valid('param');
    return c.json(await teams.changeRole(actorOf(c), teamId, userId, c.req.valid('json').role), 200);
  });
  router.openapi(routes.removeMember, async (c) => {
    const { teamId, userId } = c.req.valid('param');
    await teams.removeMember(actorOf(c), teamId, userId);
    return c.body(null, 204);
  });
  router.openapi(routes.invite, async (c) => c.json(await teams.invite(actorOf(c), c.req.valid('param').teamId, c.req.valid('json')), 201));
  router.openapi(routes.invitations, async (c) =>
    c.json(await teams.listInvitations(me(c), c.req.valid('param').teamId, pageInput(c.req.valid('query'))), 200),
  );
  router.openapi(routes.revokeInvitation, async (c) => {
    const { teamId, id } = c.req.valid('param');
    await teams.revokeInvitation(actorOf(c), teamId, id);
    return c.body(null, 204);
  });
  router.openapi(routes.resendInvitation, async (c) => {
    const { teamId, id } = c.req.valid('param');
    return c.json(await teams.resendInvitation(actorOf(c), teamId, id), 200);
  });
  router.openapi(routes.previewInvitation, async (c) => c.json(await teams.previewInvitation(me(c), c.req.valid('json').token), 200));
  router.openapi(routes.declineInvitation, async (c) => {
    await teams.declineInvitation(actorOf(c), c.req.valid('json').token);
    return c.body(null, 204);
  });
  router.openapi(routes.accept, async (c) => c.json(await teams.acceptInvitation(actorOf(c), c.req.valid('json').token), 200));
  return router;
}
