/**
 * OPS.md 4.7 and checks 14–15, through the built CLI against the PostgreSQL under test (the
 * embedded server in `integration`: the row-dump engine; Debian's PostgreSQL 15 in
 * `integration-pg15`: pg_dump/pg_restore). A server with tenants, provider keys (canaries), platform
 * keys and usage is backed up; the backup restores into an empty database with equal per-table
 * checksums; a server on the restored database decrypts every integration and calls the provider
 * with the restored key; the dump holds no canary. Each refusal (corrupted byte, corrupted
 * manifest, newer schema, master key missing, non-empty target) is its own error and writes
 * nothing. Retention after a simulated 40-day run, and `--check-age`.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupDirName } from '../../src/ops/backup-manifest.js';
import { isoWeekKey } from '../../src/ops/backup-schedule.js';
import { openAIAnswer, startFakeOpenAI } from '../fakes/openai.js';
import type { FakeProvider } from '../fakes/fake-server.js';
import { assertBuilt, runCli } from '../helpers/cli.js';
import { openaiSdk } from '../helpers/gateway-client.js';
import { createEmptyDatabase, databaseTarget, queryRows, type TestDatabase } from '../helpers/test-database.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const CANARIES = Array.from({ length: 6 }, (_, i) => `sk-backup-canary-${i}-${randomBytes(12).toString('hex')}`);
const MASTER_KEY = randomBytes(32).toString('base64');

let fake: FakeProvider;
let source: TestServer;
let work: string;
const extraDatabases: TestDatabase[] = [];

/** A new, empty database, dropped after the file. */
async function emptyDatabase(): Promise<TestDatabase> {
  const database = await createEmptyDatabase();
  extraDatabases.push(database);
  return database;
}

async function publicTables(url: string): Promise<string[]> {
  const rows = await queryRows<{ name: string }>(url, "select tablename as name from pg_tables where schemaname = 'public' order by 1");
  return rows.map((row) => row.name);
}

/** Per table: row count and an md5 over every row (sorted), to compare two databases exactly. */
async function checksums(url: string): Promise<Record<string, string>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const out: Record<string, string> = {};
    for (const table of await publicTables(url)) {
      const { rows } = await client.query<{ n: number; sum: string }>(`select count(*)::int as n, md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as sum from "${table}" t`);
      out[table] = `${rows[0]!.n}:${rows[0]!.sum}`;
    }
    return out;
  } finally {
    await client.end();
  }
}

const cliEnv = (url: string, extra: Record<string, string> = {}) => ({
  DATABASE_URL: url,
  DATA_DIR: path.join(work, 'data'),
  SWITCHBOARD_MASTER_KEY: MASTER_KEY,
  NODE_ENV: 'production',
  ...extra,
});

/** The dump as text an attacker with the file could read (decompressed), for the canary search. */
function dumpText(dir: string): string {
  const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { engine: string; file: string };
  const file = path.join(dir, manifest.file);
  const raw = readFileSync(file);
  const readable = manifest.engine === 'rows' ? gunzipSync(raw).toString('utf8') : execFileSync('pg_restore', ['--file=-', file], { maxBuffer: 64 * 1024 * 1024 }).toString('utf8');
  return `${raw.toString('latin1')}\n${readable}`;
}

let backupDir: string;
/** Checksums of the source as backed up (the source server keeps running afterwards). */
let backedUp: Record<string, string>;

beforeAll(async () => {
  assertBuilt();
  work = mkdtempSync(path.join(os.tmpdir(), 'switchboard-backup-test-'));
  fake = await startFakeOpenAI({ keys: CANARIES });
  source = await startTestServer({ SWITCHBOARD_OPENAI_BASE_URL: fake.baseUrl, SWITCHBOARD_MASTER_KEY: MASTER_KEY });
  // Tenants with provider keys (one canary each), platform keys and usage.
  for (const [index, canary] of CANARIES.entries()) {
    const user = await source.signIn(`tenant-${index}@example.com`);
    expect((await source.api('/api/integrations', { token: user.token, body: { service: 'openai', api_key: canary } })).status).toBe(201);
    // Arrays and jsonb columns (models, rate_limit, alert thresholds) are in the round trip too.
    const key = await source.api('/api/keys', { token: user.token, body: { name: `key-${index}`, models: ['openai/gpt-4o-mini', 'anthropic/*'], rate_limit: { rpm: 100 + index } } });
    expect(key.status).toBe(201);
    const { id: keyId } = (await key.json()) as { id: string };
    expect((await source.api('/api/budgets', { method: 'PUT', token: user.token, body: { scope: 'key', scope_id: keyId, limit_micros: 1_000_000_000 } })).status).toBe(201);
    await openaiSdk(source, user.token).chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
  }
  // Stop the source so background writers (usage, activity, integration health) are quiet and the
  // data backed up can be compared exactly; its database stays until afterAll.
  await source.running.shutdown('seeded');
});

