/**
 * Readiness and rotation progress from the wrapped data keys: how many are wrapped under each
 * master key id (`switchboard_wrapped_keys{kek_id}`), and whether every id in use is in this
 * process's keyring. A replica started without a key it still needs stays not-ready and logs the
 * missing key id and row count (never key material). Counted with one GROUP BY, cached for
 * `ttlMs`; `refresh()` drops the cache (a rotation calls it through the invalidation bus).
 */
import type { Pool } from 'pg';
import type { Logger } from '../platform/logger.js';
import type { Metrics } from '../platform/metrics.js';
import type { Keyring } from './keyring.js';

export function createKeyringReadiness(options: { pool: Pick<Pool, 'query'>; keyring: Pick<Keyring, 'get'>; metrics: Pick<Metrics, 'wrappedKeys' | 'enabled'>; logger: Logger; ttlMs?: number }) {
  const ttlMs = options.ttlMs ?? 10_000;
  let cached: { at: number; counts: Map<string, number> } | undefined;
  let loading: Promise<Map<string, number>> | undefined;
  let reportedMissing = '';

  async function counts(): Promise<Map<string, number>> {
    if (cached && Date.now() - cached.at < ttlMs) return cached.counts;
    loading ??= options.pool
      .query<{ kek_id: string; rows: string }>('select kek_id, count(*)::text as rows from data_keys group by kek_id')
      .then((result) => {
        const map = new Map(result.rows.map((row) => [row.kek_id, Number(row.rows)]));
        cached = { at: Date.now(), counts: map };
        if (options.metrics.enabled) {
          options.metrics.wrappedKeys.reset();
          for (const [kekId, rows] of map) options.metrics.wrappedKeys.set({ kek_id: kekId }, rows);
        }
        return map;
      })
      .finally(() => {
        loading = undefined;
      });
    return loading;
  }

  return {
    /** 'ok', or `missing key <id> (<n> rows)`. */
    async check(): Promise<string> {
      const map = await counts();
      const missing = [...map].filter(([kekId, rows]) => rows > 0 && !options.keyring.get(kekId));
      if (missing.length === 0) return 'ok';
      const detail = missing.map(([kekId, rows]) => `${kekId} (${rows} rows)`).join(', ');
      if (detail !== reportedMissing) {
        reportedMissing = detail;
        options.logger.error({ missing_kek_ids: missing.map(([kekId]) => kekId), rows: missing.map(([, rows]) => rows) }, 'master keys needed by wrapped data keys are not in the keyring: not ready');
      }
      return `missing key ${detail}`;
    },
    /** Refresh the gauge (before a scrape); errors leave the previous values. */
    async collect(): Promise<void> {
      await counts().catch(() => undefined);
    },
    refresh(): void {
      cached = undefined;
    },
  };
}
