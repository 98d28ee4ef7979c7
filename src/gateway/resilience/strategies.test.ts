import { describe, expect, it } from 'vitest';
import { AppError } from '../../platform/errors.js';
import { orderTargets, type OrderingInputs } from './strategies.js';

const prices: Record<string, { input: number; output: number }> = {
  'openai/gpt-4o': { input: 2_500_000, output: 10_000_000 },
  'openai/gpt-4o-mini': { input: 150_000, output: 600_000 },
  'anthropic/claude-haiku-4-5': { input: 1_000_000, output: 5_000_000 },
};
const inputs = (overrides: Partial<OrderingInputs> = {}): OrderingInputs => ({
  priceOf: (model) => prices[model],
  ttftOf: () => undefined,
  random: () => 0,
  ...overrides,
});
const models = (targets: Array<{ model: string }>) => targets.map((target) => target.model);
const targets = [{ model: 'openai/gpt-4o' }, { model: 'anthropic/claude-haiku-4-5' }, { model: 'openai/gpt-4o-mini' }, { model: 'mistral/unknown' }];

describe('route strategies', () => {
  it('priority keeps the given order', () => {
    expect(models(orderTargets({ name: 'r', strategy: 'priority', targets }, inputs()))).toEqual(models(targets));
  });

  it('cost puts the cheapest catalog price first and unpriced models last', () => {
    expect(models(orderTargets({ name: 'r', strategy: 'cost', targets }, inputs()))).toEqual([
      'openai/gpt-4o-mini',
      'anthropic/claude-haiku-4-5',
      'openai/gpt-4o',
      'mistral/unknown',
    ]);
  });

  it('latency puts the lowest moving-average TTFT first and unknown last, in given order', () => {
    const ttft: Record<string, number> = { 'openai/gpt-4o-mini': 300, 'openai/gpt-4o': 90 };
    expect(models(orderTargets({ name: 'r', strategy: 'latency', targets }, inputs({ ttftOf: (model) => ttft[model] })))).toEqual([
      'openai/gpt-4o',
      'openai/gpt-4o-mini',
      'anthropic/claude-haiku-4-5',
      'mistral/unknown',
    ]);
  });

  it('weighted draws the first by weight, then the rest by weight', () => {
    const weighted = [
      { model: 'openai/gpt-4o', weight: 1 },
      { model: 'openai/gpt-4o-mini', weight: 3 },
      { model: 'anthropic/claude-haiku-4-5', weight: 6 },
    ];
    const draw = (random: number) => models(orderTargets({ name: 'r', strategy: 'weighted', targets: weighted }, inputs({ random: () => random })));
    expect(draw(0.05)).toEqual(['openai/gpt-4o', 'anthropic/claude-haiku-4-5', 'openai/gpt-4o-mini']);
    expect(draw(0.2)).toEqual(['openai/gpt-4o-mini', 'anthropic/claude-haiku-4-5', 'openai/gpt-4o']);
    expect(draw(0.99)).toEqual(['anthropic/claude-haiku-4-5', 'openai/gpt-4o-mini', 'openai/gpt-4o']);
    const counts = new Map<string, number>();
    let seed = 1;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (let i = 0; i < 5000; i += 1) {
      const first = models(orderTargets({ name: 'r', strategy: 'weighted', targets: weighted }, inputs({ random })))[0]!;
      counts.set(first, (counts.get(first) ?? 0) + 1);
    }
    expect((counts.get('anthropic/claude-haiku-4-5') ?? 0) / 5000).toBeCloseTo(0.6, 1);
  });

  it('constraints filter by price, capability and context; none left is no_route_candidate', () => {
    const cheap = orderTargets({ name: 'r', strategy: 'priority', targets, constraints: { max_output_price_per_mtok_micros: 5_000_000 } }, inputs());
    expect(models(cheap)).toEqual(['anthropic/claude-haiku-4-5', 'openai/gpt-4o-mini']);
    const big = orderTargets({ name: 'r', strategy: 'priority', targets, constraints: { min_context: 150_000, capabilities: ['vision'] } }, inputs());
    expect(models(big)).toEqual(['anthropic/claude-haiku-4-5']);
    let error: unknown;
    try {
      orderTargets({ name: 'tiny', strategy: 'cost', targets, constraints: { max_input_price_per_mtok_micros: 1 } }, inputs());
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'no_route_candidate', status: 400 });
    expect((error as AppError).publicMessage).toContain('"tiny"');
  });
});
