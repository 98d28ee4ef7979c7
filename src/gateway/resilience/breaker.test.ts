import { describe, expect, it } from 'vitest';
import { breakerKey, createBreakers } from './breaker.js';

const options = { consecutiveFailures: 3, failureRate: 0.5, windowSize: 10, minSamples: 6, cooldownMs: 1_000 };

describe('circuit breaker state machine', () => {
  it('opens after N consecutive failures, skips during the cooldown, then lets exactly one probe through', () => {
    let now = 0;
    const breakers = createBreakers(options, () => now);
    const key = breakerKey('openai', 'http://127.0.0.1:9999/v1');
    expect(key).toBe('openai http://127.0.0.1:9999');
    for (let i = 0; i < 2; i += 1) breakers.failure(key);
    expect(breakers.state(key)).toBe('closed');
    breakers.failure(key);
    expect(breakers.state(key)).toBe('open');
    expect(breakers.acquire(key)).toMatchObject({ allowed: false });
    now = 1_000;
    expect(breakers.acquire(key)).toEqual({ allowed: true, probe: true });
    expect(breakers.state(key)).toBe('half_open');
    expect(breakers.acquire(key)).toMatchObject({ allowed: false });
    breakers.failure(key);
    expect(breakers.state(key)).toBe('open');
    now = 2_500;
    expect(breakers.acquire(key)).toEqual({ allowed: true, probe: true });
    breakers.success(key);
    expect(breakers.state(key)).toBe('closed');
    expect(breakers.acquire(key)).toEqual({ allowed: true, probe: false });
  });

  it('opens on the failure rate over the window even without a run of consecutive failures', () => {
    const breakers = createBreakers(options, () => 0);
    const key = 'anthropic http://x';
    for (const ok of [true, false, true, false, true, false]) (ok ? breakers.success(key) : breakers.failure(key));
    expect(breakers.state(key)).toBe('open');
  });

  it('a success resets the consecutive count; a released probe lets the next request probe', () => {
    let now = 0;
    const breakers = createBreakers({ ...options, minSamples: 100 }, () => now);
    const key = 'k';
    breakers.failure(key);
    breakers.failure(key);
    breakers.success(key);
    breakers.failure(key);
    breakers.failure(key);
    expect(breakers.state(key)).toBe('closed');
    breakers.failure(key);
    expect(breakers.state(key)).toBe('open');
    now = 5_000;
    expect(breakers.acquire(key)).toMatchObject({ allowed: true, probe: true });
    breakers.release(key);
    expect(breakers.acquire(key)).toMatchObject({ allowed: true, probe: true });
    expect(breakers.list()).toEqual([expect.objectContaining({ key, state: 'half_open' })]);
  });

  it('reports its transitions and applies newer ones from other processes', () => {
    let now = 100;
    const seen: unknown[] = [];
    const breakers = createBreakers(options, () => now, (key, transition) => seen.push({ key, ...transition }));
    for (let i = 0; i < 3; i += 1) breakers.failure('k');
    expect(seen).toEqual([{ key: 'k', state: 'open', at: 100 }]);
    const other = createBreakers(options, () => now);
    other.apply('k', { state: 'open', at: 100 });
    expect(other.state('k')).toBe('open');
    other.apply('k', { state: 'closed', at: 50 });
    expect(other.state('k')).toBe('open');
    other.apply('k', { state: 'closed', at: 200 });
    expect(other.state('k')).toBe('closed');
    other.apply('k', { state: 'open', at: 150 });
    expect(other.state('k')).toBe('closed');
    now = 1_200;
    breakers.acquire('k');
    breakers.success('k');
    expect(seen.at(-1)).toEqual({ key: 'k', state: 'closed', at: 1_200 });
  });
});
