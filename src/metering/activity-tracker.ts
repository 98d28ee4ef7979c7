/**
 * Remembers which platform keys and integrations served requests, and writes it down in the
 * background: a key's `last_used_at`, an integration's `first_used_at`, and one audit event the
 * first time each is used. The request path only touches a Map; the writes go through the usage
 * pool every `flushIntervalMs`, so they never queue ahead of requests.
 */
import { sql } from 'drizzle-orm';
import type { PlatformKeysStore } from '../accounts/platform-keys.store.js';
import type { AuditLog } from '../platform/audit.js';
import type { Logger } from '../platform/logger.js';
import type { DbExecutor } from '../store/db.js';

export interface ActivityTrackerDeps {
  db: DbExecutor;
  keys: Pick<PlatformKeysStore, 'markUsed'>;
  audit: AuditLog;
  logger: Logger;
  flushIntervalMs: number;
}

/** Integrations known to be marked already; bounded so it cannot grow without limit. */
const MAX_KNOWN_INTEGRATIONS = 100_000;

export function createActivityTracker(deps: ActivityTrackerDeps) {
  const { db, keys, audit, logger } = deps;
  let keyUses = new Map<string, number>();
  let integrationUses = new Set<string>();
  const knownUsedIntegrations = new Set<string>();
  let flushing: Promise<void> | undefined;

  const timer = setInterval(() => void flush(), deps.flushIntervalMs);
  timer.unref();

  async function flushOnce(): Promise<void> {
    const keyBatch = keyUses;
    const integrationBatch = integrationUses;
    keyUses = new Map();
    integrationUses = new Set();
    try {
      if (keyBatch.size > 0) {
        const firstUsed = await keys.markUsed([...keyBatch].map(([id, at]) => ({ id, at: new Date(at) })));
        for (const id of firstUsed) {
          await audit.record({ action: 'platform_key.first_used', targetKind: 'platform_key', targetId: id });
        }
      }
      if (integrationBatch.size > 0) {
        const ids = sql.param([...integrationBatch]);
        const marked = await db.execute<{ id: string; owner_user_id: string | null; owner_team_id: string | null }>(sql`
          update integrations set first_used_at = now()
          where id = any(${ids}::text[]) and first_used_at is null
          returning id, owner_user_id, owner_team_id`);
        for (const row of marked.rows) {
          await audit.record({
            action: 'integration.first_used',
            actorUserId: row.owner_user_id,
            teamId: row.owner_team_id,
            targetKind: 'integration',
            targetId: row.id,
          });
        }
        if (knownUsedIntegrations.size + integrationBatch.size > MAX_KNOWN_INTEGRATIONS) knownUsedIntegrations.clear();
        for (const id of integrationBatch) knownUsedIntegrations.add(id);
      }
    } catch (error) {
      // Put the batch back (newest time wins); it is retried on the next tick.
      for (const [id, at] of keyBatch) if (!keyUses.has(id) || keyUses.get(id)! < at) keyUses.set(id, at);
      for (const id of integrationBatch) integrationUses.add(id);
      logger.warn({ err: error }, 'could not record key and integration activity; retrying');
    }
  }

  /** Writes everything recorded before the call, waiting out a flush already under way (it may have missed some). */
  async function flush(): Promise<void> {
    while (flushing) await flushing;
    if (keyUses.size === 0 && integrationUses.size === 0) return;
    flushing = flushOnce().finally(() => {
      flushing = undefined;
    });
    return flushing;
  }

  return {
    keyUsed(keyId: string): void {
      keyUses.set(keyId, Date.now());
    },
    integrationUsed(integrationId: string): void {
      if (!knownUsedIntegrations.has(integrationId)) integrationUses.add(integrationId);
    },
    flush,
    async close(): Promise<void> {
      clearInterval(timer);
      await flush();
    },
  };
}

export type ActivityTracker = ReturnType<typeof createActivityTracker>;
