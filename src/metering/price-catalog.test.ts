import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createPriceCatalog } from './price-catalog.js';

const catalog = createPriceCatalog();

describe('costOf', () => {
  it('prices gpt-4o-mini exactly in integer micro-dollars', () => {
    // $0.15/Mtok input → 0.15 µ$/token; $0.60/Mtok output → 0.6 µ$/token.
    // 1000 × 0.15 = 150, 500 × 0.6 = 300.
    expect(catalog.costOf('openai', 'gpt-4o-mini', { inputTokens: 1000, outputTokens: 500 })).toMatchObject({ costMicros: 450, priced: true });
  });

  it('prices claude-sonnet-4-5 input and output at their own rates', () => {
    // $3/Mtok × 2000 = 6000 µ$; $15/Mtok × 1000 = 15000 µ$.
    expect(catalog.costOf('anthropic', 'claude-sonnet-4-5', { inputTokens: 2000, outputTokens: 1000 }).costMicros).toBe(21_000);
  });

  it('prices cached input tokens at the cached rate (they are part of inputTokens)', () => {
    // gpt-4o-mini: 400 plain × 0.15 = 60, 600 cached × 0.075 = 45, 500 output × 0.6 = 300.
    expect(catalog.costOf('openai', 'gpt-4o-mini', { inputTokens: 1000, cachedInputTokens: 600, outputTokens: 500 }).costMicros).toBe(405);
  });

  it('prices cache-write tokens at the cache-write rate', () => {
    // claude-sonnet-4-5: plain 1000 × 3 = 3000, cached 2000 × 0.3 = 600, written 1000 × 3.75 = 3750,
    // output 100 × 15 = 1500.
    const usage = { inputTokens: 4000, cachedInputTokens: 2000, cacheWriteTokens: 1000, outputTokens: 100 };
    expect(catalog.costOf('anthropic', 'claude-sonnet-4-5', usage).costMicros).toBe(8850);
  });

  it('prices cached input at the plain input rate when a model has no cached price', () => {
    // gpt-3.5-turbo: $0.50 input, no cached_input: 1000 × 0.5 = 500 whether cached or not.
    expect(catalog.costOf('openai', 'gpt-3.5-turbo', { inputTokens: 1000, cachedInputTokens: 1000, outputTokens: 0 }).costMicros).toBe(500);
  });

  it('rounds to the nearest micro-dollar', () => {
    // gpt-5-nano input $0.05/Mtok: 9 tokens = 0.45 µ$ → 0; 10 tokens = 0.5 µ$ → 1; 30 tokens = 1.5 → 2.
    expect(catalog.costOf('openai', 'gpt-5-nano', { inputTokens: 9, outputTokens: 0 }).costMicros).toBe(0);
    expect(catalog.costOf('openai', 'gpt-5-nano', { inputTokens: 30, outputTokens: 0 }).costMicros).toBe(2);
  });

  it('prices dated snapshots like their alias', () => {
    const usage = { inputTokens: 1000, outputTokens: 500 };
    expect(catalog.costOf('openai', 'gpt-4o-mini-2024-07-18', usage)).toEqual(catalog.costOf('openai', 'gpt-4o-mini', usage));
    expect(catalog.costOf('anthropic', 'claude-sonnet-4-5-20250929', usage)).toMatchObject({ costMicros: 10_500, priced: true });
    expect(catalog.priceOf('anthropic', 'claude-sonnet-4-5-20250929')).toEqual(catalog.priceOf('anthropic', 'claude-sonnet-4-5'));
  });

  it('reports an unpriced model as unknown cost, never $0', () => {
    expect(catalog.costOf('openai', 'gpt-unreleased', { inputTokens: 10, outputTokens: 10 })).toEqual({ costMicros: null, priced: false });
    // A price belongs to a service: the same model name under another service is not priced.
    expect(catalog.costOf('openai_compatible', 'gpt-4o-mini', { inputTokens: 10, outputTokens: 10 })).toEqual({ costMicros: null, priced: false });
  });

  it('keeps the cost unknown (null, not 0) when a token count is unknown', () => {
    expect(catalog.costOf('openai', 'gpt-4o-mini', {})).toMatchObject({ costMicros: null, priced: true });
    expect(catalog.costOf('openai', 'gpt-4o-mini', { inputTokens: 100 })).toMatchObject({ costMicros: null, priced: true });
    expect(catalog.costOf('openai', 'gpt-4o-mini', { outputTokens: 100 })).toMatchObject({ costMicros: null, priced: true });
    expect(catalog.costOf('openai', 'gpt-4o-mini', { inputTokens: 0, outputTokens: 0 })).toMatchObject({ costMicros: 0, priced: true });
  });

  it('is a non-negative integer, monotonic in output and input tokens', () => {
    const models = catalog
      .models()
      .filter((key) => catalog.pricesOf(key)[0]?.inputMicrosPerMtok !== undefined)
      .map((key) => [key.slice(0, key.indexOf('/')), key.slice(key.indexOf('/') + 1)] as [string, string]);
    const count = fc.nat({ max: 5_000_000 });
    fc.assert(
      fc.property(fc.constantFrom(...models), count, count, count, count, count, ([service, model], input, cachedRaw, written, output, extra) => {
        const cached = Math.min(cachedRaw, input);
        const base = { inputTokens: input, cachedInputTokens: cached, cacheWriteTokens: Math.min(written, input - cached), outputTokens: output };
        const cost = catalog.costOf(service, model, base).costMicros!;
        expect(Number.isInteger(cost)).toBe(true);
        expect(cost).toBeGreaterThanOrEqual(0);
        expect(catalog.costOf(service, model, { ...base, outputTokens: output + extra }).costMicros!).toBeGreaterThanOrEqual(cost);
        expect(catalog.costOf(service, model, { ...base, inputTokens: input + extra }).costMicros!).toBeGreaterThanOrEqual(cost);
      }),
    );
  });
});

