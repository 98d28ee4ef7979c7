import { describe, expect, it } from 'vitest';
import { autoDisabledReason, MAX_RETRY_SECONDS, retryDelaySeconds } from './integration-recovery.js';

describe('auto-disable policy', () => {
  it('states the threshold and window in the reason, never a time (retry_at is data)', () => {
    expect(autoDisabledReason({ errors: 5, windowSeconds: 120 })).toBe('Disabled after 5 provider errors in 2 min (the provider rejected the key).');
    expect(autoDisabledReason({ errors: 3, windowSeconds: 90 })).toBe('Disabled after 3 provider errors in 90 s (the provider rejected the key).');
  });

  it('doubles the wait after each failed re-check, from the first wait up to 24 h', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((failed) => retryDelaySeconds(900, failed))).toEqual([900, 1800, 3600, 7200, 14_400, 28_800, 57_600, MAX_RETRY_SECONDS]);
    expect(retryDelaySeconds(900, 1_000)).toBe(MAX_RETRY_SECONDS);
  });
});
