import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../platform/errors.js';
import { createLogger } from '../../platform/logger.js';
import type { RateLimitSpec } from '../../store/schema.js';
import { createAiRateLimits } from './ai-rate-limits.js';

const limitsWith = (defaults: { key?: RateLimitSpec; integration?: RateLimitSpec } = {}) =>
  createAiRateLimits({
    redis: undefined,
    logger: createLogger({ level: 'silent' }),
    metrics: { registry: new Registry() },
    defaults: { key: defaults.key ?? {}, integration: defaults.integration ?? {} },
  });

const refusedWith = async (attempt: Promise<void>): Promise<AppError> => {
  const error = await attempt.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
};

describe('AI rate limits (in memory)', () => {
  it('reserves the estimate against tpm and settles to the usage', async () => {
    const limits = limitsWith();
    const principal = { keyId: 'k1', rateLimit: { tpm: 150 } };
    const first = limits.open(principal, () => 100);
    await first.admit();
    const error = await refusedWith(limits.open(principal, () => 100).admit());
    expect(error).toMatchObject({ code: 'rate_limited', status: 429, source: 'user' });
    expect(error.retryAfterSeconds).toBeGreaterThan(0);
    expect(error.publicMessage).toContain('150 tokens per minute (tpm)');
    first.settle({ inputTokens: 12, outputTokens: 8 });
    await new Promise((resolve) => setImmediate(resolve));
    // 20 used + 100 reserved fits in 150; another 100 does not.
    await limits.open(principal, () => 100).admit();
    await refusedWith(limits.open(principal, () => 100).admit());
  });

  it('releases a reservation when the call reports no usage, and settles once', async () => {
    const limits = limitsWith();
    const principal = { keyId: 'k2', rateLimit: { tpm: 100 } };
    const failed = limits.open(principal, () => 90);
    await failed.admit();
    failed.settle(undefined);
    failed.settle({ inputTokens: 500, outputTokens: 500 });
    await new Promise((resolve) => setImmediate(resolve));
    await limits.open(principal, () => 90).admit();
  });

  it('counts a key once per call and an integration once per integration; a refusal counts nowhere', async () => {
    const limits = limitsWith({ integration: { rpm: 1 } });
    const principal = { keyId: 'k3', rateLimit: { rpm: 2 } };
    const integration = { id: 'i1', rateLimit: null };
    const call = limits.open(principal, () => 1);
    await call.admit(integration);
    await call.admit(integration); // a retry of the same call
    const refused = await refusedWith(limits.open(principal, () => 1).admit(integration));
    expect(refused.publicMessage).toContain('integration i1');
    await new Promise((resolve) => setImmediate(resolve));
    // The refused call left the key at 1 of 2.
    await limits.open(principal, () => 1).admit({ id: 'i2', rateLimit: { rpm: 5 } });
    expect((await refusedWith(limits.open(principal, () => 1).admit())).publicMessage).toContain('this platform key');
  });

  it('applies defaults field by field, and no key limits to calls without a key', async () => {
    const limits = limitsWith({ key: { rpm: 1 } });
    const principal = { keyId: 'k4', rateLimit: { tpm: 1_000 } };
    await limits.open(principal, () => 1).admit();
    await refusedWith(limits.open(principal, () => 1).admit());
    for (let n = 0; n < 3; n += 1) await limits.open({}, () => 1).admit();
  });
});
