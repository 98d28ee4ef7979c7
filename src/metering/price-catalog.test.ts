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
    expect(catalog.costOf('openai', 'gpt-4o-mini', { inputTokens: 1000, outputTokens: 500 })).toEqual({ costMicros: 450, priced: true });
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
    expect(catalog.costOf('anthropic', 'claude-sonnet-4-5-20250929', usage)).toEqual({ costMicros: 10_500, priced: true });
    expect(catalog.priceOf('anthropic', 'claude-sonnet-4-5-20250929')).toEqual(catalog.priceOf('anthropic', 'claude-sonnet-4-5'));
  });

  it('reports an unpriced model as unknown cost, never $0', () => {
    expect(catalog.costOf('openai', 'gpt-unreleased', { inputTokens: 10, outputTokens: 10 })).toEqual({ costMicros: null, priced: false });
    // A price belongs to a service: the same model name under another service is not priced.
    expect(catalog.costOf('openai_compatible', 'gpt-4o-mini', { inputTokens: 10, outputTokens: 10 })).toEqual({ costMicros: null, priced: false });
  });

  it('keeps the cost unknown (null, not 0) when a token count is unknown', () => {
    expect(catalog.costOf('openai', 'gpt-4o-mini', {})).toEqual({ costMicros: null, priced: true });
    expect(catalog.costOf('openai', 'gpt-4o-mini', { inputTokens: 100 })).toEqual({ costMicros: null, priced: true });
    expect(catalog.costOf('openai', 'gpt-4o-mini', { outputTokens: 100 })).toEqual({ costMicros: null, priced: true });
    expect(catalog.costOf('openai', 'gpt-4o-mini', { inputTokens: 0, outputTokens: 0 })).toEqual({ costMicros: 0, priced: true });
  });

  it('is a non-negative integer, monotonic in output and input tokens', () => {
    const models = catalog.models().map((key) => key.split('/') as [string, string]);
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
