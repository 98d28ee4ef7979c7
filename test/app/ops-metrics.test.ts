/**
 * Operations surface of one replica (OPS.md 4.3, 4.6; checks 5, 6's XFF part, 18):
 * - /metrics has every metric of the docs/ops.md table, OTel-advised gen_ai buckets, and a bounded
 *   series count after 1,000 requests from 25 tenants with 200 random model names; no label value
 *   carries a tenant id, email, key or raw model name;
 * - /readyz has the documented shape (db, redis, migrations, keyring, draining), turns 503 naming
 *   `db` while PostgreSQL is unreachable and 200 again after, while /healthz stays 200;
 * - X-Forwarded-For: a spoofed header from an untrusted peer does not change the per-IP limit key;
 *   from a trusted proxy the right-most untrusted hop is the key.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeProvider } from '../fakes/fake-server.js';
import { startFakeOpenAI } from '../fakes/openai.js';
import { startDatabaseProxy } from '../helpers/database-proxy.js';
import { createIntegration } from '../helpers/gateway-client.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { GEN_AI_DURATION_BUCKETS, GEN_AI_TOKEN_BUCKETS } from '../../src/platform/metrics.js';

/** The documented bound (docs/ops.md "Metrics"): total series of one process, whatever the traffic. */
const SERIES_BOUND = 3000;
const TENANTS = 25;
const REQUESTS = 1000;

