import { describe, expect, it } from 'vitest';
import { keyStatusText } from './key-status';

describe('keyStatusText', () => {
  const now = Date.parse('2026-12-06T12:00:00Z');
  it('says when a key in a roll’s grace is revoked, and nothing extra otherwise', () => {
    expect(keyStatusText({ status: 'active', revoked_at: null }, 'UTC', now)).toBe('Active');
    expect(keyStatusText({ status: 'active', revoked_at: '2026-12-06T13:00:00Z' }, 'UTC', now)).toBe('Active; revoked at 6 Dec 2026, 13:00');
    expect(keyStatusText({ status: 'active', revoked_at: '2026-12-06T13:00:00Z' }, 'Asia/Kolkata', now)).toBe('Active; revoked at 6 Dec 2026, 18:30');
    expect(keyStatusText({ status: 'expired', revoked_at: null }, 'UTC', now)).toBe('Expired');
    expect(keyStatusText({ status: 'revoked', revoked_at: '2026-12-06T11:00:00Z' }, 'UTC', now)).toBe('Revoked');
  });
});
