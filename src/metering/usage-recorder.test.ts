import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from '../platform/logger.js';
import { createUsageRecorder, type UsageRecorderOptions } from './usage-recorder.js';
import { createUsageSpool } from './usage-spool.js';
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
    insertLines: vi.fn(async (lines: readonly string[]) => {
      const rows = lines.map((line) => JSON.parse(line) as NewUsageRecord);
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

let spoolDir: string;
beforeEach(() => {
  vi.useFakeTimers();
  spoolDir = mkdtempSync(path.join(os.tmpdir(), 'usage-spool-'));
});
afterEach(() => {
  vi.useRealTimers();
  rmSync(spoolDir, { recursive: true, force: true });
});

/** The spool's files: `open` (being written) and `sealed` (waiting for the database). */
const spoolFiles = () => {
  const names = readdirSync(spoolDir);
  return { open: names.filter((name) => name.endsWith('.open')), sealed: names.filter((name) => name.endsWith('.jsonl')) };
};

function setup(options: Partial<Omit<UsageRecorderOptions, 'store' | 'logger' | 'spool'>> = {}, fake = createFakeStore()) {
  const logger = fakeLogger();
  const spool = createUsageSpool({ dir: spoolDir, logger: logger as unknown as Logger });
  const recorder = createUsageRecorder({ store: fake.store, spool, logger: logger as unknown as Logger, flushIntervalMs: 1_000, batchSize: 3, ...options });
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
    expect(fake.written()).toEqual(ids(1, 2, 3, 4, 5, 6, 7));
    expect(fake.batches.every((batch) => batch.length <= 3)).toBe(true);
    expect(recorder.pending()).toBe(0);
    expect(spoolFiles()).toEqual({ open: [], sealed: [] });
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

  it('writes every record to the spool before record() returns, stamped with its time', () => {
    const { recorder } = setup({ batchSize: 100 });
    recorder.record(row(1));
    recorder.record(row(2));
    const { open } = spoolFiles();
    expect(open).toHaveLength(1);
    const lines = readFileSync(path.join(spoolDir, open[0]!), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(lines.map((line) => line.requestId)).toEqual(ids(1, 2));
    expect(new Date(lines[0].createdAt).getTime()).toBe(Date.now());
  });

  it('keeps records on disk when the insert fails, warns, and replays them on the next interval', async () => {
    const { fake, logger, recorder } = setup({ batchSize: 100 });
    fake.setMode('fail');
    recorder.record(row(1));
    recorder.record(row(2));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(fake.batches).toEqual([ids(1, 2)]);
    expect(spoolFiles().sealed).toHaveLength(1);
    expect(logger.warn).toHaveBeenCalledWith(expect.anything(), expect.stringMatching(/stay in the spool/));
    recorder.record(row(3));
    fake.setMode('succeed');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(fake.batches.slice(1)).toEqual([ids(1, 2), ids(3)]);
    expect(spoolFiles()).toEqual({ open: [], sealed: [] });
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
    expect(await running).toBe(true);
    expect(fake.peak()).toBe(1);
    expect(recorder.pending()).toBe(0);
  });

  it('replays what a process that died left in the spool, skipping a line cut short by the crash', async () => {
    const deadPid = 4_194_000 + Math.floor(Math.random() * 300);
    const line = (n: number) => JSON.stringify({ ...row(n), createdAt: '2026-01-02T03:04:05.000Z' });
    writeFileSync(path.join(spoolDir, `usage-1000-${deadPid}-abcd.open`), `${line(1)}\n${line(2)}\n{"id":"use_3","requ`);
    writeFileSync(path.join(spoolDir, `usage-900-${deadPid}-beef.jsonl`), `${line(0)}\n`);
    const fake = createFakeStore();
    const inserted: unknown[] = [];
    const insert = fake.store.insertLines;
    fake.store.insertLines = async (lines) => (inserted.push(...lines.map((line) => JSON.parse(line) as unknown)), insert(lines));
    const { logger, recorder } = setup({ batchSize: 100 }, fake);
    expect(await recorder.flush()).toBe(true);
    expect(fake.written()).toEqual(ids(0, 1, 2));
    expect((inserted[1] as { createdAt: string }).createdAt).toBe('2026-01-02T03:04:05.000Z');
    expect(logger.warn).toHaveBeenCalledWith(expect.objectContaining({ skipped: 1 }), expect.stringMatching(/cut short/));
    expect(spoolFiles()).toEqual({ open: [], sealed: [] });
  });

  it('leaves the segment of a process that still runs alone', async () => {
    writeFileSync(path.join(spoolDir, `usage-1000-${process.pid}-abcd.open`), `${JSON.stringify(row(1))}\n`);
    const { fake, recorder } = setup({ batchSize: 100 });
    await recorder.flush();
    expect(fake.batches).toEqual([]);
    expect(spoolFiles().open).toHaveLength(1);
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
    expect(fake.batches.at(-1)).toEqual(ids(1));
    expect(spoolFiles()).toEqual({ open: [], sealed: [] });
  });

  it('close() gives up after its timeout, leaving the records sealed in the spool for the next start', async () => {
    const { fake, logger, recorder } = setup({ batchSize: 100 });
    fake.setMode('fail');
    recorder.record(row(1));
    recorder.record(row(2));
    const closing = recorder.close(1_000);
    await vi.advanceTimersByTimeAsync(2_000);
    await closing;
    expect(logger.error).toHaveBeenCalledWith(expect.anything(), expect.stringMatching(/replayed at the next start/));
    expect(spoolFiles().open).toEqual([]);
    expect(spoolFiles().sealed).toHaveLength(1);

    const next = setup({ batchSize: 100 });
    expect(await next.recorder.flush()).toBe(true);
    expect(next.fake.written()).toEqual(ids(1, 2));
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
