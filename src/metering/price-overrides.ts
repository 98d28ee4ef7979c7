/**
 * Admin price overrides: rows of `price_overrides` laid over the bundled catalog. Loaded at start,
 * reloaded on every replica when one changes (invalidation topic `price`, and after a missed-
 * message resync), so the next request anywhere is priced with them. Creating and deleting are
 * audited in the same transaction as the change.
 */
import { asc, eq } from 'drizzle-orm';
import type { AuditLog } from '../platform/audit.js';
import { AppError } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import type { InvalidationBus } from '../platform/invalidation.js';
import type { Logger } from '../platform/logger.js';
import type { Database } from '../store/db.js';
import { priceOverrides } from '../store/schema.js';
import type { PriceCatalog, PriceOverride, PricePoint } from './price-catalog.js';

export interface PriceOverrideInput {
  service: string;
  model: string;
  input_micros_per_mtok?: number | null | undefined;
  output_micros_per_mtok?: number | null | undefined;
  cached_input_micros_per_mtok?: number | null | undefined;
  cache_write_micros_per_mtok?: number | null | undefined;
  per_image_micros?: number | null | undefined;
  per_second_micros?: number | null | undefined;
  effective_from?: Date | undefined;
}

export interface PriceView {
  id: string | null;
  source: PricePoint['source'];
  effective_from: string | null;
  in_force: boolean;
  input_micros_per_mtok: number | null;
  output_micros_per_mtok: number | null;
  cached_input_micros_per_mtok: number | null;
  cache_write_micros_per_mtok: number | null;
  per_image_micros: number | null;
  per_image_variants: Record<string, number> | null;
  per_second_micros: number | null;
}

export interface OverrideView extends Omit<PriceView, 'id' | 'source' | 'in_force' | 'per_image_variants'> {
  id: string;
  service: string;
  model: string;
  created_at: string;
}

export interface Actor {
  userId: string;
  ip?: string | null;
  userAgent?: string | null;
}

const PRICE_FIELDS = [
  'input_micros_per_mtok',
  'output_micros_per_mtok',
  'cached_input_micros_per_mtok',
  'cache_write_micros_per_mtok',
  'per_image_micros',
  'per_second_micros',
] as const;

type Row = typeof priceOverrides.$inferSelect;

const toOverride = (row: Row): PriceOverride => ({
  id: row.id,
  service: row.service,
  model: row.model,
  inputMicrosPerMtok: row.inputMicrosPerMtok,
  outputMicrosPerMtok: row.outputMicrosPerMtok,
  cachedInputMicrosPerMtok: row.cachedInputMicrosPerMtok,
  cacheWriteMicrosPerMtok: row.cacheWriteMicrosPerMtok,
  perImageMicros: row.perImageMicros,
  perSecondMicros: row.perSecondMicros,
  effectiveFrom: row.effectiveFrom,
});

const toOverrideView = (row: Row): OverrideView => ({
  id: row.id,
  service: row.service,
  model: row.model,
  effective_from: row.effectiveFrom.toISOString(),
  input_micros_per_mtok: row.inputMicrosPerMtok,
  output_micros_per_mtok: row.outputMicrosPerMtok,
  cached_input_micros_per_mtok: row.cachedInputMicrosPerMtok,
  cache_write_micros_per_mtok: row.cacheWriteMicrosPerMtok,
  per_image_micros: row.perImageMicros,
  per_second_micros: row.perSecondMicros,
  created_at: row.createdAt.toISOString(),
});

function toPriceView(point: PricePoint, inForce: boolean): PriceView {
  return {
    id: point.overrideId ?? null,
    source: point.source,
    effective_from: point.fromMs === 0 ? null : new Date(point.fromMs).toISOString(),
    in_force: inForce,
    input_micros_per_mtok: point.inputMicrosPerMtok ?? null,
    output_micros_per_mtok: point.outputMicrosPerMtok ?? null,
    cached_input_micros_per_mtok: point.cachedInputMicrosPerMtok ?? null,
    cache_write_micros_per_mtok: point.cacheWriteMicrosPerMtok ?? null,
    per_image_micros: point.perImageMicros ?? null,
    per_image_variants: point.perImageVariants ? Object.fromEntries(point.perImageVariants) : null,
    per_second_micros: point.perSecondMicros ?? null,
  };
}

export interface PriceOverridesDeps {
  db: Database;
  catalog: PriceCatalog;
  audit: AuditLog;
  bus: InvalidationBus;
  logger: Logger;
}

