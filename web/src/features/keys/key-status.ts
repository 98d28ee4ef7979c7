import type { PlatformKey } from '../../api/types';
import { formatDateTime } from '../../format';

/**
 * A key's status in words: "Active", "Expired", or, while a roll's grace runs (revoked_at in the
 * future, status still "active"), when it stops working.
 */
export function keyStatusText(key: Pick<PlatformKey, 'status' | 'revoked_at'>, zone: string, now = Date.now()): string {
  if (key.status === 'expired') return 'Expired';
  if (key.status === 'revoked') return 'Revoked';
  if (key.revoked_at && new Date(key.revoked_at).getTime() > now) return `Active; revoked at ${formatDateTime(key.revoked_at, zone)}`;
  return 'Active';
}
