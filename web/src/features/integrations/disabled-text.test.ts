import { describe, expect, it } from 'vitest';
import { disabledText } from './live';

describe('disabledText', () => {
  const reason = 'Disabled after 5 provider errors in 2 min (the provider rejected the key).';
  it('adds the retry time of an auto-disabled integration in the viewer’s zone', () => {
    expect(disabledText({ disabled_reason: reason, disabled_by: 'system', retry_at: '2026-12-06T14:05:00Z' }, 'UTC')).toBe(
      'Disabled after 5 provider errors in 2 min (the provider rejected the key); will retry at 6 Dec 2026, 14:05.',
    );
    expect(disabledText({ disabled_reason: reason, disabled_by: 'system', retry_at: '2026-12-06T14:05:00Z' }, 'Asia/Kolkata')).toContain('will retry at 6 Dec 2026, 19:35.');
  });
  it('says only the reason when a person disabled it', () => {
    expect(disabledText({ disabled_reason: 'Paused for the audit.', disabled_by: 'user', retry_at: null }, 'UTC')).toBe('Paused for the audit.');
    expect(disabledText({ disabled_reason: null, disabled_by: 'user', retry_at: null }, 'UTC')).toBe('Disabled.');
  });
});
