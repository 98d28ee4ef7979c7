/**
 * `switchboard serve --workers N` (N > 1): the primary of a node:cluster. It owns what must exist
 * once (the master key file, the embedded database, the migrations), then forks N HTTP workers
 * that share the listening port and use that database as an external one. The primary:
 * - restarts a worker that exits unasked, with a backoff (1 s doubling to 30 s, reset after a
 *   minute of uptime);
 * - on SIGHUP replaces the workers one at a time: the new one listens before the old one drains
 *   (the drain protocol of server.ts), so capacity never drops;
 * - on SIGTERM/SIGINT drains every worker, then stops the embedded database, and exits 0 when all
 *   workers exited 0;
 * - answers the workers' `/metrics` with every worker's registry aggregated (prom-client
 *   AggregatorRegistry), so a scrape through any worker sees the whole process group.
 */
import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import type { Config } from './config.js';
import type { Logger } from './platform/logger.js';
import { runMigrations } from './store/migrate.js';
import { openStore } from './store/open-store.js';
import { loadKeyring } from './vault/keyring.js';

const METRICS_REQUEST = 'switchboard:metrics-request';
const METRICS_RESPONSE = 'switchboard:metrics-response';
const MAX_BACKOFF_MS = 30_000;

interface MetricsRequest {
  type: typeof METRICS_REQUEST;
  id: number;
}
interface MetricsResponse {
  type: typeof METRICS_RESPONSE;
  id: number;
  text?: string;
  error?: string;
}

export async function runClusterPrimary(config: Config, logger: Logger, workers: number): Promise<{ shutdown(reason: string): Promise<number> }> {
  loadKeyring(config, logger); // creates DATA_DIR/master.key once, before N workers race to
  const store = await openStore(config, logger, 'server');
  if (config.migrateOnStart) {
    const result = await runMigrations(store.url);
    logger.info({ applied: result.applied, total: result.total }, 'database migrations checked');
  }
  const aggregator = new AggregatorRegistry();
  const env = { DATABASE_URL: store.url, SWITCHBOARD_MIGRATE_ON_START: 'false' };
  const slots = new Map<number, Worker>();
  const retiring = new Set<Worker>();
  /** Workers that served; one stopped before it listened has nothing to drain, whatever its exit code. */
  const listened = new WeakSet<Worker>();
  let stopping = false;
  let crashes = 0;
  let lastCrashAt = 0;
  /** The port the workers share (PORT=0: the one the first listener got). */
  let port = config.port;

  cluster.on('message', (worker, message: MetricsRequest) => {
    if (message?.type !== METRICS_REQUEST) return;
    aggregator.clusterMetrics().then(
      (text) => worker.send({ type: METRICS_RESPONSE, id: message.id, text } satisfies MetricsResponse),
      (error: unknown) => worker.send({ type: METRICS_RESPONSE, id: message.id, error: String(error) } satisfies MetricsResponse),
    );
  });

  const fork = (slot: number): Promise<Worker> =>
    new Promise((resolve, reject) => {
      const worker = cluster.fork({ ...env, SWITCHBOARD_WORKER_SLOT: String(slot) });
      const startedAt = Date.now();
      worker.once('listening', (address) => {
        port = address.port;
        listened.add(worker);
        resolve(worker);
      });
      worker.once('exit', (code, signal) => {
        if (slots.get(slot) === worker) slots.delete(slot);
        if (retiring.delete(worker) || stopping) return;
        reject(new Error(`worker exited before listening (code ${code})`));
        // Exited unasked: replace it, backing off while it keeps crashing.
        if (Date.now() - startedAt > 60_000 || Date.now() - lastCrashAt > 60_000) crashes = 0;
        crashes += 1;
        lastCrashAt = Date.now();
        const delay = Math.min(MAX_BACKOFF_MS, 1_000 * 2 ** (crashes - 1));
        logger.error({ slot, code, signal, restart_in_ms: delay }, 'worker exited unexpectedly; restarting it');
        setTimeout(() => {
          if (!stopping && !slots.has(slot)) void fork(slot).catch(() => undefined);
        }, delay).unref();
      });
      slots.set(slot, worker);
    });

  const drain = (worker: Worker): Promise<number> =>
    new Promise((resolve) => {
      if (worker.isDead()) return resolve(worker.process.exitCode ?? 0);
      retiring.add(worker);
      worker.once('exit', (code) => resolve(listened.has(worker) ? (code ?? 1) : 0));
      worker.process.kill('SIGTERM');
      // Past the drain timeout plus the shutdown steps, stop waiting.
      setTimeout(() => worker.process.kill('SIGKILL'), config.shutdownTimeoutMs + 20_000).unref();
    });

  try {
    await Promise.all(Array.from({ length: workers }, (_, slot) => fork(slot)));
  } catch (error) {
    stopping = true;
    await Promise.all([...slots.values()].map(drain));
    await store.release();
    throw error;
  }
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  logger.info({ url: `http://${host}:${port}`, workers, pids: [...slots.values()].map((worker) => worker.process.pid) }, 'switchboard cluster is serving');
  logger.flush();

  let reloading: Promise<void> | undefined;
  process.on('SIGHUP', () => {
    if (stopping || reloading) return;
    reloading = (async () => {
      logger.info({ workers: slots.size }, 'SIGHUP: rolling reload, one worker at a time');
      for (const [slot, old] of [...slots]) {
        if (stopping) break;
        retiring.add(old);
        slots.delete(slot);
        try {
          await fork(slot);
        } catch (error) {
          logger.error({ err: error, slot }, 'rolling reload: the new worker did not start; keeping the old one');
          retiring.delete(old);
          slots.set(slot, old);
          break;
        }
        await drain(old);
      }
      logger.info({ pids: [...slots.values()].map((worker) => worker.process.pid) }, 'rolling reload complete');
    })().finally(() => {
      reloading = undefined;
    });
  });

  let stopped: Promise<number> | undefined;
  return {
    shutdown(reason) {
      stopped ??= (async () => {
        stopping = true;
        logger.info({ reason, workers: slots.size }, 'shutting down: draining every worker');
        const codes = await Promise.all([...slots.values(), ...retiring].map(drain));
        await store.release();
        return codes.every((code) => code === 0) ? 0 : 1;
      })();
      return stopped;
    },
  };
}

/**
 * In a cluster worker: answer the primary's aggregation requests from this worker's registry, and
 * return the function /metrics uses to get the aggregate from the primary.
 */
export function clusterWorkerMetrics(registry: import('prom-client').Registry, beforeScrape: () => Promise<unknown>): () => Promise<string> {
  AggregatorRegistry.setRegistries([registry]);
  new AggregatorRegistry(); // installs the worker-side listener
  let next = 0;
  const waiting = new Map<number, { resolve: (text: string) => void; reject: (error: Error) => void }>();
  process.on('message', (message: MetricsResponse) => {
    if (message?.type !== METRICS_RESPONSE) return;
    const pending = waiting.get(message.id);
    waiting.delete(message.id);
    if (message.text !== undefined) pending?.resolve(message.text);
    else pending?.reject(new Error(message.error ?? 'metrics aggregation failed'));
  });
  return () =>
    beforeScrape().then(() => new Promise<string>((resolve, reject) => {
      const id = next++;
      waiting.set(id, { resolve, reject });
      process.send?.({ type: METRICS_REQUEST, id } satisfies MetricsRequest);
      setTimeout(() => {
        if (waiting.delete(id)) reject(new Error('metrics aggregation timed out'));
      }, 5_000).unref();
    }));
}
