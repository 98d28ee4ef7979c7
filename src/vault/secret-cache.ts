/**
 * Process-local caches of the vault's hot path: per-owner integration directories, unwrapped data
 * keys and decrypted provider keys. All expire after a TTL; all are dropped on change. Entries of
 * decrypted keys carry the key version, so a replaced key can never be served from a stale entry.
 * (Cross-replica invalidation publishes into `invalidate*` from a pub/sub subscriber.)
 */
import { LRUCache } from 'lru-cache';
import type { OwnerRef } from './envelope.js';
import type { IntegrationRow } from './integrations.store.js';

const ownerKey = (owner: OwnerRef) => `${owner.kind}:${owner.id}`;

export interface SecretCacheOptions {
  ttlSeconds: number;
  maxEntries?: number;
  /** Told of hits, misses and invalidations (switchboard_cache_events_total): must be cheap. */
  onEvent?: (cache: 'secret' | 'route', event: 'hit' | 'miss' | 'invalidated') => void;
}

export function createSecretCache(options: SecretCacheOptions) {
  const enabled = options.ttlSeconds > 0;
  const max = options.maxEntries ?? 10_000;
  const ttl = Math.max(1, options.ttlSeconds) * 1000;
  const directories = new LRUCache<string, Map<string, IntegrationRow[]>>({ max, ttl });
  const dataKeys = new LRUCache<string, Buffer>({ max, ttl });
  const secrets = new LRUCache<string, { keyVersion: number; apiKey: string }>({ max, ttl });
  const note = options.onEvent ?? (() => undefined);
  const counted = <T>(cache: 'secret' | 'route', value: T | undefined): T | undefined => {
    if (enabled) note(cache, value === undefined ? 'miss' : 'hit');
    return value;
  };

  return {
    /** Integrations of `owner` for `service`, oldest first, if cached. */
    getDirectory(owner: OwnerRef, service: string): IntegrationRow[] | undefined {
      return counted('route', enabled ? directories.get(ownerKey(owner))?.get(service) : undefined);
    },
    setDirectory(owner: OwnerRef, service: string, rows: IntegrationRow[]): void {
      if (!enabled) return;
      const key = ownerKey(owner);
      const byService = directories.get(key) ?? new Map<string, IntegrationRow[]>();
      byService.set(service, rows);
      directories.set(key, byService);
    },
    getDataKey(dataKeyId: string): Buffer | undefined {
      return enabled ? dataKeys.get(dataKeyId) : undefined;
    },
    setDataKey(dataKeyId: string, key: Buffer): void {
      if (enabled) dataKeys.set(dataKeyId, key);
    },
    getSecret(integrationId: string, keyVersion: number): string | undefined {
      const hit = enabled ? secrets.get(integrationId) : undefined;
      return counted('secret', hit && hit.keyVersion === keyVersion ? hit.apiKey : undefined);
    },
    setSecret(integrationId: string, keyVersion: number, apiKey: string): void {
      if (enabled) secrets.set(integrationId, { keyVersion, apiKey });
    },
    /** An integration of `owner` changed or disappeared. */
    invalidateIntegration(owner: OwnerRef, integrationId: string): void {
      directories.delete(ownerKey(owner));
      secrets.delete(integrationId);
      note('secret', 'invalidated');
    },
    clear(): void {
      note('secret', 'invalidated');
      directories.clear();
      dataKeys.clear();
      secrets.clear();
    },
  };
}

export type SecretCache = ReturnType<typeof createSecretCache>;
