/**
 * Usage that is never lost (issue 6, item 7), through the real app:
 * - `kill -9` of a `switchboard serve` process under load, then a restart on the same DATA_DIR:
 *   every request whose response completed is in GET /api/usage (the spool is replayed);
 * - PostgreSQL unreachable for 10 s under load: AI requests keep being served from the caches
 *   and every one of them is in GET /api/usage once the database is back.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeProvider } from '../fakes/fake-server.js';
import { startFakeOpenAI } from '../fakes/openai.js';
import { startDatabaseProxy } from '../helpers/database-proxy.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { startTestServer } from '../helpers/test-server.js';

const BIN = path.resolve('bin/switchboard.js');
const PROVIDER_KEY = 'sk-durability-provider-key-00000000001';
const PASSWORD = 'durable usage passphrase';

let fake: FakeProvider;
beforeAll(async () => {
  if (!existsSync(path.resolve('dist/main.js'))) throw new Error('dist/ is missing: run `npm run build` (npm test does) first');
  fake = await startFakeOpenAI({ keys: [PROVIDER_KEY], latencyMs: 5 });
});
afterAll(async () => {
  await fake?.close();
});

interface Served {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
}

async function serve(env: NodeJS.ProcessEnv): Promise<Served> {
  const child = spawn(process.execPath, [BIN, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const match = /"url":"(http:\/\/127\.0\.0\.1:\d+)".*switchboard is serving/.exec(output);
    if (match?.[1]) return { child, url: match[1], exited };
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`server did not start:\n${output}`);
}

async function json<T>(url: string, init: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<{ status: number; body: T }> {
  const response = await fetch(url, {
    method: init.body === undefined ? 'GET' : 'POST',
    headers: {
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...init.headers,
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  return { status: response.status, body: (await response.json()) as T };
}

/** A signed-in user with an OpenAI integration and a platform key. */
async function setUpCaller(url: string, email: string): Promise<{ token: string; key: string }> {
  const login = await json<{ access_token: string }>(`${url}/api/auth/login`, { body: { email, password: PASSWORD } });
  expect(login.status).toBe(200);
  const token = login.body.access_token;
  expect((await json(`${url}/api/integrations`, { token, body: { service: 'openai', api_key: PROVIDER_KEY } })).status).toBe(201);
  const key = await json<{ key: string }>(`${url}/api/keys`, { token, body: { name: 'load' } });
  expect(key.status).toBe(201);
  return { token, key: key.body.key };
}

/**
 * `workers` loops of chat calls (every third one streamed) until `until()` says stop; returns the
 * request ids of the responses that completed, and how many calls failed.
 */
async function drive(url: string, key: string, workers: number, until: () => boolean, completed: string[] = []) {
  let failed = 0;
  const one = async (n: number) => {
    const stream = n % 3 === 0;
    try {
      const response = await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: `call ${n}` }], stream }),
      });
      const text = await response.text();
      if (response.status === 200 && (!stream || text.includes('data: [DONE]'))) completed.push(response.headers.get('x-request-id')!);
      else failed += 1;
    } catch {
      failed += 1;
    }
  };
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      for (let n = worker; !until(); n += workers) await one(n);
    }),
  );
  return { completed, failed };
}

async function usageIds(url: string, token: string): Promise<Set<string>> {
  const ids = new Set<string>();
  let cursor: string | null = null;
  do {
    const page: { status: number; body: { data: Array<{ request_id: string }>; next_cursor: string | null } } = await json(
      `${url}/api/usage?limit=1000${cursor ? `&cursor=${cursor}` : ''}`,
      { token },
    );
    expect(page.status).toBe(200);
    for (const row of page.body.data) ids.add(row.request_id);
    cursor = page.body.next_cursor;
  } while (cursor);
  return ids;
}

