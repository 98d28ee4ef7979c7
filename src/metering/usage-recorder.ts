/**
 * The usage recorder keeps database writes off the request path and loses nothing:
 * `record()` appends the record to the durable spool (usage-spool.ts: one write to a local file,
 * before the response completes) and to the in-memory batch, and returns. A flusher inserts every
 * `flushIntervalMs`, or whenever a batch fills, idempotently by request id: it first replays sealed
 * spool segments left by failed flushes or by a process that died, then seals the active segment
 * and inserts its records, deleting each segment once all its records are in PostgreSQL.
 *
 * While PostgreSQL is down the records wait on disk (memory holds only the current interval), and
 * are replayed when it returns; `close()` (SIGTERM) flushes what it can before its deadline and
 * leaves the rest sealed in the spool for the next start. A `kill -9` loses no record whose write
 * returned, which `record()` does before the handler writes the response.
 */
import type { Logger } from '../platform/logger.js';
import type { UsageSpool } from './usage-spool.js';
import type { NewUsageRecord, UsageStore } from './usage.store.js';

export interface UsageRecorderOptions {
  store: Pick<UsageStore, 'insertLines'>;
  spool: UsageSpool;
  logger: Logger;
  flushIntervalMs: number;
  batchSize: number;
  /** Told of every accepted record (the live `usage.created` event): must be cheap, no I/O. */
  onRecorded?: (row: NewUsageRecord & { createdAt: Date }) => void;
}

export function createUsageRecorder(options: UsageRecorderOptions) {
  const { store, spool, logger, batchSize } = options;
  /**
   * Records of the active spool segment, in the order written, as the JSON written there: each
   * record is serialised once, and the insert sends these lines as they are (usage.store.ts).
   */
  let current: string[] = [];
  let flushing: Promise<boolean> | undefined;
  let closed = false;

  const timer = setInterval(() => void flush(), options.flushIntervalMs);
  timer.unref();
  // What a previous process left in the spool goes in at start, not an interval later.
  if (spool.backlog().length > 0) setImmediate(() => void flush());

  async function insertAll(lines: string[]): Promise<void> {
    for (let start = 0; start < lines.length; start += batchSize) await store.insertLines(lines.slice(start, start + batchSize));
  }

  /** One pass until nothing is pending; false when an insert failed (the rest stays spooled). */
  async function flushOnce(): Promise<boolean> {
    for (;;) {
      try {
        for (const segment of spool.backlog()) {
          await insertAll(spool.read(segment));
          spool.remove(segment);
        }
        if (current.length === 0) return true;
        const rows = current;
        current = [];
        const segment = spool.seal();
        try {
          await insertAll(rows);
        } catch (error) {
          // The sealed segment holds them; if the spool write had failed, memory is all there is.
          if (!segment) current = rows.concat(current);
          throw error;
        }
        if (segment) spool.remove(segment);
      } catch (error) {
        logger.warn({ err: error }, 'usage flush failed; records stay in the spool and are retried');
        return false;
      }
    }
  }

  function flush(): Promise<boolean> {
    flushing ??= flushOnce().finally(() => {
      flushing = undefined;
    });
    return flushing;
  }

  return {
    /** Takes the record: it is stamped in place (`createdAt`, when it has none) and must not change after. */
    record(row: NewUsageRecord): void {
      if (closed) logger.warn({ request_id: row.requestId }, 'usage recorded after close; writing it at once');
      // Stamped now: a record replayed after an outage keeps the time of its request.
      row.createdAt ??= new Date();
      const stamped = row as NewUsageRecord & { createdAt: Date };
      const line = JSON.stringify(stamped);
      spool.append(line);
      current.push(line);
      if (options.onRecorded) {
        try {
          options.onRecorded(stamped);
        } catch (error) {
          logger.warn({ err: error }, 'the usage event hook failed');
        }
      }
      if (current.length >= batchSize || closed) void flush();
    },
    /** Resolves once everything recorded so far is in PostgreSQL (true) or an insert failed (false). */
    flush,
    /** Records not yet in PostgreSQL that this process holds in memory. */
    pending(): number {
      return current.length;
    },
    /** Stop the timer and flush, retrying for up to `timeoutMs`; what is left stays in the spool. */
    async close(timeoutMs = 10_000): Promise<void> {
      closed = true;
      clearInterval(timer);
      const deadline = Date.now() + timeoutMs;
      let done = false;
      while (!done && Date.now() < deadline) {
        // A flush stuck on a dead connection must not hold shutdown past its deadline.
        done = (await Promise.race([flush(), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), Math.max(0, deadline - Date.now())).unref())])) === true;
        if (!done) await new Promise((resolve) => setTimeout(resolve, 200));
      }
      spool.close();
      if (!done) logger.error({ spool: spool.dir }, 'usage records could not all be written before shutdown; they stay in the spool and are replayed at the next start');
    },
  };
}

export type UsageRecorder = ReturnType<typeof createUsageRecorder>;
