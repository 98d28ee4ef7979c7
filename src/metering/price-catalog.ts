/**
 * The price catalog: integer micro-dollars per million tokens, per `service/model`. Prices come
 * from the bundled prices.json (USD per million tokens, as providers publish them), optionally
 * overridden by SWITCHBOARD_PRICES_FILE. A model without a price is "unpriced": its cost is
 * unknown (null), never $0.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import bundled from './prices.json' with { type: 'json' };
import type { NormalizedUsage } from '../gateway/providers/provider.js';

const PriceSchema = z
  .object({
    input: z.number().nonnegative(),
    output: z.number().nonnegative(),
    cached_input: z.number().nonnegative().optional(),
    cache_write: z.number().nonnegative().optional(),
  })
  .strict();

const PriceFileSchema = z.object({
  as_of: z.string().optional(),
  models: z.record(z.string().regex(/^[a-z_]+\/.+$/, 'keys are "service/model"'), PriceSchema),
});

/** Micro-dollars per million tokens. */
export interface ModelPrice {
  inputMicrosPerMtok: number;
  outputMicrosPerMtok: number;
  cachedInputMicrosPerMtok: number;
  cacheWriteMicrosPerMtok: number;
}

export interface Cost {
  /** Null when unknown: the model is unpriced or the provider did not report token counts. */
  costMicros: number | null;
  priced: boolean;
  /** The catalog version the price came from (absent: the bundled catalog without a version). */
  catalogVersion?: string;
}

const toMicros = (usdPerMtok: number) => Math.round(usdPerMtok * 1_000_000);

/** Dated snapshots (`-20250929`, `-2024-07-18`) are priced like their alias. */
const DATE_SUFFIX = /-(\d{8}|\d{4}-\d{2}-\d{2})$/;

/** A broken overrides file fails start-up with its path in the message, not a bare JSON error. */
function readJsonFile(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`, { cause: error });
  }
}

export function createPriceCatalog(options: { overridesFile?: string | undefined } = {}) {
  const prices = new Map<string, ModelPrice>();
  const load = (source: unknown, origin: string) => {
    const parsed = PriceFileSchema.safeParse(source);
    if (!parsed.success) throw new Error(`${origin}: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
    for (const [model, price] of Object.entries(parsed.data.models)) {
      prices.set(model, {
        inputMicrosPerMtok: toMicros(price.input),
        outputMicrosPerMtok: toMicros(price.output),
        cachedInputMicrosPerMtok: toMicros(price.cached_input ?? price.input),
        cacheWriteMicrosPerMtok: toMicros(price.cache_write ?? price.input),
      });
    }
  };
  load(bundled, 'bundled prices.json');
  if (options.overridesFile) load(readJsonFile(options.overridesFile), options.overridesFile);

  /** Bare model name → service, for requests that say `gpt-4o-mini` instead of `openai/gpt-4o-mini`. */
  const serviceByBareModel = new Map<string, string>();
  for (const key of prices.keys()) {
    const slash = key.indexOf('/');
    const bare = key.slice(slash + 1);
    if (!serviceByBareModel.has(bare)) serviceByBareModel.set(bare, key.slice(0, slash));
  }

  function priceOf(service: string, model: string): ModelPrice | undefined {
    return prices.get(`${service}/${model}`) ?? prices.get(`${service}/${model.replace(DATE_SUFFIX, '')}`);
  }

  return {
    priceOf,
    serviceForModel(model: string): string | undefined {
      return serviceByBareModel.get(model) ?? serviceByBareModel.get(model.replace(DATE_SUFFIX, ''));
    },
    models(): string[] {
      return [...prices.keys()];
    },
    /**
     * Cost of one request, rounded to the nearest micro-dollar. Cached and cache-write tokens are
     * part of inputTokens and priced at their own rates.
     */
    costOf(service: string, model: string, usage: NormalizedUsage): Cost {
      const price = priceOf(service, model);
      if (!price) return { costMicros: null, priced: false };
      // A partial count would understate the cost: unknown stays unknown.
      if (usage.inputTokens === undefined || usage.outputTokens === undefined) return { costMicros: null, priced: true };
      const cached = usage.cachedInputTokens ?? 0;
      const written = usage.cacheWriteTokens ?? 0;
      const plainInput = Math.max(0, usage.inputTokens - cached - written);
      const microsTimesMillion =
        plainInput * price.inputMicrosPerMtok +
        cached * price.cachedInputMicrosPerMtok +
        written * price.cacheWriteMicrosPerMtok +
        usage.outputTokens * price.outputMicrosPerMtok;
      return { costMicros: Math.round(microsTimesMillion / 1_000_000), priced: true };
    },
  };
}

export type PriceCatalog = ReturnType<typeof createPriceCatalog>;