async function eventually(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('usage that is never lost', () => {
  let database: TestDatabase;
  let dataDir: string;
  beforeAll(async () => {
    database = await createTestDatabase();
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-durability-'));
  });
  afterAll(async () => {
    await database?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps every completed request across a kill -9 under load', { timeout: 120_000 }, async () => {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      DATA_DIR: dataDir,
      DATABASE_URL: database.url,
      SWITCHBOARD_MASTER_KEY: randomBytes(32).toString('base64'),
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      SWITCHBOARD_OPENAI_BASE_URL: fake.baseUrl,
      SWITCHBOARD_ALLOW_PRIVATE_UPSTREAMS: 'true',
      SWITCHBOARD_RATE_LIMIT_API_PER_IP: '0',
      SWITCHBOARD_RATE_LIMIT_AUTH_PER_IP: '0',
      // A long interval: most of the load is still only in the spool when the process dies.
      SWITCHBOARD_USAGE_FLUSH_INTERVAL_MS: '60000',
    };
    const first = await serve(env);
    let second: Served | undefined;
    try {
      const email = `durable-${randomBytes(3).toString('hex')}@example.com`;
      const created = spawn(process.execPath, [BIN, 'users', 'create', '--email', email, '--password', PASSWORD], { env, stdio: 'ignore' });
      expect(await new Promise((resolve) => created.once('exit', resolve))).toBe(0);
      const { key } = await setUpCaller(first.url, email);

      let killed = false;
      const seen: string[] = [];
      const load = drive(first.url, key, 8, () => killed, seen);
      await eventually(async () => seen.length >= 40, 30_000);
      first.child.kill('SIGKILL');
      killed = true;
      const { completed } = await load;
      expect(await first.exited).toBe(null);
      expect(completed.length).toBeGreaterThan(20);

      second = await serve(env);
      const login = await json<{ access_token: string }>(`${second.url}/api/auth/login`, { body: { email, password: PASSWORD } });
      let recorded = new Set<string>();
      await eventually(async () => {
        recorded = await usageIds(second!.url, login.body.access_token);
        return completed.every((id) => recorded.has(id));
      }, 15_000);
      expect(completed.filter((id) => !recorded.has(id))).toEqual([]);
    } finally {
      first.child.kill('SIGKILL');
      second?.child.kill('SIGTERM');
      await second?.exited;
    }
  });

  it('keeps serving and loses no usage while PostgreSQL is unreachable for 10 s', { timeout: 60_000 }, async () => {
    const proxy = await startDatabaseProxy(database.url);
    const server = await startTestServer({ DATABASE_URL: proxy.url, SWITCHBOARD_OPENAI_BASE_URL: fake.baseUrl, SWITCHBOARD_ALLOW_PRIVATE_UPSTREAMS: 'true' }, { database });
    try {
      const user = await server.signIn();
      expect((await server.api('/api/integrations', { token: user.token, body: { service: 'openai', api_key: PROVIDER_KEY } })).status).toBe(201);
      const key = ((await (await server.api('/api/keys', { token: user.token, body: { name: 'load' } })).json()) as { key: string }).key;
      // A hard budget with plenty of room: it keeps being enforced from what was last read.
      expect((await server.api('/api/budgets', { method: 'PUT', token: user.token, body: { scope: 'user', limit_micros: 1_000_000_000 } })).status).toBe(201);
      // Warm the caches the AI path reads (platform key, credential, budgets).
      expect((await drive(server.url, key, 1, (() => { let calls = 0; return () => calls++ >= 2; })())).completed).toHaveLength(2);

      let phase: 'before' | 'outage' | 'after' | 'done' = 'before';
      const load = drive(server.url, key, 4, () => phase === 'done');
      await new Promise((resolve) => setTimeout(resolve, 500));
      proxy.down();
      phase = 'outage';
      // As after a missed invalidation (Redis resync): the budgets must be re-read, and cannot be.
      server.running.services.bus.publish('budget', 'resync');
      await new Promise((resolve) => setTimeout(resolve, 10_000));
      proxy.up();
      phase = 'after';
      await new Promise((resolve) => setTimeout(resolve, 500));
      phase = 'done';
      const { completed, failed } = await load;
      expect(failed).toBe(0);
      expect(completed.length).toBeGreaterThan(100);

      let recorded = new Set<string>();
      await eventually(async () => {
        await server.running.services.recorder.flush();
        recorded = await usageIds(server.url, user.token);
        return completed.every((id) => recorded.has(id));
      }, 15_000);
      expect(completed.filter((id) => !recorded.has(id))).toEqual([]);
      expect(server.logs.text()).toMatch(/usage flush failed/);
      expect(server.logs.text()).toMatch(/budgets could not be read; using the last known ones/);
    } finally {
      await server.close();
      await proxy.close();
    }
  });
});
