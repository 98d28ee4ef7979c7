/**
 * The price catalog: what one request cost, in integer micro-dollars. Prices come from the bundled
 * prices.json (USD as providers publish them: per million tokens, per image, per second of
 * video), optionally extended by SWITCHBOARD_PRICES_FILE (same shape), and from admin overrides
 * stored in `price_overrides` (micro-dollars). Every price has an `effective_from`; a request is
 * priced with the newest price whose date is not after the request. A model without a price is
 * "unpriced": its cost is unknown (null), never $0.
 *
 * costOf runs once per request: lookups are one Map get and a short walk over that model's dated
 * prices (newest first), no allocation besides the key string.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import bundled from './prices.json' with { type: 'json' };
import type { NormalizedUsage } from '../gateway/providers/provider.js';

const usd = z.number().nonnegative();
const isoDate = z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'must be an ISO 8601 date');

const PriceSchema = z
  .object({
    effective_from: isoDate.optional(),
    input: usd.optional(),
    output: usd.optional(),
    cached_input: usd.optional(),
    cache_write: usd.optional(),
    /** USD per image: one price, or by variant (`<size>`, `<size>/<quality>`, `default`). */
    per_image: z.union([usd, z.record(z.string().min(1), usd)]).optional(),
    /** USD per second of generated video. */
    per_second: usd.optional(),
  })
  .strict()
  .refine((price) => (price.input === undefined) === (price.output === undefined), {
    message: 'input and output are priced together',
  })
  .refine((price) => price.input !== undefined || price.per_image !== undefined || price.per_second !== undefined, {
    message: 'a price needs input/output, per_image or per_second',
  });

const PriceFileSchema = z.object({
  $comment: z.string().optional(),
  as_of: z.string().optional(),
  sources_note: z.string().optional(),
  sources: z.record(z.string(), z.string()).optional(),
  models: z.record(z.string().regex(/^[a-z_]+\/.+$/, 'keys are "service/model"'), z.union([PriceSchema, z.array(PriceSchema).min(1)])),
});

export type PriceSource = 'bundled' | 'file' | 'override';

/** One dated price of one model. Token prices are micro-dollars per million tokens. */
export interface PricePoint {
  /** Epoch millis from which this price applies. */
  fromMs: number;
  source: PriceSource;
  /** The override's id (source `override`). */
  overrideId?: string;
  inputMicrosPerMtok?: number;
  outputMicrosPerMtok?: number;
  cachedInputMicrosPerMtok?: number;
  cacheWriteMicrosPerMtok?: number;
  /** A flat per-image price. */
  perImageMicros?: number;
  /** Per-image prices by variant (`<size>`, `<size>/<quality>`, `default`). */
  perImageVariants?: ReadonlyMap<string, number>;
  perSecondMicros?: number;
  /** The catalog version a request priced with this point records (set when the catalog is built). */
  version?: string;
}

/** Backwards-compatible name: the price in force now. */
export type ModelPrice = PricePoint;

/** An admin override as stored (micro-dollars; absent fields inherit the catalog price in force). */
export interface PriceOverride {
  id: string;
  service: string;
  model: string;
  inputMicrosPerMtok: number | null;
  outputMicrosPerMtok: number | null;
  cachedInputMicrosPerMtok: number | null;
  cacheWriteMicrosPerMtok: number | null;
  perImageMicros: number | null;
  perSecondMicros: number | null;
  effectiveFrom: Date;
}

export interface Cost {
  /** Null when unknown: the model is unpriced or the provider did not report the billed units. */
  costMicros: number | null;
  priced: boolean;
  /** The catalog (bundled + file + the override that applied, if any) the price came from. */
  catalogVersion?: string;
}

const toMicros = (usdAmount: number) => Math.round(usdAmount * 1_000_000);

/** Dated snapshots (`-20250929`, `-2024-07-18`) are priced like their alias. */
const DATE_SUFFIX = /-(\d{8}|\d{4}-\d{2}-\d{2})$/;

