/**
 * Issue 6, done-when: 50 concurrent requests against a budget with room for 10 let at most 10
 * through, across two server processes sharing PostgreSQL and Redis (the counters live in Redis,
 * checked and charged by one Lua script). The OpenAI fake answers after a latency, so every request
 * holds its reservation while the others arrive.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatWorstCase, worstCaseMicros } from '../../src/metering/budgets/worst-case.js';
import { createPriceCatalog } from '../../src/metering/price-catalog.js';
import type { FakeProvider } from '../fakes/fake-server.js';
import { startFakeOpenAI } from '../fakes/openai.js';
import { startReplicas, type Replicas } from '../helpers/replicas.js';
import type { TestServer } from '../helpers/test-server.js';

const PROVIDER_KEY = 'sk-budgets-replicas-key-00000000000001';
const CHAT = { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], max_tokens: 1000 };
const RESERVATION = worstCaseMicros(createPriceCatalog(), 'openai', 'gpt-4o-mini', chatWorstCase(CHAT));

let fake: FakeProvider;
let replicas: Replicas;
let a: TestServer;
let b: TestServer;

beforeAll(async () => {
  fake = await startFakeOpenAI({ keys: [PROVIDER_KEY], latencyMs: 2_000 });
  replicas = await startReplicas({ SWITCHBOARD_OPENAI_BASE_URL: fake.baseUrl });
  ({ a, b } = replicas);
});

afterAll(async () => {
  await replicas?.close();
  await fake?.close();
});

describe('budgets across two replicas sharing Redis', () => {
  it('lets at most 10 of 50 concurrent requests through a budget with room for 10', async () => {
    const user = await a.signIn();
    expect((await a.api('/api/integrations', { token: user.token, body: { service: 'openai', api_key: PROVIDER_KEY } })).status).toBe(201);
    const key = (await (await a.api('/api/keys', { token: user.token, body: { name: 'shared' } })).json()) as { id: string; key: string };
    const limit = 10 * RESERVATION + Math.floor(RESERVATION / 2);
    const put = await a.api('/api/budgets', { method: 'PUT', token: user.token, body: { scope: 'key', scope_id: key.id, limit_micros: limit } });
    expect(put.status).toBe(201);

    const before = fake.requests.length;
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, index) => (index % 2 === 0 ? a : b).api('/v1/chat/completions', { token: key.key, body: CHAT })),
    );
    const statuses = responses.map((response) => response.status);
    const ok = statuses.filter((status) => status === 200).length;
    expect(ok).toBeLessThanOrEqual(10);
    expect(ok).toBeGreaterThanOrEqual(1);
    expect(statuses.filter((status) => status === 402)).toHaveLength(50 - ok);
    // Both replicas refused some: the limit is one budget, not one per replica.
    expect(statuses.filter((status, index) => index % 2 === 0 && status === 402).length).toBeGreaterThan(0);
    expect(statuses.filter((status, index) => index % 2 === 1 && status === 402).length).toBeGreaterThan(0);
    expect(fake.requests.length - before).toBe(ok);

    // Both replicas read the same counters: nothing held once the calls settled, spend within the limit.
    for (const server of [a, b]) {
      const started = Date.now();
      let budget: { spent_micros: number; reserved_micros: number } | undefined;
      do {
        budget = ((await (await server.api('/api/budgets', { token: user.token })).json()) as { data: Array<{ spent_micros: number; reserved_micros: number }> }).data[0];
        if (budget?.reserved_micros === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      } while (Date.now() - started < 5_000);
      expect(budget!.reserved_micros).toBe(0);
      expect(budget!.spent_micros).toBeGreaterThan(0);
      expect(budget!.spent_micros).toBeLessThanOrEqual(limit);
    }
    // The counters were Redis's, not a per-replica fallback.
    for (const server of [a, b]) expect(server.logs.text()).not.toContain('budget counters unavailable');
    for (const server of [a, b]) expect(server.logs.text()).not.toContain(PROVIDER_KEY);
    for (const server of [a, b]) expect(server.logs.text()).not.toContain(key.key);
  });
});
