/**
 * Master-key rotation by rewrap (OPS.md 4.8). Only data keys (DEKs) are rewrapped: each
 * `data_keys` row under a non-primary master key is unwrapped with its old key and sealed again
 * under the primary, in batches. Secret ciphertexts never change, so decrypted-secret caches stay
 * valid, and nothing here ever sees a provider key.
 *
 * Each batch is one transaction of `UPDATE … WHERE id = $id AND kek_id = $old`: a `kill -9`
 * mid-run rolls the open batch back, every committed row is fully under the primary, and a re-run
 * picks up exactly the rows still under an old key (no row lost, none wrapped twice).
 */
import type pg from 'pg';
import type { Logger } from '../platform/logger.js';
import { dataKeyAad, open, seal, type OwnerRef } from './envelope.js';
import type { Keyring } from './keyring.js';

type Queryable = Pick<pg.Pool, 'query'>;

export class RotationError extends Error {
  override name = 'RotationError';
  constructor(
    readonly code: 'master_key_missing' | 'data_key_unreadable',
    message: string,
  ) {
    super(message);
  }
}

/** Rows per `kek_id` in `data_keys`. */
export async function countWrappedKeys(db: Queryable): Promise<Record<string, number>> {
  const { rows } = await db.query<{ kek_id: string; n: number }>('select kek_id, count(*)::int as n from data_keys group by kek_id order by kek_id');
  return Object.fromEntries(rows.map((row) => [row.kek_id, row.n]));
}

/** The `kek_id`s that wrap at least one row but are not in the keyring, with their row counts. */
export function missingKeys(counts: Record<string, number>, keyring: Keyring): Record<string, number> {
  const known = new Set(keyring.ids());
  return Object.fromEntries(Object.entries(counts).filter(([kekId]) => !known.has(kekId)));
}

export interface RotationReport {
  primary: string;
  /** Rows per kek_id before the run (or now, for a dry run). */
  before: Record<string, number>;
  /** Rows rewrapped under the primary by this run. */
  rewrapped: number;
  /** Rows that changed or disappeared between read and write (left for the next run). */
  skipped: number;
  batches: number;
  /** Rows outside the primary after the run. */
  remaining: number;
  dry_run: boolean;
}

interface DataKeyRecord {
  id: string;
  owner_user_id: string | null;
  owner_team_id: string | null;
  kek_id: string;
  wrapped_key: Buffer;
}

const ownerOf = (row: DataKeyRecord): OwnerRef =>
  row.owner_user_id ? { kind: 'user', id: row.owner_user_id } : { kind: 'team', id: row.owner_team_id as string };

/**
 * Rewrap every data key that is not under the primary master key. Refuses to start when a row's
 * key is not in the keyring (it could never be rewrapped; the message names the key ids, never a key).
 */
export async function rotateMasterKey(options: {
  pool: pg.Pool;
  keyring: Keyring;
  batchSize: number;
  dryRun?: boolean;
  logger: Pick<Logger, 'info'>;
}): Promise<RotationReport> {
  const { pool, keyring, batchSize } = options;
  const primary = keyring.primary;
  const before = await countWrappedKeys(pool);
  const missing = missingKeys(before, keyring);
  if (Object.keys(missing).length > 0) {
    throw new RotationError(
      'master_key_missing',
      `rows are wrapped under master keys that are not in the keyring: ${Object.entries(missing)
        .map(([id, n]) => `${id} (${n} rows)`)
        .join(', ')}. Add them to SWITCHBOARD_MASTER_KEYS_PREVIOUS.`,
    );
  }
  const outside = Object.entries(before).reduce((sum, [kekId, n]) => (kekId === primary.id ? sum : sum + n), 0);
  const report: RotationReport = { primary: primary.id, before, rewrapped: 0, skipped: 0, batches: 0, remaining: outside, dry_run: options.dryRun === true };
  if (options.dryRun || outside === 0) return report;

  let after = '';
  for (;;) {
    const { rows } = await pool.query<DataKeyRecord>(
      'select id, owner_user_id, owner_team_id, kek_id, wrapped_key from data_keys where kek_id <> $1 and id > $2 order by id limit $3',
      [primary.id, after, batchSize],
    );
    if (rows.length === 0) break;
    after = rows[rows.length - 1]!.id;
    const rewrapped = rows.map((row) => {
      const old = keyring.get(row.kek_id);
      if (!old) throw new RotationError('master_key_missing', `data key ${row.id} is wrapped under master key ${row.kek_id}, which is not in the keyring`);
      const aad = dataKeyAad(ownerOf(row), row.id);
      let dek: Buffer;
      try {
        dek = open(old.key, row.wrapped_key, aad);
      } catch {
        throw new RotationError('data_key_unreadable', `data key ${row.id} does not unwrap under master key ${row.kek_id}`);
      }
      const wrapped = seal(primary.key, dek, aad);
      dek.fill(0);
      return { id: row.id, old: row.kek_id, wrapped };
    });
    const client = await pool.connect();
    try {
      await client.query('begin');
      for (const row of rewrapped) {
        const result = await client.query(
          'update data_keys set wrapped_key = $1, kek_id = $2, rotated_at = now() where id = $3 and kek_id = $4',
          [row.wrapped, primary.id, row.id, row.old],
        );
        if (result.rowCount === 1) report.rewrapped += 1;
        else report.skipped += 1;
      }
      await client.query('commit');
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    report.batches += 1;
    options.logger.info({ batch: report.batches, rewrapped: report.rewrapped, of: outside }, 'master-key rotation: batch committed');
  }
  const now = await countWrappedKeys(pool);
  report.remaining = Object.entries(now).reduce((sum, [kekId, n]) => (kekId === primary.id ? sum : sum + n), 0);
  return report;
}

export interface VerifyReport {
  primary: string;
  counts: Record<string, number>;
  outside_primary: number;
  missing: Record<string, number>;
  /** Data keys that failed to unwrap under their recorded master key (ids only). */
  unreadable: string[];
}

/** Count rows per kek_id and unwrap every data key with its recorded master key. */
export async function verifyKeyring(pool: pg.Pool, keyring: Keyring): Promise<VerifyReport> {
  const counts = await countWrappedKeys(pool);
  const missing = missingKeys(counts, keyring);
  const unreadable: string[] = [];
  let after = '';
  for (;;) {
    const { rows } = await pool.query<DataKeyRecord>(
      'select id, owner_user_id, owner_team_id, kek_id, wrapped_key from data_keys where id > $1 order by id limit 500',
      [after],
    );
    if (rows.length === 0) break;
    after = rows[rows.length - 1]!.id;
    for (const row of rows) {
      const kek = keyring.get(row.kek_id);
      if (!kek) continue;
      try {
        const dek = open(kek.key, row.wrapped_key, dataKeyAad(ownerOf(row), row.id));
        // A data key is 32 bytes: anything else was wrapped twice or is not a data key.
        if (dek.length !== 32) unreadable.push(row.id);
        dek.fill(0);
      } catch {
        unreadable.push(row.id);
      }
    }
  }
  const outside = Object.entries(counts).reduce((sum, [kekId, n]) => (kekId === keyring.primary.id ? sum : sum + n), 0);
  return { primary: keyring.primary.id, counts, outside_primary: outside, missing, unreadable };
}