/** A broken overrides file fails start-up with its path in the message, not a bare JSON error. */
function readFile(file: string): { text: string; json: unknown } {
  try {
    const text = readFileSync(file, 'utf8');
    return { text, json: JSON.parse(text) };
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`, { cause: error });
  }
}

function parsePriceFile(source: unknown, origin: string, kind: PriceSource): { asOf: string | undefined; points: Map<string, PricePoint[]> } {
  const parsed = PriceFileSchema.safeParse(source);
  if (!parsed.success) throw new Error(`${origin}: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
  const points = new Map<string, PricePoint[]>();
  for (const [model, entry] of Object.entries(parsed.data.models)) {
    const list = (Array.isArray(entry) ? entry : [entry]).map((price): PricePoint => {
      const point: PricePoint = { fromMs: price.effective_from ? Date.parse(price.effective_from) : 0, source: kind };
      if (price.input !== undefined && price.output !== undefined) {
        point.inputMicrosPerMtok = toMicros(price.input);
        point.outputMicrosPerMtok = toMicros(price.output);
        point.cachedInputMicrosPerMtok = toMicros(price.cached_input ?? price.input);
        point.cacheWriteMicrosPerMtok = toMicros(price.cache_write ?? price.input);
      }
      if (typeof price.per_image === 'number') point.perImageMicros = toMicros(price.per_image);
      else if (price.per_image) point.perImageVariants = new Map(Object.entries(price.per_image).map(([variant, amount]) => [variant, toMicros(amount)]));
      if (price.per_second !== undefined) point.perSecondMicros = toMicros(price.per_second);
      return point;
    });
    points.set(model, list);
  }
  return { asOf: parsed.data.as_of, points };
}

const newestFirst = (a: PricePoint, b: PricePoint) => b.fromMs - a.fromMs;

/** An override's fields over the price in force at its date (so a partial override keeps the rest). */
function applyOverride(base: PricePoint | undefined, override: PriceOverride): PricePoint {
  const point: PricePoint = { ...(base ?? {}), fromMs: override.effectiveFrom.getTime(), source: 'override', overrideId: override.id };
  if (override.inputMicrosPerMtok !== null) {
    point.inputMicrosPerMtok = override.inputMicrosPerMtok;
    if (base?.inputMicrosPerMtok === undefined) {
      point.cachedInputMicrosPerMtok ??= override.inputMicrosPerMtok;
      point.cacheWriteMicrosPerMtok ??= override.inputMicrosPerMtok;
    }
  }
  if (override.outputMicrosPerMtok !== null) point.outputMicrosPerMtok = override.outputMicrosPerMtok;
  if (override.cachedInputMicrosPerMtok !== null) point.cachedInputMicrosPerMtok = override.cachedInputMicrosPerMtok;
  if (override.cacheWriteMicrosPerMtok !== null) point.cacheWriteMicrosPerMtok = override.cacheWriteMicrosPerMtok;
  if (override.perImageMicros !== null) {
    point.perImageMicros = override.perImageMicros;
    delete point.perImageVariants;
  }
  if (override.perSecondMicros !== null) point.perSecondMicros = override.perSecondMicros;
  // Token prices come in pairs: an override of one side on a model without token prices prices the other at 0.
  if (point.inputMicrosPerMtok !== undefined || point.outputMicrosPerMtok !== undefined) {
    point.inputMicrosPerMtok ??= 0;
    point.outputMicrosPerMtok ??= 0;
    point.cachedInputMicrosPerMtok ??= point.inputMicrosPerMtok;
    point.cacheWriteMicrosPerMtok ??= point.inputMicrosPerMtok;
  }
  return point;
}

/** The price of `points` (newest first) in force at `atMs`. */
function pointAt(points: readonly PricePoint[], atMs: number): PricePoint | undefined {
  for (const point of points) if (point.fromMs <= atMs) return point;
  return undefined;
}

function perImageOf(point: PricePoint, variant: string | undefined): number | undefined {
  if (point.perImageVariants) {
    if (variant !== undefined) {
      const exact = point.perImageVariants.get(variant);
      if (exact !== undefined) return exact;
      // `1024x1024/auto` with only a `1024x1024` row: the size decides.
      const slash = variant.indexOf('/');
      if (slash > 0) {
        const bySize = point.perImageVariants.get(variant.slice(0, slash));
        if (bySize !== undefined) return bySize;
      }
    }
    return point.perImageVariants.get('default');
  }
  return point.perImageMicros;
}

export function createPriceCatalog(options: { overridesFile?: string | undefined } = {}) {
  const base = parsePriceFile(bundled, 'bundled prices.json', 'bundled');
  const bundledVersion = base.asOf ?? 'bundled';
  let fileVersion = '';
  if (options.overridesFile) {
    const { text, json } = readFile(options.overridesFile);
    const file = parsePriceFile(json, options.overridesFile, 'file');
    // A file's dated prices replace the bundled list of that model entirely.
    for (const [model, points] of file.points) base.points.set(model, points);
    fileVersion = `+file:${file.asOf ?? createHash('sha256').update(text).digest('hex').slice(0, 8)}`;
  }
  const baseVersion = `${bundledVersion}${fileVersion}`;
  for (const points of base.points.values()) points.sort(newestFirst);

  let prices = new Map<string, PricePoint[]>(base.points);
  let serviceByBareModel = new Map<string, string>();
  let modelsByService = new Map<string, string[]>();
  let overridesInForce: readonly PriceOverride[] = [];

  function index() {
    const byBare = new Map<string, string>();
    const byService = new Map<string, string[]>();
    for (const key of [...prices.keys()].sort()) {
      const slash = key.indexOf('/');
      const service = key.slice(0, slash);
      const bare = key.slice(slash + 1);
      // `service/*` prices every model of a service (local/*) but names none.
      if (bare === '*') continue;
      if (!byBare.has(bare)) byBare.set(bare, service);
      const list = byService.get(service) ?? [];
      list.push(bare);
      byService.set(service, list);
    }
    serviceByBareModel = byBare;
    modelsByService = byService;
  }
  index();

  /**
   * `service/model` → its dated prices, resolving snapshots and `service/*` once per distinct
   * model (a bounded memo, rebuilt with the catalog), so the per-request path is one Map get.
   */
  let resolved = new Map<string, PricePoint[] | null>();
  const MAX_RESOLVED = 10_000;

  function pointsOf(service: string, model: string): PricePoint[] | undefined {
    const key = `${service}/${model}`;
    const hit = resolved.get(key);
    if (hit !== undefined) return hit ?? undefined;
    const found = prices.get(key) ?? prices.get(`${service}/${model.replace(DATE_SUFFIX, '')}`) ?? prices.get(`${service}/*`) ?? null;
    if (resolved.size >= MAX_RESOLVED) resolved = new Map();
    resolved.set(key, found);
    return found ?? undefined;
  }

  const stamp = (points: Iterable<PricePoint[]>) => {
    for (const list of points) for (const point of list) point.version = point.overrideId ? `${baseVersion}+${point.overrideId}` : baseVersion;
  };
  stamp(prices.values());

  return {
    /** The bundled catalog (and prices file) version, without overrides. */
    baseVersion,

    /** The price in force at `at` (default now). */
    priceOf(service: string, model: string, at?: Date): PricePoint | undefined {
      const points = pointsOf(service, model);
      return points ? pointAt(points, at ? at.getTime() : Date.now()) : undefined;
    },

    /** Every dated price of `service/model`, newest first. */
    pricesOf(key: string): readonly PricePoint[] {
      return prices.get(key) ?? [];
    },

    serviceForModel(model: string): string | undefined {
      return serviceByBareModel.get(model) ?? serviceByBareModel.get(model.replace(DATE_SUFFIX, ''));
    },

    /** Every priced `service/model`, sorted. */
    models(): string[] {
      return [...prices.keys()].sort();
    },

    /** The catalog's model ids (no prefix) of one service, sorted. */
    modelsOf(service: string): readonly string[] {
      return modelsByService.get(service) ?? [];
    },

    overrides(): readonly PriceOverride[] {
      return overridesInForce;
    },

    /**
     * Replaces the admin overrides (all of them, as stored). Each becomes a dated price of its
     * model, inheriting the fields it does not set from the bundled price in force at its date.
     */
    setOverrides(overrides: readonly PriceOverride[]): void {
      const next = new Map<string, PricePoint[]>(base.points);
      const sorted = [...overrides].sort((a, b) => a.effectiveFrom.getTime() - b.effectiveFrom.getTime() || (a.id < b.id ? -1 : 1));
      for (const override of sorted) {
        const key = `${override.service}/${override.model}`;
        const current = next.get(key) ?? [];
        const point = applyOverride(pointAt(current, override.effectiveFrom.getTime()), override);
        next.set(key, [...current, point].sort(newestFirst));
      }
      stamp(next.values());
      prices = next;
      resolved = new Map();
      overridesInForce = sorted;
      index();
    },

    /**
     * Cost of one request at `at` (default now), rounded to the nearest micro-dollar. Cached and
     * cache-write tokens are part of inputTokens and priced at their own rates; images at their
     * variant's price; video per second. Units the provider did not report stay unknown.
     */
    costOf(service: string, model: string, usage: NormalizedUsage, at?: Date): Cost {
      const points = pointsOf(service, model);
      const point = points ? pointAt(points, at ? at.getTime() : Date.now()) : undefined;
      if (!point) return { costMicros: null, priced: false };
      const catalogVersion = point.version ?? baseVersion;
      if (usage.videoSeconds !== undefined) {
        if (point.perSecondMicros === undefined) return { costMicros: null, priced: false, catalogVersion };
        return { costMicros: Math.round(usage.videoSeconds * point.perSecondMicros), priced: true, catalogVersion };
      }
      if (usage.images !== undefined) {
        const perImage = perImageOf(point, usage.imageVariant);
        if (perImage === undefined) return { costMicros: null, priced: false, catalogVersion };
        return { costMicros: usage.images * perImage, priced: true, catalogVersion };
      }
      if (point.inputMicrosPerMtok === undefined || point.outputMicrosPerMtok === undefined) {
        return { costMicros: null, priced: false, catalogVersion };
      }
      // A partial count would understate the cost: unknown stays unknown.
      if (usage.inputTokens === undefined || usage.outputTokens === undefined) return { costMicros: null, priced: true, catalogVersion };
      const cached = usage.cachedInputTokens ?? 0;
      const written = usage.cacheWriteTokens ?? 0;
      const plainInput = Math.max(0, usage.inputTokens - cached - written);
      const microsTimesMillion =
        plainInput * point.inputMicrosPerMtok +
        cached * (point.cachedInputMicrosPerMtok ?? point.inputMicrosPerMtok) +
        written * (point.cacheWriteMicrosPerMtok ?? point.inputMicrosPerMtok) +
        usage.outputTokens * point.outputMicrosPerMtok;
      return { costMicros: Math.round(microsTimesMillion / 1_000_000), priced: true, catalogVersion };
    },
  };
}

export type PriceCatalog = ReturnType<typeof createPriceCatalog>;
