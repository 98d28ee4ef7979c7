/**
 * `switchboard restore DIR` (OPS.md 4.7). Every check runs before anything is written, and each
 * refusal has its own code: the manifest parses, the dump's sha256 matches, the backup's schema is
 * not newer than this code, every `kek_id` it references is in the keyring, and the target is
 * empty (unless `--clean`). Then `pg_restore --single-transaction --exit-on-error` (pg_dump
 * engine) or migrations-to-the-backup's-version plus one transaction of row inserts (rows
 * engine), a count check against the manifest, and `migrate` to catch up. A restore that fails
 * midway leaves the target as empty as it found it.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, createReadStream, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { createGunzip } from 'node:zlib';
import pg from 'pg';
import type { Logger } from '../platform/logger.js';
import { migrationsFolder, runMigrations } from '../store/migrate.js';
import type { Keyring } from '../vault/keyring.js';
import { BackupError, codeMigrations, readManifest, sha256File, type Manifest } from './backup-manifest.js';
import { countTables, libpqTarget, listTables, quoteIdent } from './backup.js';

export interface RestoreResult {
  engine: Manifest['engine'];
  tables: Record<string, number>;
  migrations_applied_after: number;
}

/** The checks, in order; throws the first refusal. */
export async function checkBackup(dir: string, keyring: Keyring): Promise<Manifest> {
  if (!existsSync(dir)) throw new BackupError('backup_not_found', `${dir} does not exist`);
  const manifest = readManifest(dir);
  const file = path.join(dir, manifest.file);
  if (!existsSync(file)) throw new BackupError('backup_manifest_invalid', `the dump ${manifest.file} named by the manifest is missing`);
  const actual = await sha256File(file);
  if (actual !== manifest.sha256) {
    throw new BackupError('backup_checksum_mismatch', `${manifest.file} does not match the manifest's sha256 (the backup is corrupted or was changed)`);
  }
  const code = codeMigrations();
  const newest = code[code.length - 1];
  const known = manifest.migration.created_at === null || code.some((entry) => entry.when === manifest.migration.created_at);
  if (manifest.migration.count > code.length || !known || (manifest.migration.created_at ?? 0) > (newest?.when ?? 0)) {
    throw new BackupError(
      'backup_newer_than_code',
      `the backup's schema (${manifest.migration.count} migrations${manifest.migration.tag ? `, ${manifest.migration.tag}` : ''}) is newer than this code (${code.length} migrations): restore it with the release that made it`,
    );
  }
  const missing = manifest.kek_ids.filter((id) => !keyring.get(id));
  if (missing.length > 0) {
    throw new BackupError(
      'backup_master_key_missing',
      `the backup's provider keys are wrapped under master keys not in the keyring: ${missing.join(', ')}. Set the retired key(s) in SWITCHBOARD_MASTER_KEYS_PREVIOUS`,
    );
  }
  return manifest;
}

async function relationsIn(client: pg.ClientBase): Promise<number> {
  const { rows } = await client.query<{ n: number }>(
    "select count(*)::int as n from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname in ('public', 'drizzle') and c.relkind in ('r', 'p', 'v', 'm', 'S')",
  );
  return rows[0]?.n ?? 0;
}

async function wipe(client: pg.ClientBase): Promise<void> {
  await client.query('drop schema if exists drizzle cascade');
  await client.query('drop schema if exists public cascade');
  await client.query('create schema public');
}

/** A migrations folder holding only the first `count` migrations of the code's journal. */
export function migrationsUpTo(count: number): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-restore-'));
  mkdirSync(path.join(dir, 'meta'));
  const entries = codeMigrations().slice(0, count);
  for (const entry of entries) copyFileSync(path.join(migrationsFolder, `${entry.tag}.sql`), path.join(dir, `${entry.tag}.sql`));
  writeFileSync(path.join(dir, 'meta', '_journal.json'), JSON.stringify({ version: '7', dialect: 'postgresql', entries }));
  return dir;
}

