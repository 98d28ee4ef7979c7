import { createRoute, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../http/context.js';
import { bearerSecurity, commonErrors, createApiRouter, ErrorSchema, pageOf, PageQuerySchema } from '../http/openapi.js';
import { MAX_ROLL_GRACE_SECONDS, type PlatformKeysService } from './platform-keys.service.js';

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/i;

const RateLimitSchema = z
  .object({ rps: z.number().int().positive().optional(), rpm: z.number().int().positive().optional(), tpm: z.number().int().positive().optional() })
  .strict();

const CreateKeySchema = z
  .object({
    name: z.string().min(1).max(100),
    team_id: z.string().regex(ULID, 'must be a team id (ULID)').nullable().optional().openapi({ description: 'Act for this team (you must be a member)' }),
    expires_at: z.iso.datetime({ offset: true }).nullable().optional(),
    models: z
      .array(z.string().min(1).max(256))
      .max(100)
      .nullable()
      .optional()
      .openapi({ description: 'Allow-list of models, e.g. ["openai/gpt-4o-mini", "anthropic/*"]; absent = any' }),
    rate_limit: RateLimitSchema.nullable().optional(),
    monthly_budget_micros: z.number().int().nonnegative().nullable().optional(),
  })
  .strict()
  .openapi('CreatePlatformKey');

const KeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    key_last4: z.string(),
    team_id: z.string().nullable(),
    models: z.array(z.string()).nullable(),
    rate_limit: RateLimitSchema.nullable(),
    monthly_budget_micros: z.number().nullable(),
    expires_at: z.string().nullable(),
    revoked_at: z.string().nullable().openapi({ description: 'When the key stops (or stopped) working; in the future while a roll’s grace period runs (status stays "active" until then)' }),
    last_used_at: z.string().nullable(),
    created_at: z.string(),
    status: z.enum(['active', 'expired', 'revoked']),
  })
  .openapi('PlatformKey');

const CreatedKeySchema = KeySchema.extend({
  key: z.string().openapi({ description: 'The key (sk-sb-…). Shown only in this response: store it now.' }),
}).openapi('CreatedPlatformKey');

const RollKeySchema = z
  .object({
    revoke_old_in: z.number().int().min(0).max(MAX_ROLL_GRACE_SECONDS).openapi({
      description: 'Seconds the old key keeps working: 0 revokes it now; the web app offers 0, 3600 and 86400',
      example: 3600,
    }),
  })
  .strict()
  .openapi('RollPlatformKey');

const RolledKeySchema = CreatedKeySchema.extend({
  replaced: KeySchema.openapi({ description: 'The old key as it now is: revoked_at says when it stops working' }),
}).openapi('RolledPlatformKey');

const IdParams = z.object({ id: z.string().regex(ULID, 'must be a key id (ULID)') });
const tags = ['platform keys'];

const list = createRoute({
  method: 'get', path: '/keys', tags, security: bearerSecurity, summary: 'List your platform keys',
  request: { query: PageQuerySchema },
  responses: { 200: { description: 'Page', content: { 'application/json': { schema: pageOf(KeySchema) } } }, ...commonErrors },
});
const create = createRoute({
  method: 'post', path: '/keys', tags, security: bearerSecurity, summary: 'Create a platform key (shown once)',
  request: { body: { content: { 'application/json': { schema: CreateKeySchema } }, required: true } },
  responses: { 201: { description: 'Created', content: { 'application/json': { schema: CreatedKeySchema } } }, ...commonErrors },
});
const get = createRoute({
  method: 'get', path: '/keys/{id}', tags, security: bearerSecurity, summary: 'One platform key (never the secret)',
  request: { params: IdParams },
  responses: { 200: { description: 'Key', content: { 'application/json': { schema: KeySchema } } }, ...commonErrors },
});
const revoke = createRoute({
  method: 'delete', path: '/keys/{id}', tags, security: bearerSecurity, summary: 'Revoke a platform key (every replica, within a second)',
  request: { params: IdParams },
  responses: { 204: { description: 'Revoked' }, ...commonErrors },
});

const roll = createRoute({
  method: 'post', path: '/keys/{id}/roll', tags, security: bearerSecurity,
  summary: 'Replace a key: a new key with the same settings (shown once); the old one is revoked now or after a grace period',
  request: { params: IdParams, body: { content: { 'application/json': { schema: RollKeySchema } }, required: true } },
  responses: {
    201: { description: 'The replacement (its key shown only here) and the old key', content: { 'application/json': { schema: RolledKeySchema } } },
    ...commonErrors,
    409: { description: 'The key is revoked or expired, or a team key whose team you left', content: { 'application/json': { schema: ErrorSchema } } },
  },
});

const actorOf = (c: Context<AppEnv>) => ({
  userId: c.get('principal').userId,
  ip: c.get('clientIp'),
  userAgent: c.req.header('user-agent')?.slice(0, 512) ?? null,
});

export function platformKeysRoutes(keys: PlatformKeysService, requireAuth: MiddlewareHandler<AppEnv>) {
  const router = createApiRouter();
  router.use('/keys', requireAuth);
  router.use('/keys/*', requireAuth);
  router.openapi(list, async (c) => {
    const { limit, cursor } = c.req.valid('query');
    return c.json(await keys.listKeys(c.get('principal').userId, { limit, ...(cursor ? { cursor } : {}) }), 200);
  });
  router.openapi(create, async (c) => c.json(await keys.createKey(actorOf(c), c.req.valid('json')), 201));
  router.openapi(get, async (c) => c.json(await keys.getKey(c.get('principal').userId, c.req.valid('param').id), 200));
  router.openapi(roll, async (c) => c.json(await keys.rollKey(actorOf(c), c.req.valid('param').id, c.req.valid('json').revoke_old_in), 201));
  router.openapi(revoke, async (c) => {
    await keys.revokeKey(actorOf(c), c.req.valid('param').id);
    return c.body(null, 204);
  });
  return router;
}