describe('serviceForModel', () => {
  it('attributes bare model names and their snapshots to a service', () => {
    expect(catalog.serviceForModel('gpt-4o-mini')).toBe('openai');
    expect(catalog.serviceForModel('gpt-4o-mini-2024-07-18')).toBe('openai');
    expect(catalog.serviceForModel('claude-haiku-4-5')).toBe('anthropic');
    expect(catalog.serviceForModel('claude-sonnet-4-5-20250929')).toBe('anthropic');
    expect(catalog.serviceForModel('llama-3-8b')).toBeUndefined();
  });
});

describe('overrides file', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'switchboard-prices-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, contents: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, contents);
    return file;
  };

  it('replaces bundled prices and adds new models', () => {
    const file = write(
      'prices.json',
      JSON.stringify({
        models: {
          'openai/gpt-4o-mini': { input: 1, output: 2 },
          'openai_compatible/meta-llama/Llama-3-8B': { input: 0.2, output: 0.4 },
        },
      }),
    );
    const custom = createPriceCatalog({ overridesFile: file });
    // 1000 × $1/Mtok = 1000 µ$, 500 × $2/Mtok = 1000 µ$; cached falls back to the input rate.
    expect(custom.costOf('openai', 'gpt-4o-mini', { inputTokens: 1000, cachedInputTokens: 500, outputTokens: 500 }).costMicros).toBe(2000);
    expect(custom.costOf('openai_compatible', 'meta-llama/Llama-3-8B', { inputTokens: 1000, outputTokens: 1000 }).costMicros).toBe(600);
    expect(custom.serviceForModel('meta-llama/Llama-3-8B')).toBe('openai_compatible');
    // Untouched bundled prices stay.
    expect(custom.costOf('anthropic', 'claude-sonnet-4-5', { inputTokens: 2000, outputTokens: 1000 }).costMicros).toBe(21_000);
    // The default catalog is not affected.
    expect(catalog.costOf('openai', 'gpt-4o-mini', { inputTokens: 1000, outputTokens: 500 }).costMicros).toBe(450);
  });

  it('rejects a file that breaks the schema, naming the file and the offending entry', () => {
    const cases: Array<[string, unknown, RegExp]> = [
      ['negative.json', { models: { 'openai/x': { input: -1, output: 1 } } }, /models\.openai\/x\.input/],
      ['bare-key.json', { models: { 'gpt-x': { input: 1, output: 1 } } }, /models\.gpt-x/],
      ['typo.json', { models: { 'openai/x': { input: 1, output: 1, cachedInput: 0.5 } } }, /cachedInput/],
      ['string.json', { models: { 'openai/x': { input: '1', output: 1 } } }, /input/],
    ];
    for (const [name, contents, detail] of cases) {
      const file = write(name, JSON.stringify(contents));
      expect(() => createPriceCatalog({ overridesFile: file }), name).toThrow(file);
      expect(() => createPriceCatalog({ overridesFile: file }), name).toThrow(detail);
    }
  });

  it('rejects a file that is not JSON, naming the file', () => {
    const file = write('broken.json', '{ "models": ');
    expect(() => createPriceCatalog({ overridesFile: file })).toThrow(file);
  });

  it('fails clearly when the file does not exist', () => {
    const missing = path.join(dir, 'missing.json');
    expect(() => createPriceCatalog({ overridesFile: missing })).toThrow(/ENOENT/);
  });
});