/** The table in docs/ops.md and README (OPS.md 4.6). */
const DOCUMENTED_METRICS = [
  'http_server_request_duration_seconds',
  'switchboard_gateway_requests_total',
  'switchboard_gateway_overhead_seconds',
  'switchboard_time_to_first_token_seconds',
  'gen_ai_client_operation_duration_seconds',
  'gen_ai_client_token_usage',
  'gen_ai_client_operation_time_to_first_chunk_seconds',
  'switchboard_cost_usd_total',
  'switchboard_ratelimit_rejections_total',
  'switchboard_budget_rejections_total',
  'switchboard_circuit_state',
  'switchboard_cache_events_total',
  'switchboard_usage_spool_depth',
  'switchboard_usage_flush_lag_seconds',
  'switchboard_jobs_total',
  'switchboard_jobs_waiting',
  'switchboard_secret_decrypt_failures_total',
  'switchboard_wrapped_keys',
  'switchboard_build_info',
  'process_cpu_seconds_total',
  'nodejs_eventloop_lag_seconds',
];

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Prometheus text format → samples; throws on a line that is not valid exposition. */
function parseMetrics(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      types.set(name!, type!);
      continue;
    }
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (-?[0-9.e+-]+|[Nn]a[Nn]|\+Inf|-Inf)$/.exec(line); // NaN in any case, as Prometheus' parser (Go ParseFloat) accepts
    if (!match) throw new Error(`not Prometheus text: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]!] = pair[2]!;
    samples.push({ name: match[1]!, labels, value: Number(match[4]) });
  }
  return { samples, types };
}

let fake: FakeProvider;
let server: TestServer;
const keys = Array.from({ length: TENANTS }, (_, index) => `sk-ops-metrics-canary-${String(index).padStart(4, '0')}-0000000000`);
const tenants: { token: string; userId: string; email: string }[] = [];
const randomModels = Array.from({ length: 200 }, (_, index) => `rnd-${index}-${Math.random().toString(36).slice(2, 10)}`);

beforeAll(async () => {
  fake = await startFakeOpenAI({ keys });
  server = await startTestServer({ SWITCHBOARD_OPENAI_BASE_URL: fake.baseUrl, LOG_LEVEL: 'warn' });
  for (let index = 0; index < TENANTS; index += 1) {
    const signed = await server.signIn();
    await createIntegration(server, signed.token, { service: 'openai', api_key: keys[index] });
    tenants.push(signed);
  }
}, 120_000);

afterAll(async () => {
  await server?.close();
  await fake?.close();
});

async function scrape(url: string): Promise<string> {
  const response = await fetch(`${url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  return response.text();
}

describe('/metrics', () => {
  it('stays bounded after 1,000 requests from many tenants with 200 random model names, and leaks no tenant data', async () => {
    let sent = 0;
    const statuses = new Map<number, number>();
    const worker = async () => {
      while (sent < REQUESTS) {
        const index = sent++;
        const tenant = tenants[index % TENANTS]!;
        // Mostly unknown models (upstream 404 or 200, both metered), some catalog ones, a fifth streamed.
        const model = index % 4 === 0 ? 'openai/gpt-4o-mini' : `openai/${randomModels[index % randomModels.length]}`;
        const response = await fetch(`${server.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${tenant.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], stream: index % 5 === 0 }),
        });
        await response.arrayBuffer();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    expect(statuses.get(200) ?? 0).toBeGreaterThanOrEqual(REQUESTS / 4);

    const text = await scrape(server.url);
    const { samples, types } = parseMetrics(text);
    expect(samples.length).toBeLessThanOrEqual(SERIES_BOUND);
    for (const name of DOCUMENTED_METRICS) expect(types.has(name), name).toBe(true);

    // Every request was counted, by bounded labels only.
    const requests = samples.filter((sample) => sample.name === 'switchboard_gateway_requests_total');
    expect(requests.reduce((sum, sample) => sum + sample.value, 0)).toBe(REQUESTS);
    const durations = samples.filter((sample) => sample.name === 'gen_ai_client_operation_duration_seconds_count');
    expect(durations.reduce((sum, sample) => sum + sample.value, 0)).toBe(REQUESTS);
    expect(new Set(durations.map((sample) => sample.labels.gen_ai_request_model))).toEqual(new Set(['gpt-4o-mini', 'other']));
    expect(new Set(durations.map((sample) => sample.labels.gen_ai_provider_name))).toEqual(new Set(['openai']));
    const routes = new Set(samples.filter((sample) => sample.name === 'http_server_request_duration_seconds_count').map((sample) => sample.labels.route));
    expect(routes.has('/v1/chat/completions')).toBe(true);
    expect(samples.some((sample) => sample.name === 'switchboard_time_to_first_token_seconds_count' && sample.value > 0)).toBe(true);
    // The decrypted-key cache served most calls.
    expect(samples.find((sample) => sample.name === 'switchboard_cache_events_total' && sample.labels.cache === 'secret' && sample.labels.event === 'hit')?.value).toBeGreaterThan(REQUESTS / 2);

    // OTel-advised buckets.
    const bucketsOf = (name: string) => [...new Set(samples.filter((sample) => sample.name === `${name}_bucket`).map((sample) => sample.labels.le))].filter((le) => le !== '+Inf').map(Number);
    expect(bucketsOf('gen_ai_client_operation_duration_seconds')).toEqual(GEN_AI_DURATION_BUCKETS);
    expect(bucketsOf('gen_ai_client_token_usage')).toEqual(GEN_AI_TOKEN_BUCKETS);

    // No label value is a tenant id, email, key, token or raw model name.
    const forbidden = [...keys, ...randomModels, ...tenants.flatMap((tenant) => [tenant.userId, tenant.email, tenant.token]), server.masterKey];
    const values = samples.flatMap((sample) => Object.values(sample.labels));
    for (const value of values) for (const secret of forbidden) expect(value.includes(secret), `label ${value}`).toBe(false);
    for (const secret of [...keys, server.masterKey]) expect(text.includes(secret)).toBe(false);
    // Nor do the logs carry a provider key or the master key.
    const logText = server.logs.text();
    for (const secret of [...keys, server.masterKey]) expect(logText.includes(secret)).toBe(false);
  }, 120_000);

  it('counts wrapped data keys per master key id, and has no decrypt failure', async () => {
    const { samples } = parseMetrics(await scrape(server.url));
    const wrapped = samples.filter((sample) => sample.name === 'switchboard_wrapped_keys');
    expect(wrapped, JSON.stringify(wrapped)).toHaveLength(1);
    expect(wrapped[0]!.labels.kek_id).toMatch(/^[0-9a-f]{16}$/);
    expect(wrapped[0]!.value).toBe(TENANTS);
    expect(samples.filter((sample) => sample.name === 'switchboard_secret_decrypt_failures_total').reduce((sum, sample) => sum + sample.value, 0)).toBe(0);
  });
});

describe('/readyz and /healthz', () => {
  it('answers the documented shape with every check ok', async () => {
    const response = await fetch(`${server.url}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', checks: { db: 'ok', redis: 'disabled', migrations: 'ok', keyring: 'ok', draining: 'ok' } });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('turns 503 naming the database within 2 s of losing it, 200 within 5 s of getting it back; /healthz stays 200', async () => {
    const database: TestDatabase = await createTestDatabase();
    const proxy = await startDatabaseProxy(database.url);
    const replica = await startTestServer({ DATABASE_URL: proxy.url });
    const waitFor = async (want: number, withinMs: number) => {
      const deadline = Date.now() + withinMs;
      for (;;) {
        const response = await fetch(`${replica.url}/readyz`);
        const body = (await response.json()) as { checks: Record<string, string> };
        if (response.status === want) return body;
        if (Date.now() > deadline) throw new Error(`readyz still ${response.status}: ${JSON.stringify(body)}`);
        expect((await fetch(`${replica.url}/healthz`)).status).toBe(200);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    try {
      await waitFor(200, 5_000);
      proxy.down();
      const down = await waitFor(503, 2_000);
      expect(down.checks.db).toBe('unreachable');
      expect(down.checks.draining).toBe('ok');
      expect((await fetch(`${replica.url}/healthz`)).status).toBe(200);
      proxy.up();
      const up = await waitFor(200, 5_000);
      expect(up.checks.db).toBe('ok');
    } finally {
      await replica.close();
      await proxy.close();
      await database.drop();
    }
  }, 60_000);
});

/** A GET from a chosen loopback source address, so the server sees a given peer. */
function getFrom(url: string, localAddress: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { localAddress, headers, agent: false }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('error', reject);
  });
}

describe('X-Forwarded-For behind SWITCHBOARD_TRUSTED_PROXIES', () => {
  let limited: TestServer;
  beforeAll(async () => {
    // Only 127.0.0.1 is a trusted proxy; 127.0.0.2 is an ordinary client. 2 requests/s (+2 burst).
    limited = await startTestServer({ SWITCHBOARD_TRUSTED_PROXIES: '127.0.0.1/32', SWITCHBOARD_RATE_LIMIT_API_PER_IP: '2' });
  });
  afterAll(async () => {
    await limited?.close();
  });

  const burst = async (localAddress: string, forwardedFor: (index: number) => string) => {
    const statuses: number[] = [];
    for (let index = 0; index < 8; index += 1) statuses.push(await getFrom(`${limited.url}/api/ops-probe`, localAddress, { 'x-forwarded-for': forwardedFor(index) }));
    return statuses;
  };

  it('ignores a spoofed X-Forwarded-For from an untrusted peer: every request draws from the peer’s bucket', async () => {
    const statuses = await burst('127.0.0.2', (index) => `203.0.113.${index + 1}`);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(3);
    expect(statuses.slice(0, 2)).toEqual([404, 404]);
  });

  it('from a trusted proxy, keys on the right-most untrusted hop: a spoofed left part changes nothing, another client has its own bucket', async () => {
    const spoofed = await burst('127.0.0.1', (index) => `198.51.100.${index + 1}, 192.0.2.77, 127.0.0.1`);
    expect(spoofed.filter((status) => status === 429).length).toBeGreaterThanOrEqual(3);
    // Another real client behind the same proxy is not limited by 192.0.2.77's spending.
    expect(await getFrom(`${limited.url}/api/ops-probe`, '127.0.0.1', { 'x-forwarded-for': '192.0.2.78' })).toBe(404);
    const { samples } = parseMetrics(await scrape(limited.url));
    const ipRejections = samples.find((sample) => sample.name === 'switchboard_ratelimit_rejections_total' && sample.labels.scope === 'ip');
    expect(ipRejections?.value).toBeGreaterThanOrEqual(6);
  });
});