afterAll(async () => {
  await source?.database.drop();
  await fake?.close();
  for (const database of extraDatabases) await database.drop().catch(() => undefined);
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('switchboard backup and restore', () => {
  it('backs up with a manifest, restores to equal checksums, and a server on the restore uses the restored keys', async () => {
    const out = path.join(work, 'backups');
    const backup = await runCli(['backup', '--out', out], cliEnv(source.database.url));
    expect(backup.code, backup.stderr).toBe(0);
    const result = JSON.parse(backup.stdout) as { dir: string; manifest: Record<string, any> };
    backupDir = result.dir;
    const manifest = result.manifest;
    expect(manifest.engine).toBe(databaseTarget() === 'external' ? 'pg_dump' : 'rows');
    expect(manifest.kek_ids).toHaveLength(1);
    expect(manifest.tables.integrations).toBe(CANARIES.length);
    expect(manifest.tables.usage_records).toBe(CANARIES.length);
    expect(manifest.migration.count).toBeGreaterThan(0);
    expect(manifest.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(backupDir).mode & 0o777).toBe(0o700);
    for (const file of readdirSync(backupDir)) expect(statSync(path.join(backupDir, file)).mode & 0o777).toBe(0o600);
    // Provider keys are ciphertext in the database, so also in the dump; the master key is nowhere.
    const text = dumpText(backupDir);
    expect(text).toContain('integrations');
    for (const canary of [...CANARIES, MASTER_KEY]) expect(text).not.toContain(canary);
    for (const output of [backup.stdout, backup.stderr]) for (const canary of [...CANARIES, MASTER_KEY]) expect(output).not.toContain(canary);

    const target = await emptyDatabase();
    const restore = await runCli(['restore', backupDir], cliEnv(target.url));
    expect(restore.code, restore.stderr).toBe(0);
    backedUp = await checksums(source.database.url);
    expect(await checksums(target.url)).toEqual(backedUp);
    const migrations = await queryRows<{ n: number }>(target.url, 'select count(*)::int as n from drizzle.__drizzle_migrations');
    expect(migrations[0]!.n).toBe(manifest.migration.count);

    // A fresh server on the restored database decrypts each integration and calls with it.
    const restored = await startTestServer({ SWITCHBOARD_OPENAI_BASE_URL: fake.baseUrl, SWITCHBOARD_MASTER_KEY: MASTER_KEY }, { database: target });
    try {
      for (const [index, canary] of CANARIES.entries()) {
        const response = await restored.api('/api/auth/login', { body: { email: `tenant-${index}@example.com`, password: 'correct horse battery staple' } });
        expect(response.status).toBe(200);
        const { access_token: token } = (await response.json()) as { access_token: string };
        const before = fake.requests.length;
        const answer = await openaiSdk(restored, token).chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
        expect(answer.choices[0]?.message.content).toBe(openAIAnswer(index + 1));
        expect(fake.requests.slice(before).map((request) => request.headers.authorization)).toEqual([`Bearer ${canary}`]);
      }
      for (const canary of CANARIES) expect(restored.logs.text()).not.toContain(canary);
    } finally {
      await restored.running.shutdown('test finished');
    }
  }, 120_000);

  it('refuses a corrupted byte, a corrupted manifest, a newer schema, a missing master key and a non-empty target, each distinctly and writing nothing', async () => {
    const target = await emptyDatabase();
    const attempt = async (dir: string, extra: Record<string, string> = {}, url = target.url) => {
      const result = await runCli(['restore', dir], cliEnv(url, extra));
      expect(result.code).toBe(1);
      expect(await publicTables(target.url)).toEqual([]);
      return result.stderr;
    };
    const copy = (name: string) => {
      const dir = path.join(work, name);
      cpSync(backupDir, dir, { recursive: true });
      return dir;
    };
    const manifestOf = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Record<string, any>;

    const corrupted = copy('corrupted');
    const dump = path.join(corrupted, manifestOf(corrupted).file as string);
    const bytes = readFileSync(dump);
    const middle = Math.floor(bytes.length / 2);
    bytes[middle] = bytes[middle]! ^ 0xff;
    writeFileSync(dump, bytes);
    expect(await attempt(corrupted)).toMatch(/backup_checksum_mismatch: .*does not match the manifest's sha256/);

    const badManifest = copy('bad-manifest');
    writeFileSync(path.join(badManifest, 'manifest.json'), '{"format_version": 1, "engine": ');
    expect(await attempt(badManifest)).toMatch(/backup_manifest_invalid: .*manifest\.json is not valid JSON/);
    const wrongField = copy('wrong-field');
    writeFileSync(path.join(wrongField, 'manifest.json'), JSON.stringify({ ...manifestOf(wrongField), sha256: 'abc' }));
    expect(await attempt(wrongField)).toMatch(/backup_manifest_invalid: manifest\.json field sha256/);

    const newer = copy('newer');
    const newerManifest = manifestOf(newer);
    newerManifest.migration = { count: newerManifest.migration.count + 1, tag: '9999_from_the_future', created_at: newerManifest.migration.created_at + 1_000 };
    writeFileSync(path.join(newer, 'manifest.json'), JSON.stringify(newerManifest));
    expect(await attempt(newer)).toMatch(/backup_newer_than_code: .*newer than this code/);

    const kekId = manifestOf(backupDir).kek_ids[0] as string;
    const otherKey = randomBytes(32).toString('base64');
    const missingKey = await attempt(backupDir, { SWITCHBOARD_MASTER_KEY: otherKey });
    expect(missingKey).toMatch(/backup_master_key_missing: .*SWITCHBOARD_MASTER_KEYS_PREVIOUS/);
    expect(missingKey).toContain(kekId);
    const before = await checksums(source.database.url);
    const notEmpty = await attempt(backupDir, {}, source.database.url);
    expect(notEmpty).toMatch(/restore_target_not_empty: /);
    expect(await checksums(source.database.url)).toEqual(before);
    for (const message of [missingKey, notEmpty]) expect(message).not.toContain(MASTER_KEY);

    // The retired key as a previous key is enough.
    const withPrevious = await runCli(['restore', backupDir], cliEnv(target.url, { SWITCHBOARD_MASTER_KEY: otherKey, SWITCHBOARD_MASTER_KEYS_PREVIOUS: MASTER_KEY }));
    expect(withPrevious.code, withPrevious.stderr).toBe(0);
    expect((await checksums(target.url)).integrations).toBe(backedUp.integrations);
    // --clean replaces whatever the target holds.
    await queryRows(target.url, "delete from audit_events");
    const clean = await runCli(['restore', backupDir, '--clean'], cliEnv(target.url));
    expect(clean.code, clean.stderr).toBe(0);
    expect(await checksums(target.url)).toEqual(backedUp);
  }, 120_000);

  it('keeps exactly the configured daily and weekly backups after a simulated 40-day run, and --check-age exits non-zero once too old', async () => {
    const out = path.join(work, 'retention');
    mkdirSync(out, { recursive: true });
    const realManifest = readFileSync(path.join(backupDir, 'manifest.json'), 'utf8');
    const now = Date.now();
    const today = new Date(now);
    // 40 simulated days before today, two backups a day (03:00 and 15:00 UTC).
    const created: Array<{ name: string; at: Date }> = [];
    for (let day = 1; day <= 40; day += 1) {
      for (const hour of [3, 15]) {
        const at = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - day, hour));
        const dir = path.join(out, backupDirName(at));
        mkdirSync(dir, { recursive: true });
        writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ ...JSON.parse(realManifest), created_at: at.toISOString() }));
        created.push({ name: path.basename(dir), at });
      }
    }
    const result = await runCli(['backup', '--out', out, '--keep-daily', '7', '--keep-weekly', '4'], cliEnv(source.database.url));
    expect(result.code, result.stderr).toBe(0);
    const newest = path.basename(JSON.parse(result.stdout).dir as string);
    created.push({ name: newest, at: today });
    // Expected: the newest backup of each of the 7 newest UTC days, and of each of the 4 newest ISO weeks.
    created.sort((x, y) => y.at.getTime() - x.at.getTime());
    const newestPer = (keyOf: (date: Date) => string, limit: number) => {
      const seen = new Map<string, string>();
      for (const backup of created) if (!seen.has(keyOf(backup.at)) && seen.size < limit) seen.set(keyOf(backup.at), backup.name);
      return [...seen.values()];
    };
    const daily = newestPer((date) => date.toISOString().slice(0, 10), 7);
    const weekly = newestPer(isoWeekKey, 4);
    const expected = [...new Set([...daily, ...weekly])].sort();
    expect(daily).toHaveLength(7);
    expect(expected.length).toBeGreaterThanOrEqual(9);
    expect(readdirSync(out).sort()).toEqual(expected);
    expect(expected).toContain(newest);

    expect((await runCli(['backup', '--out', out, '--check-age', '26h'], cliEnv(source.database.url))).code).toBe(0);
    const stale = path.join(work, 'stale');
    const oldDir = path.join(stale, backupDirName(new Date(now - 30 * 3_600_000)));
    mkdirSync(oldDir, { recursive: true });
    writeFileSync(path.join(oldDir, 'manifest.json'), JSON.stringify({ ...JSON.parse(realManifest), created_at: new Date(now - 30 * 3_600_000).toISOString() }));
    const tooOld = await runCli(['backup', '--out', stale, '--check-age', '26'], cliEnv(source.database.url));
    expect(tooOld.code).toBe(1);
    const stale30 = JSON.parse(tooOld.stdout) as { ok: boolean; age_hours: number };
    expect(stale30.ok).toBe(false);
    expect(Math.floor(stale30.age_hours)).toBe(30);
    expect((await runCli(['backup', '--out', path.join(work, 'none'), '--check-age', '26h'], cliEnv(source.database.url))).code).toBe(1);
  }, 120_000);
});
