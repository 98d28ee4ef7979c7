import { describe, expect, it } from 'vitest';
import { createPriceCatalog } from '../price-catalog.js';
import { createMemoryLedger } from './budget-ledger.js';
import { chatWorstCase, DEFAULT_MAX_OUTPUT_TOKENS, imagesWorstCase, worstCaseMicros } from './worst-case.js';

describe('in-process budget ledger', () => {
  it('charges all budgets or none, and settles to the actual cost', async () => {
    const ledger = createMemoryLedger();
    const initial = async (keys: string[]) => keys.map((key) => (key === 'team:t:2026-12' ? 50 : 0));
    const entries = [
      { key: 'user:u:2026-12', limitMicros: 1_000 },
      { key: 'team:t:2026-12', limitMicros: 100 },
    ];
    expect(await ledger.reserve(entries, 40, initial)).toEqual({ ok: true });
    // The team budget (50 spent + 40 held) has no room for 40 more: nothing is charged anywhere.
    expect(await ledger.reserve(entries, 40, initial)).toEqual({ ok: false, refused: entries[1] });
    expect(await ledger.read('user:u:2026-12')).toEqual({ spent: 0, held: 40 });
    expect(await ledger.settle(['user:u:2026-12', 'team:t:2026-12'], 40, 5)).toEqual([5, 55]);
    expect(await ledger.read('team:t:2026-12')).toEqual({ spent: 55, held: 0 });
    expect(await ledger.reserve(entries, 40, initial)).toEqual({ ok: true });
  });

  it('never refuses a soft budget, but tracks it', async () => {
    const ledger = createMemoryLedger();
    const entries = [{ key: 'key:k:2026-12', limitMicros: null }];
    expect(await ledger.reserve(entries, 10_000, async () => [10_000])).toEqual({ ok: true });
    expect(await ledger.read('key:k:2026-12')).toEqual({ spent: 10_000, held: 10_000 });
  });

  it('admits exactly what fits when many reserve at once', async () => {
    const ledger = createMemoryLedger();
    const entries = [{ key: 'user:c:2026-12', limitMicros: 1_050 }];
    const results = await Promise.all(Array.from({ length: 50 }, () => ledger.reserve(entries, 100, async () => [0])));
    expect(results.filter((result) => result.ok)).toHaveLength(10);
  });
});

describe('worst-case estimates', () => {
  const catalog = createPriceCatalog();
  it('prices prompt size plus the output cap (default when unset)', () => {
    expect(chatWorstCase({ messages: [{ role: 'user', content: 'hi' }] }).outputTokens).toBe(DEFAULT_MAX_OUTPUT_TOKENS);
    expect(chatWorstCase({ messages: [], max_tokens: 10, n: 3 }).outputTokens).toBe(30);
    expect(chatWorstCase({ messages: [], max_completion_tokens: 7, max_tokens: 10 }).outputTokens).toBe(7);
    const micros = worstCaseMicros(catalog, 'openai', 'gpt-4o-mini', chatWorstCase({ messages: [{ role: 'user', content: 'x'.repeat(3_000) }], max_tokens: 1_000 }));
    // ≥1000 prompt tokens × $0.15/M + 1000 output × $0.60/M.
    expect(micros).toBeGreaterThanOrEqual(750);
  });
  it('reserves 0 for unpriced and local models', () => {
    expect(worstCaseMicros(catalog, 'openai', 'no-such-model-anywhere', chatWorstCase({ messages: [] }))).toBe(0);
    expect(worstCaseMicros(catalog, 'local', 'llama', chatWorstCase({ messages: [] }))).toBe(0);
  });
  it('counts images', () => {
    expect(imagesWorstCase({ n: 3, size: '1024x1024', quality: 'hd' })).toEqual({ images: 3, imageVariant: '1024x1024/hd' });
  });
});