describe('dated prices', () => {
  const usage = { inputTokens: 1_000_000, outputTokens: 1_000_000 };

  it('prices a request with the newest price not after it (o3 before and after the 2025-06-10 cut)', () => {
    // Before the cut: $10 + $40; from the cut: $2 + $8.
    expect(catalog.costOf('openai', 'o3', usage, new Date('2025-05-01T00:00:00Z')).costMicros).toBe(50_000_000);
    expect(catalog.costOf('openai', 'o3', usage, new Date('2025-06-10T00:00:00Z')).costMicros).toBe(10_000_000);
    expect(catalog.costOf('openai', 'o3', usage).costMicros).toBe(10_000_000);
  });

  it('has no price before a model’s first effective date', () => {
    expect(catalog.costOf('openai', 'o3', usage, new Date('2024-01-01T00:00:00Z'))).toEqual({ costMicros: null, priced: false });
  });

  it('carries the catalog version', () => {
    expect(catalog.costOf('openai', 'gpt-4o-mini', usage).catalogVersion).toBe('2026-11-01');
    expect(catalog.baseVersion).toBe('2026-11-01');
  });
});

describe('per-image and per-second prices', () => {
  it('prices images by size and quality variant, falling back to the size and then the default', () => {
    // dall-e-3 hd 1024x1792: $0.12 each.
    expect(catalog.costOf('openai', 'dall-e-3', { images: 2, imageVariant: '1024x1792/hd' }).costMicros).toBe(240_000);
    expect(catalog.costOf('openai', 'dall-e-3', { images: 1, imageVariant: '1024x1024/standard' }).costMicros).toBe(40_000);
    // gpt-image-1 with quality auto: the size row (medium) applies; an unknown size: the default.
    expect(catalog.costOf('openai', 'gpt-image-1', { images: 1, imageVariant: '1536x1024/auto' }).costMicros).toBe(63_000);
    expect(catalog.costOf('openai', 'gpt-image-1', { images: 3, imageVariant: '1024x1024/high' }).costMicros).toBe(501_000);
    expect(catalog.costOf('openai', 'gpt-image-1', { images: 1, imageVariant: '4096x4096' }).costMicros).toBe(42_000);
    expect(catalog.costOf('openai', 'gpt-image-1', { images: 1 }).costMicros).toBe(42_000);
    // A flat per-image price ignores the variant.
    expect(catalog.costOf('stability', 'stable-image-core', { images: 2, imageVariant: '1024x1024' }).costMicros).toBe(60_000);
  });

  it('prices video per second, with dated prices', () => {
    expect(catalog.costOf('openai', 'sora-2', { videoSeconds: 8 }).costMicros).toBe(800_000);
    expect(catalog.costOf('openai', 'sora-2-pro', { videoSeconds: 4 }).costMicros).toBe(1_200_000);
    expect(catalog.costOf('runway', 'gen4_turbo', { videoSeconds: 10 }).costMicros).toBe(500_000);
    expect(catalog.costOf('runway', 'gen4_aleph', { videoSeconds: 5 }).costMicros).toBe(750_000);
    expect(catalog.costOf('gemini', 'veo-3.0-generate-001', { videoSeconds: 8 }, new Date('2025-08-01')).costMicros).toBe(6_000_000);
    expect(catalog.costOf('gemini', 'veo-3.0-generate-001', { videoSeconds: 8 }).costMicros).toBe(3_200_000);
    // Fractional seconds round to the nearest micro-dollar.
    expect(catalog.costOf('runway', 'gen4_turbo', { videoSeconds: 2.5 }).costMicros).toBe(125_000);
  });

  it('does not price a unit the model has no price for', () => {
    expect(catalog.costOf('openai', 'gpt-4o-mini', { images: 1 })).toMatchObject({ costMicros: null, priced: false });
    expect(catalog.costOf('openai', 'dall-e-3', { inputTokens: 10, outputTokens: 0 })).toMatchObject({ costMicros: null, priced: false });
    expect(catalog.costOf('openai', 'gpt-image-1', { videoSeconds: 3 })).toMatchObject({ costMicros: null, priced: false });
  });

  it('prices every local model at zero', () => {
    expect(catalog.costOf('local', 'llama-3.2-1b', { inputTokens: 1000, outputTokens: 1000 })).toMatchObject({ costMicros: 0, priced: true });
    expect(catalog.costOf('local', 'png', { images: 4 })).toMatchObject({ costMicros: 0, priced: true });
    expect(catalog.serviceForModel('*')).toBeUndefined();
    expect(catalog.modelsOf('local')).toEqual([]);
  });

  it('lists the catalog’s models per service', () => {
    expect(catalog.modelsOf('openai')).toContain('gpt-4o-mini');
    expect(catalog.modelsOf('runway')).toContain('gen4_turbo');
    expect(catalog.modelsOf('cohere')).toContain('command-a-03-2025');
    expect(catalog.modelsOf('nope')).toEqual([]);
  });

  it('covers chat, embeddings, images and video of every supported service', () => {
    const has = (key: string) => catalog.pricesOf(key).length > 0;
    for (const key of ['openai/gpt-5', 'openai/text-embedding-3-small', 'openai/dall-e-3', 'openai/sora-2', 'anthropic/claude-opus-4-5',
      'cohere/embed-v4.0', 'gemini/gemini-2.5-flash', 'gemini/gemini-embedding-001', 'gemini/imagen-4.0-generate-001',
      'stability/stable-image-ultra', 'runway/veo3', 'local/*']) {
      expect(has(key), key).toBe(true);
    }
  });
});

