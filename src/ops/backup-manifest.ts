/**
 * The backup directory and its manifest (OPS.md 4.7). A backup is one directory
 * `switchboard-<UTC timestamp>` (mode 0700) holding the dump (0600) and `manifest.json` (0600).
 */
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { migrationsFolder } from '../store/migrate.js';

export const MANIFEST_FILE = 'manifest.json';
export const BACKUP_PREFIX = 'switchboard-';

/** Why a backup or restore stopped; `code` is stable (docs/ops.md lists them). */
export class BackupError extends Error {
  override name = 'BackupError';
  constructor(
    readonly code:
      | 'backup_manifest_invalid'
      | 'backup_checksum_mismatch'
      | 'backup_newer_than_code'
      | 'backup_master_key_missing'
      | 'restore_target_not_empty'
      | 'restore_failed'
      | 'backup_failed'
      | 'backup_not_found',
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

export const manifestSchema = z.object({
  format_version: z.literal(1),
  created_at: z.string(),
  app_version: z.string(),
  /** `pg_dump`: custom-format dump (pg_restore); `rows`: the schema's migrations plus gzip JSON lines of every table. */
  engine: z.enum(['pg_dump', 'rows']),
  file: z.string().regex(/^[\w.-]+$/),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().nonnegative(),
  server_version: z.string(),
  migration: z.object({ count: z.number().int().nonnegative(), tag: z.string().nullable(), created_at: z.number().nullable() }),
  kek_ids: z.array(z.string()),
  tables: z.record(z.string(), z.number().int().nonnegative()),
});

export type Manifest = z.infer<typeof manifestSchema>;

export function readManifest(dir: string): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path.join(dir, MANIFEST_FILE), 'utf8'));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'is missing' : 'is not valid JSON';
    throw new BackupError('backup_manifest_invalid', `${path.join(dir, MANIFEST_FILE)} ${reason}`);
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BackupError('backup_manifest_invalid', `${MANIFEST_FILE} field ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .once('error', reject)
      .once('end', () => resolve(hash.digest('hex')));
  });
}

interface JournalEntry {
  idx: number;
  when: number;
  tag: string;
}

/** The migrations this code ships, oldest first. */
export function codeMigrations(): JournalEntry[] {
  const journal = JSON.parse(readFileSync(path.join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as { entries: JournalEntry[] };
  return journal.entries;
}

/** `switchboard-20261206T051500Z` for a date (sortable, one per second). */
export const backupDirName = (date: Date): string =>
  `${BACKUP_PREFIX}${date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')}`;
