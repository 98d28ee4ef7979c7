/**
 * OPS.md 4.4 and check 13: two `switchboard migrate` processes started at the same moment on an
 * empty database both exit 0, each migration is recorded once, and the schema equals a single
 * run's (the test template is migrated by one run). Without the session advisory lock held across
 * the run, drizzle's migrator races (drizzle-orm#874): one process fails on "already exists" or a
 * migration is recorded twice.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { codeMigrations } from '../../src/ops/backup-manifest.js';
import { assertBuilt, runCli } from '../helpers/cli.js';
import { createTestDatabase, databaseTarget, queryRows, type TestDatabase } from '../helpers/test-database.js';

const databases: TestDatabase[] = [];
let work: string;

/** Tables, columns, indexes and constraints: what a second migrator would duplicate or break. */
async function schemaOf(url: string): Promise<string[]> {
  const columns = await queryRows<{ d: string }>(
    url,
    "select table_schema || '.' || table_name || '.' || column_name || ':' || data_type || ':' || is_nullable || ':' || coalesce(column_default, '') as d from information_schema.columns where table_schema in ('public', 'drizzle') order by 1",
  );
  const indexes = await queryRows<{ d: string }>(url, "select schemaname || '.' || indexname || ':' || indexdef as d from pg_indexes where schemaname in ('public', 'drizzle') order by 1");
  const constraints = await queryRows<{ d: string }>(
    url,
    "select conrelid::regclass::text || '.' || conname || ':' || pg_get_constraintdef(oid) as d from pg_constraint where connamespace in ('public'::regnamespace) order by 1",
  );
  return [...columns, ...indexes, ...constraints].map((row) => row.d);
}

beforeAll(() => {
  assertBuilt();
  work = mkdtempSync(path.join(os.tmpdir(), 'switchboard-migrate-test-'));
});

afterAll(async () => {
  for (const database of databases) await database.drop().catch(() => undefined);
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('switchboard migrate', () => {
  it('two runs started at once on an empty database both succeed, and each migration is recorded once', async () => {
    const adminUrl = inject('testDatabaseAdminUrls')[databaseTarget()]!;
    const name = `switchboard_migrate_${randomBytes(6).toString('hex')}`;
    await queryRows(adminUrl, `create database ${name}`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    databases.push({ url: url.toString(), name, drop: () => queryRows(adminUrl, `drop database if exists ${name} with (force)`).then(() => undefined) });
    const env = { DATABASE_URL: url.toString(), DATA_DIR: path.join(work, 'data'), SWITCHBOARD_MASTER_KEY: randomBytes(32).toString('base64') };

    const [first, second] = await Promise.all([runCli(['migrate'], env), runCli(['migrate'], env)]);
    expect(first.code, first.stderr).toBe(0);
    expect(second.code, second.stderr).toBe(0);
    const total = codeMigrations().length;
    // One applied everything, the other waited on the lock and found nothing to do.
    expect([first.stdout, second.stdout].sort()).toEqual([`migrations: 0 applied, ${total} total\n`, `migrations: ${total} applied, ${total} total\n`]);
    const recorded = await queryRows<{ n: number; hashes: number }>(url.toString(), 'select count(*)::int as n, count(distinct hash)::int as hashes from drizzle.__drizzle_migrations');
    expect(recorded[0]).toEqual({ n: total, hashes: total });

    const single = await createTestDatabase();
    databases.push(single);
    expect(await schemaOf(url.toString())).toEqual(await schemaOf(single.url));
  }, 120_000);
});
