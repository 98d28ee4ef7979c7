/**
 * The usage recorder keeps database writes off the request path: `record()` appends to an
 * in-memory buffer and returns at once; a flusher batch-inserts every `flushIntervalMs` or
 * whenever a batch fills, idempotently by request id. When PostgreSQL is unavailable the batch
 * stays buffered and is retried; `close()` (SIGTERM) flushes everything before the process exits.
 *
 * Known limit: the buffer is process memory, so a `kill -9` loses up to one flush interval of
 * records. A durable local spool replaces it in the resilience work (issue 6).
 */
import type { Logger } from '../platform/logger.js';
import type { NewUsageRecord, UsageStore } from './usage.store.js';

export interface UsageRecorderOptions {
  store: Pick<UsageStore, 'insertBatch'>;
  logger: Logger;
  flushIntervalMs: number;
  batchSize: number;
  /** Records kept while the database is down before the oldest are dropped (and logged). */
  maxBuffered?: number;
}

export function createUsageRecorder(options: UsageRecorderOptions) {
  const { store, logger, batchSize } = options;
  const maxBuffered = options.maxBuffered ?? 200_000;
  let buffer: NewUsageRecord[] = [];
  let flushing: Promise<void> | undefined;
  let closed = false;
  let dropped = 0;

  const timer = setInterval(() => void flush(), options.flushIntervalMs);
  timer.unref();

  async function flushOnce(): Promise<void> {
    while (buffer.length > 0) {
      const batch = buffer.slice(0, batchSize);
      const droppedBefore = dropped;
      try {
        await store.insertBatch(batch);
      } catch (error) {
        logger.warn({ err: error, buffered: buffer.length }, 'usage flush failed; records stay buffered and will be retried');
        return;
      }
      // record() drops from the front, so rows dropped during the insert were this batch's: remove only what is left of it.
      buffer = buffer.slice(Math.max(0, batch.length - (dropped - droppedBefore)));
    }
  }

  function flush(): Promise<void> {
    flushing ??= flushOnce().finally(() => {
      flushing = undefined;
    });
    return flushing;
  }

  return {
    record(row: NewUsageRecord): void {
      if (closed) logger.warn({ request_id: row.requestId }, 'usage recorded after close; flushing it synchronously');
      buffer.push(row);
      if (buffer.length > maxBuffered) {
        const excess = buffer.length - maxBuffered;
        buffer = buffer.slice(excess);
        dropped += excess;
        logger.error({ dropped_total: dropped }, 'usage buffer full while the database is unavailable; oldest records dropped');
      }
      if (buffer.length >= batchSize || closed) void flush();
    },
    flush,
    pending(): number {
      return buffer.length;
    },
    /** Stop the timer and flush until empty, retrying for up to `timeoutMs`. */
    async close(timeoutMs = 10_000): Promise<void> {
      closed = true;
      clearInterval(timer);
      const deadline = Date.now() + timeoutMs;
      while (buffer.length > 0 && Date.now() < deadline) {
        // A flush stuck on a dead connection must not hold shutdown past its deadline.
        await Promise.race([flush(), new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now())).unref())]);
        if (buffer.length > 0) await new Promise((resolve) => setTimeout(resolve, 200));
      }
      if (buffer.length > 0) logger.error({ lost: buffer.length }, 'usage records could not be written before shutdown');
    },
  };
}

export type UsageRecorder = ReturnType<typeof createUsageRecorder>;
