/** The fault proxy the resilience tests rely on does what each fault says. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeProvider } from './fakes/fake-server.js';
import { startFakeOpenAI } from './fakes/openai.js';
import { startFaultProxy, type FaultProxy } from './helpers/fault-proxy.js';

const KEY = 'sk-fault-proxy-test-000000000000000001';
let fake: FakeProvider;
let proxy: FaultProxy;

beforeAll(async () => {
  fake = await startFakeOpenAI({ keys: [KEY], streamIntervalMs: 5 });
  proxy = await startFaultProxy(new URL(fake.baseUrl).origin);
});
afterAll(async () => {
  await proxy?.close();
  await fake?.close();
});

const call = (stream = false, signal?: AbortSignal) =>
  fetch(`${proxy.origin}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream }),
    ...(signal ? { signal } : {}),
  });

describe('fault proxy', () => {
  it('passes requests and streams through unchanged, counting them', async () => {
    const before = proxy.seen();
    const response = await call();
    expect(response.status).toBe(200);
    expect(((await response.json()) as { object: string }).object).toBe('chat.completion');
    const streamed = await (await call(true)).text();
    expect(streamed.trim().endsWith('data: [DONE]')).toBe(true);
    expect(proxy.seen() - before).toBe(2);
  });

  it('plays one-shot faults in order, then the standing one', async () => {
    proxy.next({ kind: 'status', status: 503 }, { kind: 'latency', ms: 300 });
    expect((await call()).status).toBe(503);
    const started = performance.now();
    expect((await call()).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    proxy.always({ kind: 'status', status: 500, body: { error: { message: 'down', type: 'server_error' } } });
    expect((await call()).status).toBe(500);
    expect((await call()).status).toBe(500);
    proxy.always({ kind: 'pass' });
    expect((await call()).status).toBe(200);
  });

  it('resets connections and blackholes requests', async () => {
    proxy.next({ kind: 'reset' }, { kind: 'blackhole' });
    await expect(call()).rejects.toThrow();
    const abort = AbortSignal.timeout(500);
    await expect(call(false, abort)).rejects.toThrow(/abort|timeout/i);
  });

  it('cuts a stream after N events and slows one down chunk by chunk', async () => {
    proxy.next({ kind: 'truncate-stream', afterEvents: 2 });
    const response = await call(true);
    let text = '';
    await expect(
      (async () => {
        for await (const chunk of response.body!) text += Buffer.from(chunk).toString();
      })(),
    ).rejects.toThrow();
    expect(text.split('\n\n').filter((event) => event.startsWith('data:'))).toHaveLength(2);
    expect(text).not.toContain('[DONE]');

    let started = performance.now();
    await (await call(true)).text();
    const normal = performance.now() - started;
    proxy.next({ kind: 'slow-stream', chunkDelayMs: 60 });
    started = performance.now();
    const slow = await (await call(true)).text();
    expect(slow).toContain('[DONE]');
    // Every one of the stream's events (≥ 4 here) waited 60 ms.
    expect(performance.now() - started).toBeGreaterThanOrEqual(normal + 200);
  });
});
