import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from '../platform/logger.js';
import { createUsageRecorder, type UsageRecorderOptions } from './usage-recorder.js';
import type { NewUsageRecord } from './usage.store.js';

const row = (n: number): NewUsageRecord => ({
  id: `use_${n}`,
  requestId: `req_${n}`,
  userId: 'usr_1',
  service: 'openai',
  model: 'gpt-4o-mini',
  operation: 'chat',
  priced: true,
  status: 200,
  latencyMs: 12,
});

/** A store whose inserts wait until the test settles them, recording every batch and peak concurrency. */
function createFakeStore() {
  const batches: string[][] = [];
  const settlers: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  let active = 0;
  let peak = 0;
  let mode: 'manual' | 'succeed' | 'fail' = 'succeed';
  const store: UsageRecorderOptions['store'] = {
    insertBatch: vi.fn(async (rows: NewUsageRecord[]) => {
      batches.push(rows.map((record) => record.requestId));
      active += 1;
      peak = Math.max(peak, active);
      try {
        if (mode === 'fail') throw new Error('connection refused');
        if (mode === 'manual') await new Promise<void>((resolve, reject) => settlers.push({ resolve, reject }));
        return rows.length;
      } finally {
        active -= 1;
      }
    }),
  };
  return {
    store,
    batches,
    peak: () => peak,
    setMode: (next: typeof mode) => {
      mode = next;
    },
    settleNext: async (error?: Error) => {
      const settler = settlers.shift();
      if (!settler) throw new Error('no insert is waiting');
      if (error) settler.reject(error);
      else settler.resolve();
      await vi.advanceTimersByTimeAsync(0);
    },
    written: () => batches.flat(),
  };
}

const fakeLogger = () => ({ warn: vi.fn(), error: vi.fn(), info: vi.fn(), debug: vi.fn() });
const ids = (...numbers: number[]) => numbers.map((n) => `req_${n}`);

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function setup(options: Partial<Omit<UsageRecorderOptions, 'store' | 'logger'>> = {}) {
  const fake = createFakeStore();
  const logger = fakeLogger();
  const recorder = createUsageRecorder({ store: fake.store, logger: logger as unknown as Logger, flushIntervalMs: 1_000, batchSize: 3, ...options });
  return { fake, logger, recorder };
}