describe('admin overrides', () => {
  const override = (fields: Partial<Parameters<ReturnType<typeof createPriceCatalog>['setOverrides']>[0][number]>) => ({
    id: '01JB8ZQ6Q3V8Y3J0K9QK7T1M2N',
    service: 'openai',
    model: 'gpt-4o-mini',
    inputMicrosPerMtok: null,
    outputMicrosPerMtok: null,
    cachedInputMicrosPerMtok: null,
    cacheWriteMicrosPerMtok: null,
    perImageMicros: null,
    perSecondMicros: null,
    effectiveFrom: new Date('2026-01-01T00:00:00Z'),
    ...fields,
  });
  const usage = { inputTokens: 1000, outputTokens: 500 };

  it('applies from its effective date, inherits the fields it does not set, and names itself in the version', () => {
    const custom = createPriceCatalog();
    custom.setOverrides([override({ outputMicrosPerMtok: 2_000_000 })]);
    // From 2026-01-01: input $0.15 (inherited) × 1000 = 150, output $2 × 500 = 1000.
    expect(custom.costOf('openai', 'gpt-4o-mini', usage)).toEqual({ costMicros: 1150, priced: true, catalogVersion: '2026-11-01+01JB8ZQ6Q3V8Y3J0K9QK7T1M2N' });
    // Before it: the bundled price and version.
    expect(custom.costOf('openai', 'gpt-4o-mini', usage, new Date('2025-12-31T23:59:59Z'))).toEqual({ costMicros: 450, priced: true, catalogVersion: '2026-11-01' });
    // A future override does not apply yet.
    custom.setOverrides([override({ inputMicrosPerMtok: 9_000_000, effectiveFrom: new Date(Date.now() + 86_400_000) })]);
    expect(custom.costOf('openai', 'gpt-4o-mini', usage).costMicros).toBe(450);
    // Removing overrides restores the bundled price.
    custom.setOverrides([]);
    expect(custom.costOf('openai', 'gpt-4o-mini', usage)).toEqual({ costMicros: 450, priced: true, catalogVersion: '2026-11-01' });
  });

  it('prices a model the catalog does not know, per image and per second too', () => {
    const custom = createPriceCatalog();
    custom.setOverrides([
      override({ id: 'A1', service: 'openai_compatible', model: 'llama-3-8b', inputMicrosPerMtok: 200_000, outputMicrosPerMtok: 400_000 }),
      override({ id: 'A2', service: 'midjourney', model: 'midjourney', perImageMicros: 50_000 }),
      override({ id: 'A3', service: 'openai', model: 'dall-e-3', perImageMicros: 10_000 }),
      override({ id: 'A4', service: 'runway', model: 'gen4_turbo', perSecondMicros: 60_000 }),
    ]);
    expect(custom.costOf('openai_compatible', 'llama-3-8b', { inputTokens: 1000, outputTokens: 1000 })).toMatchObject({ costMicros: 600, catalogVersion: '2026-11-01+A1' });
    expect(custom.serviceForModel('llama-3-8b')).toBe('openai_compatible');
    expect(custom.costOf('midjourney', 'midjourney', { images: 4 }).costMicros).toBe(200_000);
    // A flat override replaces the variant table.
    expect(custom.costOf('openai', 'dall-e-3', { images: 1, imageVariant: '1024x1792/hd' }).costMicros).toBe(10_000);
    expect(custom.costOf('runway', 'gen4_turbo', { videoSeconds: 10 }).costMicros).toBe(600_000);
    // The default catalog is not affected.
    expect(catalog.costOf('midjourney', 'midjourney', { images: 4 }).priced).toBe(false);
  });

  it('the newest of several overrides in force wins', () => {
    const custom = createPriceCatalog();
    custom.setOverrides([
      override({ id: 'OLD', outputMicrosPerMtok: 1_000_000, effectiveFrom: new Date('2026-01-01T00:00:00Z') }),
      override({ id: 'NEW', outputMicrosPerMtok: 3_000_000, effectiveFrom: new Date('2026-02-01T00:00:00Z') }),
    ]);
    expect(custom.costOf('openai', 'gpt-4o-mini', usage)).toMatchObject({ costMicros: 1650, catalogVersion: '2026-11-01+NEW' });
    expect(custom.costOf('openai', 'gpt-4o-mini', usage, new Date('2026-01-15T00:00:00Z'))).toMatchObject({ costMicros: 650, catalogVersion: '2026-11-01+OLD' });
  });
});