/** Tables ordered so that every referenced table comes before the tables referencing it. */
async function loadOrder(client: pg.ClientBase, tables: string[]): Promise<string[]> {
  const { rows } = await client.query<{ child: string; parent: string }>(
    `select c.relname as child, p.relname as parent from pg_constraint k
       join pg_class c on c.oid = k.conrelid join pg_class p on p.oid = k.confrelid
       join pg_namespace n on n.oid = c.relnamespace
      where k.contype = 'f' and n.nspname = 'public' and c.oid <> p.oid`,
  );
  const ordered: string[] = [];
  const visiting = new Set<string>();
  const visit = (table: string) => {
    if (ordered.includes(table) || visiting.has(table)) return;
    visiting.add(table);
    for (const edge of rows) if (edge.child === table) visit(edge.parent);
    visiting.delete(table);
    ordered.push(table);
  };
  for (const table of tables) visit(table);
  return ordered;
}

async function loadRows(client: pg.ClientBase, file: string, manifest: Manifest): Promise<void> {
  const tables = await listTables(client);
  for (const table of Object.keys(manifest.tables)) {
    if (!tables.includes(table)) throw new BackupError('restore_failed', `table ${table} of the backup does not exist in its schema version`);
  }
  // The dump is grouped by table in name order; foreign keys need parents first, so rows are
  // read into chunks of 500 per table and inserted in dependency order (the whole dump in memory:
  // fine for the embedded default's sizes; PostgreSQL deployments use the pg_dump engine).
  const pending = new Map<string, string[][]>();
  let current: string | undefined;
  const lines = readline.createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.startsWith('{"table":')) {
      current = (JSON.parse(line) as { table: string }).table;
      if (!tables.includes(current)) throw new BackupError('restore_failed', `unknown table ${current} in the dump`);
      pending.set(current, []);
      continue;
    }
    if (!current || line.length === 0) continue;
    const chunks = pending.get(current)!;
    if (chunks.length === 0 || chunks[chunks.length - 1]!.length >= 500) chunks.push([]);
    chunks[chunks.length - 1]!.push(line);
  }
  for (const table of await loadOrder(client, tables)) {
    for (const chunk of pending.get(table) ?? []) {
      await client.query(`insert into ${quoteIdent(table)} select * from json_populate_recordset(null::${quoteIdent(table)}, $1::json)`, [`[${chunk.join(',')}]`]);
    }
  }
}

async function pgRestore(url: string, file: string): Promise<void> {
  const target = libpqTarget(url);
  const child = spawn('pg_restore', ['--single-transaction', '--exit-on-error', '--no-owner', '--no-privileges', `--dbname=${target.dbname}`, file], {
    env: target.env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new BackupError('restore_failed', `pg_restore exited with ${code}: ${stderr.trim().split('\n').slice(-3).join(' ')}`);
}

export async function restoreBackup(options: { dir: string; url: string; keyring: Keyring; clean?: boolean; logger: Pick<Logger, 'info'> }): Promise<RestoreResult> {
  const manifest = await checkBackup(options.dir, options.keyring);
  const file = path.join(options.dir, manifest.file);
  const client = new pg.Client({ connectionString: options.url, application_name: 'switchboard-restore' });
  await client.connect();
  let wrote = false;
  try {
    if ((await relationsIn(client)) > 0) {
      if (!options.clean) {
        throw new BackupError('restore_target_not_empty', 'the target database already has tables: restore into an empty database, or pass --clean to drop everything in it first');
      }
      await wipe(client);
    }
    wrote = true;
    if (manifest.engine === 'pg_dump') {
      await pgRestore(options.url, file);
    } else {
      const folder = migrationsUpTo(manifest.migration.count);
      try {
        await runMigrations(options.url, folder);
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
      await client.query('begin');
      await loadRows(client, file, manifest);
      await client.query('commit');
    }
    const counts = await countTables(client, Object.keys(manifest.tables));
    for (const [table, expected] of Object.entries(manifest.tables)) {
      if (counts[table] !== expected) throw new BackupError('restore_failed', `table ${table} has ${counts[table]} rows after the restore, the manifest says ${expected}`);
    }
    const after = await runMigrations(options.url);
    options.logger.info({ engine: manifest.engine, tables: Object.keys(counts).length, migrations_applied: after.applied }, 'restore complete');
    return { engine: manifest.engine, tables: counts, migrations_applied_after: after.applied };
  } catch (error) {
    if (wrote) {
      await client.query('rollback').catch(() => undefined);
      await wipe(client).catch(() => undefined);
    }
    if (error instanceof BackupError) throw error;
    throw new BackupError('restore_failed', error instanceof Error ? error.message : String(error));
  } finally {
    await client.end();
  }
}
