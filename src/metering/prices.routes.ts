/**
 * /api/admin/prices: the effective price catalog and admin overrides. Like every /api/admin path,
 * anyone who is not an active platform admin gets 404 route_not_found.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../http/context.js';
import { bearerSecurity, commonErrors, createApiRouter, UlidSchema } from '../http/openapi.js';
import { serviceIds } from '../gateway/providers/provider.js';
import type { PriceOverrides } from './price-overrides.js';

const micros = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).nullable().optional();
const nullableMicros = z.number().int().nullable();

const PriceSchema = z
  .object({
    id: z.string().nullable().openapi({ description: 'The override id (source `override`), else null' }),
    source: z.enum(['bundled', 'file', 'override']),
    effective_from: z.string().nullable().openapi({ description: 'ISO 8601; null: since always' }),
    in_force: z.boolean().openapi({ description: 'The price a request made now is charged' }),
    input_micros_per_mtok: nullableMicros,
    output_micros_per_mtok: nullableMicros,
    cached_input_micros_per_mtok: nullableMicros,
    cache_write_micros_per_mtok: nullableMicros,
    per_image_micros: nullableMicros,
    per_image_variants: z.record(z.string(), z.number().int()).nullable().openapi({ description: '`<size>` / `<size>/<quality>` / `default` → micro-dollars per image' }),
    per_second_micros: nullableMicros,
  })
  .openapi('Price');

const CatalogEntrySchema = z.object({ service: z.string(), model: z.string(), prices: z.array(PriceSchema) }).openapi('CatalogEntry');

const CreateOverrideSchema = z
  .object({
    service: z.enum(serviceIds),
    model: z.string().min(1).max(200).regex(/^[^\s]+$/, 'must not contain whitespace'),
    input_micros_per_mtok: micros.openapi({ description: 'Micro-dollars per million input tokens' }),
    output_micros_per_mtok: micros,
    cached_input_micros_per_mtok: micros.openapi({ description: 'Cache reads' }),
    cache_write_micros_per_mtok: micros,
    per_image_micros: micros.openapi({ description: 'Micro-dollars per image (replaces any per-variant prices)' }),
    per_second_micros: micros.openapi({ description: 'Micro-dollars per second of video' }),
    effective_from: z
      .string()
      .max(40)
      .refine((value) => !Number.isNaN(Date.parse(value)), { message: 'must be an ISO 8601 date or date-time' })
      .optional()
      .openapi({ description: 'Default: now' }),
  })
  .strict()
  .openapi('CreatePriceOverride');

const OverrideSchema = z
  .object({
    id: z.string(),
    service: z.string(),
    model: z.string(),
    effective_from: z.string().nullable(),
    input_micros_per_mtok: nullableMicros,
    output_micros_per_mtok: nullableMicros,
    cached_input_micros_per_mtok: nullableMicros,
    cache_write_micros_per_mtok: nullableMicros,
    per_image_micros: nullableMicros,
    per_second_micros: nullableMicros,
    created_at: z.string(),
  })
  .openapi('PriceOverride');

const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  cursor: z.string().max(300).optional().openapi({ description: 'next_cursor from the previous page' }),
  service: z.enum(serviceIds).optional(),
  model: z.string().min(1).max(200).optional().openapi({ description: 'Case-insensitive fragment of the model id' }),
});

const tags = ['admin'];
const security = bearerSecurity;
const routes = {
  list: createRoute({
    method: 'get', path: '/admin/prices', tags, security, summary: 'The effective price catalog (bundled, file and overrides), per model',
    request: { query: ListQuery },
    responses: {
      200: {
        description: 'Page',
        content: { 'application/json': { schema: z.object({ data: z.array(CatalogEntrySchema), next_cursor: z.string().nullable(), catalog_version: z.string() }) } },
      },
      ...commonErrors,
    },
  }),
  create: createRoute({
    method: 'post', path: '/admin/prices', tags, security, summary: 'Add a price override (effective from a date, default now)',
    request: { body: { content: { 'application/json': { schema: CreateOverrideSchema } }, required: true } },
    responses: { 201: { description: 'Created', content: { 'application/json': { schema: OverrideSchema } } }, ...commonErrors },
  }),
  remove: createRoute({
    method: 'delete', path: '/admin/prices/{id}', tags, security, summary: 'Delete a price override',
    request: { params: z.object({ id: UlidSchema }) },
    responses: { 204: { description: 'Deleted' }, ...commonErrors },
  }),
};

export function adminPricesRoutes(prices: PriceOverrides, requireAdmin: MiddlewareHandler<AppEnv>) {
  const router = createApiRouter();
  router.use('/admin/prices', requireAdmin);
  router.use('/admin/prices/*', requireAdmin);
  const actorOf = (c: Context<AppEnv>) => ({
    userId: c.get('principal').userId,
    ip: c.get('clientIp'),
    userAgent: c.req.header('user-agent')?.slice(0, 512) ?? null,
  });

  router.openapi(routes.list, (c) => {
    const { limit, cursor, service, model } = c.req.valid('query');
    return c.json(prices.list({ limit, ...(cursor ? { cursor } : {}), ...(service ? { service } : {}), ...(model ? { model } : {}) }), 200);
  });
  router.openapi(routes.create, async (c) => {
    const { effective_from: effectiveFrom, ...fields } = c.req.valid('json');
    const view = await prices.create(actorOf(c), { ...fields, ...(effectiveFrom ? { effective_from: new Date(effectiveFrom) } : {}) });
    return c.json(view, 201);
  });
  router.openapi(routes.remove, async (c) => {
    await prices.remove(actorOf(c), c.req.valid('param').id);
    return c.body(null, 204);
  });
  return router;
}