describe('prices file versions', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'switchboard-prices-v-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('marks the version with the file’s as_of, accepts dated lists and per-unit prices', () => {
    const file = path.join(dir, 'dated.json');
    writeFileSync(
      file,
      JSON.stringify({
        as_of: 'acme-7',
        models: {
          'openai/gpt-4o-mini': [
            { effective_from: '2020-01-01', input: 1, output: 1 },
            { effective_from: '2026-01-01', input: 2, output: 2 },
          ],
          'midjourney/midjourney': { per_image: 0.05 },
        },
      }),
    );
    const custom = createPriceCatalog({ overridesFile: file });
    expect(custom.costOf('openai', 'gpt-4o-mini', { inputTokens: 1000, outputTokens: 0 })).toEqual({ costMicros: 2000, priced: true, catalogVersion: '2026-11-01+file:acme-7' });
    expect(custom.costOf('openai', 'gpt-4o-mini', { inputTokens: 1000, outputTokens: 0 }, new Date('2025-01-01')).costMicros).toBe(1000);
    expect(custom.costOf('midjourney', 'midjourney', { images: 2 }).costMicros).toBe(100_000);
  });

  it('rejects a price without a unit, and input without output', () => {
    for (const [name, contents] of [
      ['empty.json', { models: { 'openai/x': {} } }],
      ['half.json', { models: { 'openai/x': { input: 1 } } }],
      ['bad-date.json', { models: { 'openai/x': { effective_from: 'yesterday', input: 1, output: 1 } } }],
    ] as const) {
      const file = path.join(dir, name);
      writeFileSync(file, JSON.stringify(contents));
      expect(() => createPriceCatalog({ overridesFile: file }), name).toThrow(file);
    }
  });
});
