/**
 * OPS.md 4.8 and check 16 (CLI and decrypt parts): master-key rotation by rewrap. Integrations are
 * stored under K1 (plus many planted data keys, to force many batches). A replica with K2 only is
 * not ready and logs the missing key id and row count. With K2 primary and K1 previous, a
 * `rotate-master --batch 1` killed with SIGKILL mid-run leaves every row either fully old or fully
 * new, and a re-run with `--batch 5` completes while the server keeps answering chat calls that
 * unwrap data keys from the database (secret cache off): 0 failures. `--verify` then counts every
 * row under K2 and unwraps each; a server with K2 only serves every tenant's key. No master key or
 * provider key appears in any log or CLI output.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/platform/logger.js';
import { dataKeyAad, generateDataKey, seal } from '../../src/vault/envelope.js';
import { createKeyring, parseMasterKey } from '../../src/vault/keyring.js';
import { createKeyringReadiness } from '../../src/vault/keyring-readiness.js';
import { createMetrics } from '../../src/platform/metrics.js';
import type { FakeProvider } from '../fakes/fake-server.js';
import { openAIAnswer, startFakeOpenAI } from '../fakes/openai.js';
import { assertBuilt, BIN, runCli } from '../helpers/cli.js';
import { openaiSdk } from '../helpers/gateway-client.js';
import { createLogCapture } from '../helpers/log-capture.js';
import { createTestDatabase, queryRows, type TestDatabase } from '../helpers/test-database.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const K1 = randomBytes(32).toString('base64');
const K2 = randomBytes(32).toString('base64');
const K1_ID = parseMasterKey(K1, 'K1').id;
const K2_ID = parseMasterKey(K2, 'K2').id;
const CANARIES = Array.from({ length: 5 }, (_, i) => `sk-rotation-canary-${i}-${randomBytes(12).toString('hex')}`);
const PLANTED = 300;
const PASSWORD = 'correct horse battery staple';

let fake: FakeProvider;
let database: TestDatabase;
let work: string;
const logs: string[] = [];
const servers: TestServer[] = [];

const serverEnv = (extra: Record<string, string>) => ({ SWITCHBOARD_OPENAI_BASE_URL: fake.baseUrl, SWITCHBOARD_SECRET_CACHE_TTL_SECONDS: '0', ...extra });
const cliEnv = (extra: Record<string, string>) => ({ DATABASE_URL: database.url, DATA_DIR: path.join(work, 'data'), NODE_ENV: 'production', ...extra });
const counts = async () =>
  Object.fromEntries((await queryRows<{ kek_id: string; n: number }>(database.url, 'select kek_id, count(*)::int as n from data_keys group by kek_id')).map((row) => [row.kek_id, row.n]));

async function start(extra: Record<string, string>): Promise<TestServer> {
  const server = await startTestServer(serverEnv(extra), { database });
  servers.push(server);
  return server;
}

async function stop(server: TestServer): Promise<void> {
  await server.running.shutdown('test step');
  logs.push(server.logs.text());
}

async function chatAsTenant(server: TestServer, index: number): Promise<void> {
  const login = await server.api('/api/auth/login', { body: { email: `rotation-${index}@example.com`, password: PASSWORD } });
  expect(login.status).toBe(200);
  const { access_token: token } = (await login.json()) as { access_token: string };
  const answer = await openaiSdk(server, token).chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
  expect(answer.choices[0]?.message.content).toBe(openAIAnswer(index + 1));
}

/** Users with a data key each, wrapped under `key` exactly as the vault does (many rows, quickly). */
async function plantDataKeys(n: number, key: Buffer, kekId: string): Promise<void> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    await client.query('begin');
    for (let i = 0; i < n; i += 1) {
      const userId = ulid();
      const dataKeyId = ulid();
      await client.query("insert into users (id, email, password_hash) values ($1, $2, 'x')", [userId, `planted-${userId.toLowerCase()}@example.com`]);
      const wrapped = seal(key, generateDataKey(), dataKeyAad({ kind: 'user', id: userId }, dataKeyId));
      await client.query('insert into data_keys (id, owner_user_id, kek_id, wrapped_key) values ($1, $2, $3, $4)', [dataKeyId, userId, kekId, wrapped]);
    }
    await client.query('commit');
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  assertBuilt();
  work = mkdtempSync(path.join(os.tmpdir(), 'switchboard-rotation-test-'));
  fake = await startFakeOpenAI({ keys: CANARIES });
  database = await createTestDatabase();
  const first = await start({ SWITCHBOARD_MASTER_KEY: K1 });
  for (const [index, canary] of CANARIES.entries()) {
    const user = await first.running.services.accounts.createUser({ email: `rotation-${index}@example.com`, password: PASSWORD, verified: true });
    expect(user.id).toBeTruthy();
    const login = (await (await first.api('/api/auth/login', { body: { email: `rotation-${index}@example.com`, password: PASSWORD } })).json()) as { access_token: string };
    expect((await first.api('/api/integrations', { token: login.access_token, body: { service: 'openai', api_key: canary } })).status).toBe(201);
  }
  await stop(first);
  await plantDataKeys(PLANTED, parseMasterKey(K1, 'K1').key, K1_ID);
});

