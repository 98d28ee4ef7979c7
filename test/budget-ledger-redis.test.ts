/**
 * The Redis budget ledger against a real redis-server of this file's own (it is paused and
 * killed): reservations are atomic across clients; a Redis that stops answering never holds a call
 * longer than BUDGET_REDIS_TIMEOUT_MS, and a reservation Redis made after we stopped waiting is
 * released again; a reservation held locally during an outage is settled locally, without touching
 * what other calls hold in Redis.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUDGET_REDIS_TIMEOUT_MS, createRedisLedger, type BudgetLedger } from '../src/metering/budgets/budget-ledger.js';
import { createLogger } from '../src/platform/logger.js';
import { startOwnRedis, type OwnRedis } from './helpers/own-redis.js';

let redis: OwnRedis;
const clients: Redis[] = [];
const logger = createLogger({ level: 'silent' });
const noSpend = async (keys: string[]) => keys.map(() => 0);

function client(): Redis {
  // The app's settings (src/platform/redis.ts): one retry, queue while reconnecting.
  const connection = new Redis(redis.url, { maxRetriesPerRequest: 1, enableOfflineQueue: true, lazyConnect: false });
  connection.on('error', () => undefined);
  clients.push(connection);
  return connection;
}

async function held(ledger: BudgetLedger, key: string): Promise<number | undefined> {
  return (await ledger.read(key))?.held;
}

beforeAll(async () => {
  redis = await startOwnRedis();
});

afterAll(async () => {
  for (const connection of clients) connection.disconnect();
  await redis?.kill();
});

describe('Redis budget ledger', () => {
  it('admits exactly what fits when two processes reserve at once', async () => {
    const a = createRedisLedger(client(), logger);
    const b = createRedisLedger(client(), logger);
    const entries = [{ key: 'user:race:2026-12', limitMicros: 1_050 }];
    const results = await Promise.all(Array.from({ length: 50 }, (_, n) => (n % 2 === 0 ? a : b).reserve(entries, 100, noSpend)));
    expect(results.filter((result) => result.ok)).toHaveLength(10);
    expect(results.some((result) => result.local)).toBe(false);
    expect(await a.settle(['user:race:2026-12'], 100, 30)).toEqual([30]);
    expect(await b.read('user:race:2026-12')).toEqual({ spent: 30, held: 900 });
  });

  it('does not wait on a paused Redis, and releases the reservation Redis made late', async () => {
    const ledger = createRedisLedger(client(), logger);
    const admin = client();
    const key = 'user:pause:2026-12';
    const entries = [{ key, limitMicros: 1_000_000 }];
    expect(await ledger.reserve(entries, 100, noSpend)).toEqual({ ok: true });
    await admin.call('CLIENT', 'PAUSE', '1500', 'WRITE');
    const started = performance.now();
    const during = await ledger.reserve(entries, 200, noSpend);
    expect(performance.now() - started).toBeLessThan(BUDGET_REDIS_TIMEOUT_MS + 200);
    expect(during).toEqual({ ok: true, local: true });
    // Once Redis runs the queued script, the late reservation of 200 is released again.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(await held(ledger, key)).toBe(100);
    // The local one settles locally: Redis keeps holding only the first call's 100, and gets the cost.
    expect(await ledger.settle([key], 200, 50, true)).toEqual([50]);
    expect(await ledger.read(key)).toEqual({ spent: 50, held: 100 });
  });

  it('keeps reserving on this process while Redis is down, and is shared again after', async () => {
    const ledger = createRedisLedger(client(), logger);
    const entries = [{ key: 'user:down:2026-12', limitMicros: 250 }];
    await redis.kill();
    const started = performance.now();
    const results = [await ledger.reserve(entries, 100, noSpend), await ledger.reserve(entries, 100, noSpend), await ledger.reserve(entries, 100, noSpend)];
    // Per process while down: 2 × 100 fit into 250, the third does not.
    expect(results.map((result) => result.ok)).toEqual([true, true, false]);
    expect(results[0]!.local).toBe(true);
    expect(performance.now() - started).toBeLessThan(3 * (BUDGET_REDIS_TIMEOUT_MS + 200));
    // Settling a local reservation while Redis is still down does not throw and frees local room.
    await ledger.settle(['user:down:2026-12'], 100, 0, true);
    expect((await ledger.reserve(entries, 100, noSpend)).ok).toBe(true);

    await redis.restart();
    let back = await ledger.reserve(entries, 100, noSpend);
    for (let tries = 0; back.local && tries < 50; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      back = await ledger.reserve(entries, 100, noSpend);
    }
    expect(back).toEqual({ ok: true });
  });
});