export function createPriceOverrides({ db, catalog, audit, bus, logger }: PriceOverridesDeps) {
  let loading: Promise<void> | undefined;
  let again = false;

  async function loadOnce(): Promise<void> {
    const rows = await db.select().from(priceOverrides).orderBy(asc(priceOverrides.effectiveFrom), asc(priceOverrides.id));
    catalog.setOverrides(rows.map(toOverride));
  }

  /** Reloads every override; concurrent calls coalesce into one more load after the running one. */
  function reload(): Promise<void> {
    if (loading) {
      again = true;
      return loading;
    }
    loading = (async () => {
      try {
        do {
          again = false;
          await loadOnce();
        } while (again);
      } finally {
        loading = undefined;
      }
    })();
    return loading;
  }

  const reloadInBackground = () =>
    void reload().catch((error: unknown) => logger.error({ err: error }, 'could not reload price overrides; the previous ones stay in force'));
  bus.subscribe('price', reloadInBackground);
  bus.onResync(reloadInBackground);

  const recordChange = (action: string, actor: Actor, id: string, metadata: Record<string, unknown>, tx: Parameters<Parameters<Database['transaction']>[0]>[0]) =>
    audit.record({ action, actorUserId: actor.userId, targetKind: 'price_override', targetId: id, ip: actor.ip ?? null, userAgent: actor.userAgent ?? null, metadata }, tx);

  return {
    /** Loads the overrides at start (and whenever asked). */
    load: reload,

    /** The effective catalog: every priced model with its dated prices, newest first. */
    list(filter: { service?: string; model?: string; limit: number; cursor?: string }) {
      const now = Date.now();
      const needle = filter.model?.toLowerCase();
      const keys = catalog.models().filter((key) => {
        const slash = key.indexOf('/');
        if (filter.service && key.slice(0, slash) !== filter.service) return false;
        if (needle && !key.slice(slash + 1).toLowerCase().includes(needle)) return false;
        return !filter.cursor || key > filter.cursor;
      });
      const page = keys.slice(0, filter.limit);
      const data = page.map((key) => {
        const slash = key.indexOf('/');
        const points = catalog.pricesOf(key);
        const current = points.find((point) => point.fromMs <= now);
        return { service: key.slice(0, slash), model: key.slice(slash + 1), prices: points.map((point) => toPriceView(point, point === current)) };
      });
      return { data, next_cursor: keys.length > filter.limit ? (page.at(-1) ?? null) : null, catalog_version: catalog.baseVersion };
    },

    async create(actor: Actor, input: PriceOverrideInput): Promise<OverrideView> {
      if (!PRICE_FIELDS.some((field) => input[field] !== undefined && input[field] !== null)) {
        throw new AppError('invalid_request', { message: `Set at least one price: ${PRICE_FIELDS.join(', ')}.` });
      }
      const id = newId();
      const row = await db.transaction(async (tx) => {
        const [created] = await tx
          .insert(priceOverrides)
          .values({
            id,
            service: input.service,
            model: input.model,
            inputMicrosPerMtok: input.input_micros_per_mtok ?? null,
            outputMicrosPerMtok: input.output_micros_per_mtok ?? null,
            cachedInputMicrosPerMtok: input.cached_input_micros_per_mtok ?? null,
            cacheWriteMicrosPerMtok: input.cache_write_micros_per_mtok ?? null,
            perImageMicros: input.per_image_micros ?? null,
            perSecondMicros: input.per_second_micros ?? null,
            effectiveFrom: input.effective_from ?? new Date(),
            createdBy: actor.userId,
          })
          .returning();
        if (!created) throw new Error('insert returned no row');
        const view = toOverrideView(created);
        await recordChange('price_override.created', actor, id, { after: view }, tx);
        return created;
      });
      // Every replica reloads on the bus message; this one also waits for its reload, so it
      // prices with the change before answering.
      bus.publish('price', id);
      await reload();
      return toOverrideView(row);
    },

    async remove(actor: Actor, id: string): Promise<void> {
      await db.transaction(async (tx) => {
        const [removed] = await tx.delete(priceOverrides).where(eq(priceOverrides.id, id)).returning();
        if (!removed) throw new AppError('not_found', { message: 'Price override not found.' });
        await recordChange('price_override.deleted', actor, id, { before: toOverrideView(removed) }, tx);
      });
      bus.publish('price', id);
      await reload();
    },
  };
}

export type PriceOverrides = ReturnType<typeof createPriceOverrides>;