afterAll(async () => {
  for (const server of servers) await server.running.shutdown('test finished').catch(() => undefined);
  await database?.drop();
  await fake?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('switchboard keys rotate-master', () => {
  it('rewraps under the new key, survives SIGKILL mid-run, keeps serving, verifies, and then runs on the new key alone', async () => {
    const total = CANARIES.length + PLANTED;
    expect(await counts()).toEqual({ [K1_ID]: total });

    // A replica with K2 alone, before the rewrap: not ready, and it says which key and how many rows.
    const capture = createLogCapture();
    const pool = new pg.Pool({ connectionString: database.url, max: 1 });
    try {
      // The check /readyz runs (src/vault/keyring-readiness.ts), uncached for the test.
      const metrics = createMetrics({ version: 'test', defaults: false });
      const readiness = (keyring: ReturnType<typeof createKeyring>) =>
        createKeyringReadiness({ pool, keyring, metrics, logger: createLogger({ level: 'info', destination: capture.stream }), ttlMs: 0 });
      const k2Only = readiness(createKeyring(parseMasterKey(K2, 'K2')));
      expect(await k2Only.check()).toBe(`missing key ${K1_ID} (${total} rows)`);
      expect(await k2Only.check()).toBe(`missing key ${K1_ID} (${total} rows)`);
      const errors = capture.parsed().filter((line) => line.level === 'error');
      expect(errors).toHaveLength(1); // once per change, not per probe
      expect(errors[0]).toMatchObject({ missing_kek_ids: [K1_ID], rows: [total] });
      expect(await readiness(createKeyring(parseMasterKey(K2, 'K2'), [parseMasterKey(K1, 'K1')])).check()).toBe('ok');
    } finally {
      await pool.end();
    }

    const env = cliEnv({ SWITCHBOARD_MASTER_KEY: K2, SWITCHBOARD_MASTER_KEYS_PREVIOUS: K1 });
    const dryRun = await runCli(['keys', 'rotate-master', '--dry-run'], env);
    expect(dryRun.code, dryRun.stderr).toBe(0);
    expect(JSON.parse(dryRun.stdout)).toMatchObject({ primary: K2_ID, rewrapped: 0, remaining: total, dry_run: true });
    expect(await counts()).toEqual({ [K1_ID]: total });

    // SIGKILL once some batches committed: every row is wholly under K1 or wholly under K2.
    const child = spawn(process.execPath, [BIN, 'keys', 'rotate-master', '--batch', '1'], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    for (;;) {
      const now = await counts();
      if ((now[K2_ID] ?? 0) > 0 || child.exitCode !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const afterKill = await counts();
    expect(afterKill[K1_ID]).toBeGreaterThan(0);
    expect(afterKill[K2_ID]).toBeGreaterThan(0);
    expect(afterKill[K1_ID]! + afterKill[K2_ID]!).toBe(total);

    // Re-run in batches of 5 while the server (K2 primary, K1 previous) serves every tenant.
    const server = await start({ SWITCHBOARD_MASTER_KEY: K2, SWITCHBOARD_MASTER_KEYS_PREVIOUS: K1 });
    let rotating = true;
    let calls = 0;
    const load = Promise.all(
      CANARIES.map(async (_, index) => {
        do {
          await chatAsTenant(server, index);
          calls += 1;
        } while (rotating);
      }),
    );
    const rotate = await runCli(['keys', 'rotate-master', '--batch', '5'], { ...env, LOG_LEVEL: 'info' });
    rotating = false;
    await load;
    expect(rotate.code, rotate.stderr).toBe(0);
    const report = JSON.parse(rotate.stdout) as { rewrapped: number; remaining: number; batches: number; before: Record<string, number> };
    expect(report).toMatchObject({ rewrapped: afterKill[K1_ID], remaining: 0, before: afterKill });
    expect(report.batches).toBe(Math.ceil(afterKill[K1_ID]! / 5));
    expect(calls).toBeGreaterThanOrEqual(CANARIES.length * 2);
    expect(await counts()).toEqual({ [K2_ID]: total });

    // Idempotent: nothing left to do.
    const again = await runCli(['keys', 'rotate-master', '--batch', '5'], env);
    expect(JSON.parse(again.stdout)).toMatchObject({ rewrapped: 0, remaining: 0 });
    const verify = await runCli(['keys', 'rotate-master', '--verify'], cliEnv({ SWITCHBOARD_MASTER_KEY: K2 }));
    expect(verify.code, verify.stderr).toBe(0);
    expect(JSON.parse(verify.stdout)).toEqual({ primary: K2_ID, counts: { [K2_ID]: total }, outside_primary: 0, missing: {}, unreadable: [] });
    // --verify fails while rows are outside the primary (here: K1 primary sees every row under K2).
    const wrongWay = await runCli(['keys', 'rotate-master', '--verify'], cliEnv({ SWITCHBOARD_MASTER_KEY: K1, SWITCHBOARD_MASTER_KEYS_PREVIOUS: K2 }));
    expect(wrongWay.code).toBe(1);
    expect(JSON.parse(wrongWay.stdout)).toMatchObject({ outside_primary: total });
    await stop(server);

    // K1 retired: a server with K2 alone decrypts every tenant's key.
    const k2Server = await start({ SWITCHBOARD_MASTER_KEY: K2 });
    for (const index of CANARIES.keys()) await chatAsTenant(k2Server, index);
    await stop(k2Server);

    const outputs = [dryRun, rotate, again, verify, wrongWay].flatMap((result) => [result.stdout, result.stderr]);
    for (const text of [...logs, ...outputs]) {
      for (const secret of [K1, K2, ...CANARIES]) expect(text).not.toContain(secret);
    }
  }, 240_000);
});
