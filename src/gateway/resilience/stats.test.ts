import { describe, expect, it } from 'vitest';
import { createLatencyStats } from './stats.js';

describe('model stats (EWMA)', () => {
  it('averages time to first byte, throughput and error rate per model', () => {
    const stats = createLatencyStats();
    stats.success('openai/gpt-4o-mini', 100);
    stats.success('openai/gpt-4o-mini', 200);
    stats.throughput('openai/gpt-4o-mini', 100, 1_000);
    stats.throughput('openai/gpt-4o-mini', 200, 1_000);
    stats.failure('anthropic/claude-haiku-4-5');
    expect(stats.ttftOf('openai/gpt-4o-mini')).toBe(120);
    expect(stats.list()).toEqual([
      { model: 'openai/gpt-4o-mini', ttft_ms: 120, tokens_per_second: 120, error_rate: 0, samples: 2 },
      { model: 'anthropic/claude-haiku-4-5', ttft_ms: null, tokens_per_second: null, error_rate: 0.2, samples: 1 },
    ]);
  });

  it('ignores answers too short or too fast to say anything about speed', () => {
    const stats = createLatencyStats();
    stats.throughput('m', 3, 100);
    stats.throughput('m', 50, 0);
    expect(stats.list()).toEqual([]);
    stats.throughput('m', 50, 500);
    expect(stats.list()[0]).toMatchObject({ tokens_per_second: 100, samples: 0 });
  });
});