describe('usage recorder', () => {
  it('does not write until a batch fills, then writes batches of at most batchSize', async () => {
    const { fake, recorder } = setup();
    recorder.record(row(1));
    recorder.record(row(2));
    await vi.advanceTimersByTimeAsync(0);
    expect(fake.batches).toEqual([]);
    expect(recorder.pending()).toBe(2);
    for (const n of [3, 4, 5, 6, 7]) recorder.record(row(n));
    await vi.advanceTimersByTimeAsync(0);
    expect(fake.batches).toEqual([ids(1, 2, 3), ids(4, 5, 6), ids(7)]);
    expect(recorder.pending()).toBe(0);
  });

  it('flushes a partial batch every flushIntervalMs', async () => {
    const { fake, recorder } = setup({ batchSize: 100 });
    recorder.record(row(1));
    await vi.advanceTimersByTimeAsync(999);
    expect(fake.batches).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(fake.batches).toEqual([ids(1)]);
    recorder.record(row(2));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(fake.batches).toEqual([ids(1), ids(2)]);
  });

  it('keeps records when the insert fails, warns, and retries them on the next interval', async () => {
    const { fake, logger, recorder } = setup({ batchSize: 100 });
    fake.setMode('fail');
    recorder.record(row(1));
    recorder.record(row(2));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(fake.batches).toEqual([ids(1, 2)]);
    expect(recorder.pending()).toBe(2);
    expect(logger.warn).toHaveBeenCalledWith(expect.objectContaining({ buffered: 2 }), expect.stringMatching(/retried/));
    fake.setMode('succeed');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(fake.batches).toEqual([ids(1, 2), ids(1, 2)]);
    expect(recorder.pending()).toBe(0);
  });

  it('never runs two flushes at once: callers and timer ticks share the running flush', async () => {
    const { fake, recorder } = setup({ batchSize: 2 });
    fake.setMode('manual');
    recorder.record(row(1));
    recorder.record(row(2));
    const running = recorder.flush();
    expect(recorder.flush()).toBe(running);
    recorder.record(row(3));
    recorder.record(row(4));
    await vi.advanceTimersByTimeAsync(5_000);
    expect(fake.batches).toEqual([ids(1, 2)]);
    await fake.settleNext();
    expect(fake.batches).toEqual([ids(1, 2), ids(3, 4)]);
    await fake.settleNext();
    await running;
    expect(fake.peak()).toBe(1);
    expect(recorder.pending()).toBe(0);
  });

  it('drops the oldest records beyond maxBuffered and logs an error with the running total', async () => {
    const { fake, logger, recorder } = setup({ batchSize: 100, maxBuffered: 3 });
    fake.setMode('fail');
    for (const n of [1, 2, 3, 4, 5]) recorder.record(row(n));
    expect(recorder.pending()).toBe(3);
    expect(logger.error).toHaveBeenCalledTimes(2);
    expect(logger.error).toHaveBeenLastCalledWith({ dropped_total: 2 }, expect.stringMatching(/oldest records dropped/));
    fake.setMode('succeed');
    await recorder.close();
    expect(fake.written()).toEqual(ids(3, 4, 5));
  });

  it('does not lose unwritten records when the buffer overflows during an insert (bug: the slice after the insert removed them)', async () => {
    const { fake, recorder } = setup({ batchSize: 2, maxBuffered: 3 });
    fake.setMode('manual');
    recorder.record(row(1));
    recorder.record(row(2)); // insert of [1, 2] starts
    recorder.record(row(3));
    recorder.record(row(4)); // overflow: the oldest, 1, leaves the buffer while its insert runs
    expect(recorder.pending()).toBe(3);
    fake.setMode('succeed');
    await fake.settleNext();
    expect(fake.written()).toEqual(ids(1, 2, 3, 4));
    expect(recorder.pending()).toBe(0);
  });

  it('close() flushes everything and stops the timer', async () => {
    const { fake, logger, recorder } = setup({ batchSize: 2, flushIntervalMs: 60_000 });
    for (const n of [1, 2, 3, 4, 5]) recorder.record(row(n));
    await recorder.close();
    expect(fake.written()).toEqual(ids(1, 2, 3, 4, 5));
    expect(fake.batches.every((batch) => batch.length <= 2)).toBe(true);
    expect(logger.error).not.toHaveBeenCalled();
    const calls = fake.batches.length;
    await vi.advanceTimersByTimeAsync(600_000);
    expect(fake.batches).toHaveLength(calls);
  });

  it('close() retries a failing store until it recovers', async () => {
    const { fake, recorder } = setup({ batchSize: 100 });
    fake.setMode('fail');
    recorder.record(row(1));
    const closing = recorder.close(10_000);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(fake.batches.length).toBeGreaterThan(1);
    fake.setMode('succeed');
    await vi.advanceTimersByTimeAsync(1_000);
    await closing;
    expect(recorder.pending()).toBe(0);
    expect(fake.batches.at(-1)).toEqual(ids(1));
  });

  it('close() gives up after its timeout and logs how many records were lost', async () => {
    const { fake, logger, recorder } = setup({ batchSize: 100 });
    fake.setMode('fail');
    recorder.record(row(1));
    recorder.record(row(2));
    const closing = recorder.close(1_000);
    await vi.advanceTimersByTimeAsync(2_000);
    await closing;
    expect(logger.error).toHaveBeenCalledWith({ lost: 2 }, expect.stringMatching(/could not be written/));
  });

  it('writes a record that arrives after close at once, with a warning', async () => {
    const { fake, logger, recorder } = setup({ batchSize: 100 });
    await recorder.close();
    recorder.record(row(9));
    await vi.advanceTimersByTimeAsync(0);
    expect(fake.written()).toEqual(ids(9));
    expect(logger.warn).toHaveBeenCalledWith({ request_id: 'req_9' }, expect.stringMatching(/after close/));
  });
});
