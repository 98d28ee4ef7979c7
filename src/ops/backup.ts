/**
 * `switchboard backup` (OPS.md 4.7). Two engines, chosen per server:
 * - `pg_dump`: `pg_dump --format=custom` when a pg_dump at least as new as the server is on PATH
 *   (Debian's postgresql-client-15 against PostgreSQL 15, the compose default);
 * - `rows`: the embedded default ships no pg_dump (only initdb/pg_ctl/postgres, and it is newer
 *   than Debian's client), so every table is read as JSON lines (gzip) and the schema is rebuilt
 *   from the code's own migrations at restore.
 * Both read one REPEATABLE READ snapshot (pg_dump through `--snapshot`), so the table counts and
 * key ids in the manifest describe exactly what was dumped. Secrets are ciphertext in the
 * database and stay so in the dump; the database password is passed in the environment, never
 * on a command line or in a log.
 */
import { execFile, spawn } from 'node:child_process';
import { chmodSync, createWriteStream, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { createGzip } from 'node:zlib';
import pg from 'pg';
import type { Logger } from '../platform/logger.js';
import { packageVersion } from '../platform/package-info.js';
import { backupDirName, BackupError, codeMigrations, MANIFEST_FILE, sha256File, type Manifest } from './backup-manifest.js';

const run = promisify(execFile);

/** A libpq connection for a child process: the URL without its password, which goes in PGPASSWORD. */
export function libpqTarget(url: string): { dbname: string; env: NodeJS.ProcessEnv } {
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password);
  parsed.password = '';
  return { dbname: parsed.toString(), env: { ...process.env, PGPASSWORD: password, PGAPPNAME: 'switchboard-backup' } };
}

/** Major version of a PostgreSQL client tool on PATH, or undefined when it is missing. */
export async function toolMajor(tool: 'pg_dump' | 'pg_restore'): Promise<number | undefined> {
  try {
    const { stdout } = await run(tool, ['--version']);
    const match = /\(PostgreSQL\)\s+(\d+)/.exec(stdout);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Public tables (no partitions), for counts and the rows engine. */
export async function listTables(client: Pick<pg.ClientBase, 'query'>): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition order by c.relname`,
  );
  return rows.map((row) => row.name);
}

export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

export async function countTables(client: Pick<pg.ClientBase, 'query'>, tables: string[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const { rows } = await client.query<{ n: number }>(`select count(*)::int as n from ${quoteIdent(table)}`);
    counts[table] = rows[0]?.n ?? 0;
  }
  return counts;
}

export async function appliedMigration(client: Pick<pg.ClientBase, 'query'>): Promise<Manifest['migration']> {
  const exists = await client.query<{ present: boolean }>("select to_regclass('drizzle.__drizzle_migrations') is not null as present");
  if (!exists.rows[0]?.present) return { count: 0, tag: null, created_at: null };
  const { rows } = await client.query<{ n: number; last: string | null }>(
    'select count(*)::int as n, max(created_at)::text as last from drizzle.__drizzle_migrations',
  );
  return { count: rows[0]?.n ?? 0, tag: null, created_at: rows[0]?.last ? Number(rows[0].last) : null };
}

/** Write the rows engine's file: per table a header line, then one JSON object per row. */
async function dumpRows(client: pg.ClientBase, tables: string[], file: string): Promise<void> {
  async function* lines(): AsyncGenerator<string> {
    for (const table of tables) {
      yield `${JSON.stringify({ table })}\n`;
      await client.query(`declare backup_rows no scroll cursor for select row_to_json(t)::text as r from ${quoteIdent(table)} t`);
      for (;;) {
        const { rows } = await client.query<{ r: string }>('fetch 1000 from backup_rows');
        if (rows.length === 0) break;
        yield rows.map((row) => `${row.r}\n`).join('');
      }
      await client.query('close backup_rows');
    }
  }
  await pipeline(Readable.from(lines()), createGzip(), createWriteStream(file, { mode: 0o600 }));
}

async function pgDump(url: string, snapshot: string, file: string): Promise<void> {
  const target = libpqTarget(url);
  const child = spawn('pg_dump', ['--format=custom', '--no-owner', '--no-privileges', `--snapshot=${snapshot}`, `--file=${file}`, `--dbname=${target.dbname}`], {
    env: target.env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new BackupError('backup_failed', `pg_dump exited with ${code}: ${stderr.trim().split('\n').slice(-3).join(' ')}`);
}

export interface BackupResult {
  dir: string;
  manifest: Manifest;
}

/** Take one backup of the database at `url` into a new directory under `outDir`. */
export async function createBackup(options: { url: string; outDir: string; now?: Date; logger: Pick<Logger, 'info'> }): Promise<BackupResult> {
  const now = options.now ?? new Date();
  mkdirSync(options.outDir, { recursive: true, mode: 0o700 });
  const dir = path.join(options.outDir, backupDirName(now));
  const partial = `${dir}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { mode: 0o700 });
  chmodSync(partial, 0o700);

  const client = new pg.Client({ connectionString: options.url, application_name: 'switchboard-backup' });
  await client.connect();
  try {
    await client.query('begin isolation level repeatable read read only');
    const { rows: versionRows } = await client.query<{ v: string; num: string }>("select current_setting('server_version') as v, current_setting('server_version_num') as num");
    const serverVersion = versionRows[0]?.v ?? 'unknown';
    const serverMajor = Math.floor(Number(versionRows[0]?.num ?? 0) / 10_000);
    const dumpMajor = await toolMajor('pg_dump');
    const engine: Manifest['engine'] = dumpMajor !== undefined && dumpMajor >= serverMajor ? 'pg_dump' : 'rows';
    const tables = await listTables(client);
    const counts = await countTables(client, tables);
    const migration = await appliedMigration(client);
    const kekIds = tables.includes('data_keys')
      ? (await client.query<{ kek_id: string }>('select distinct kek_id from data_keys order by kek_id')).rows.map((row) => row.kek_id)
      : [];
    const file = engine === 'pg_dump' ? 'dump.pgcustom' : 'rows.jsonl.gz';
    const filePath = path.join(partial, file);
    if (engine === 'pg_dump') {
      const { rows } = await client.query<{ snapshot: string }>('select pg_export_snapshot() as snapshot');
      await pgDump(options.url, rows[0]!.snapshot, filePath);
    } else {
      await dumpRows(client, tables, filePath);
    }
    await client.query('commit');
    chmodSync(filePath, 0o600);
    const { size } = statSync(filePath);
    const manifest: Manifest = {
      format_version: 1,
      created_at: now.toISOString(),
      app_version: packageVersion(),
      engine,
      file,
      sha256: await sha256File(filePath),
      bytes: size,
      server_version: serverVersion,
      migration: { ...migration, tag: migrationTag(migration.created_at) },
      kek_ids: kekIds,
      tables: counts,
    };
    writeFileSync(path.join(partial, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
    renameSync(partial, dir);
    options.logger.info({ dir, engine, bytes: size, tables: tables.length }, 'backup written');
    return { dir, manifest };
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    rmSync(partial, { recursive: true, force: true });
    if (error instanceof BackupError) throw error;
    throw new BackupError('backup_failed', error instanceof Error ? error.message : String(error));
  } finally {
    await client.end();
  }
}

/** The tag of the code's migration with this timestamp (null when the code does not know it). */
function migrationTag(createdAt: number | null): string | null {
  if (createdAt === null) return null;
  return codeMigrations().find((entry) => entry.when === createdAt)?.tag ?? null;
}
