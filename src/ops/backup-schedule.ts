/**
 * Backup retention, the `--check-age` healthcheck and the `--schedule CRON` timer (OPS.md 4.7).
 * Retention keeps the newest backup of each of the newest `keepDaily` UTC days and of each of the
 * newest `keepWeekly` ISO weeks (a backup may count for both), and deletes the other backups in
 * the directory. Only directories that look like ours and hold a manifest are ever touched.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { BACKUP_PREFIX, BackupError, MANIFEST_FILE, readManifest } from './backup-manifest.js';

export interface BackupEntry {
  dir: string;
  createdAt: Date;
}

/** Backups in `outDir` (finished ones, with a readable manifest), newest first. */
export function listBackups(outDir: string): BackupEntry[] {
  if (!existsSync(outDir)) return [];
  const entries: BackupEntry[] = [];
  for (const name of readdirSync(outDir)) {
    const dir = path.join(outDir, name);
    if (!name.startsWith(BACKUP_PREFIX) || name.endsWith('.partial') || !existsSync(path.join(dir, MANIFEST_FILE))) continue;
    try {
      entries.push({ dir, createdAt: new Date(readManifest(dir).created_at) });
    } catch {
      // A damaged backup is neither counted nor deleted: an operator should look at it.
    }
  }
  return entries.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
}

const dayKey = (date: Date): string => date.toISOString().slice(0, 10);

/** ISO-8601 week, e.g. `2026-W49`. */
export function isoWeekKey(date: Date): string {
  const d = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const weekday = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - weekday);
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((d.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

/** Which backups (newest first) to keep. */
export function selectRetained(backups: BackupEntry[], keepDaily: number, keepWeekly: number): Set<string> {
  const keep = new Set<string>();
  const pick = (keyOf: (date: Date) => string, limit: number) => {
    const seen = new Set<string>();
    for (const backup of backups) {
      const key = keyOf(backup.createdAt);
      if (seen.has(key)) continue;
      if (seen.size >= limit) break;
      seen.add(key);
      keep.add(backup.dir);
    }
  };
  pick(dayKey, keepDaily);
  pick(isoWeekKey, keepWeekly);
  return keep;
}

/** Apply retention in `outDir`; returns the deleted directories. Never deletes the newest backup. */
export function applyRetention(outDir: string, keepDaily: number, keepWeekly: number): string[] {
  const backups = listBackups(outDir);
  const keep = selectRetained(backups, Math.max(1, keepDaily), keepWeekly);
  const deleted: string[] = [];
  for (const backup of backups) {
    if (keep.has(backup.dir)) continue;
    rmSync(backup.dir, { recursive: true, force: true });
    deleted.push(backup.dir);
  }
  return deleted;
}

/** `26h`, `26`, `90m`, `2d` → milliseconds. */
export function parseAge(value: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([hmd]?)$/.exec(value.trim());
  if (!match) throw new BackupError('backup_failed', `--check-age wants hours like 26 or 26h (or 90m, 2d), got "${value}"`);
  const unit = match[2] === 'm' ? 60_000 : match[2] === 'd' ? 86_400_000 : 3_600_000;
  return Number(match[1]) * unit;
}

/** The healthcheck: the newest backup in `outDir` is at most `maxAgeMs` old. */
export function checkAge(outDir: string, maxAgeMs: number, now: Date = new Date()): { ok: boolean; newest: string | null; age_hours: number | null } {
  const newest = listBackups(outDir)[0];
  if (!newest) return { ok: false, newest: null, age_hours: null };
  const age = now.getTime() - newest.createdAt.getTime();
  return { ok: age <= maxAgeMs, newest: newest.dir, age_hours: Math.round((age / 3_600_000) * 100) / 100 };
}

/** A five-field cron expression (UTC): numbers, `*`, `*\/n`, ranges `a-b` and lists. */
export function parseCron(expression: string): (date: Date) => boolean {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) throw new BackupError('backup_failed', `--schedule wants a five-field cron expression like "0 3 * * *", got "${expression}"`);
  const limits: Array<[number, number]> = [[0, 59], [0, 23], [1, 31], [1, 12], [0, 6]];
  const sets = fields.map((field, index) => {
    const [min, max] = limits[index]!;
    const allowed = new Set<number>();
    for (const part of field.split(',')) {
      const match = /^(\*|\d+(?:-\d+)?)(?:\/(\d+))?$/.exec(part);
      if (!match) throw new BackupError('backup_failed', `--schedule: cannot read "${part}" in "${expression}"`);
      const step = match[2] ? Number(match[2]) : 1;
      const [from, to] = match[1] === '*' ? [min, max] : match[1]!.includes('-') ? match[1]!.split('-').map(Number) as [number, number] : [Number(match[1]), match[2] ? max : Number(match[1])];
      if (from < min || to > max || from > to || step < 1) throw new BackupError('backup_failed', `--schedule: "${part}" is out of range in "${expression}"`);
      for (let value = from; value <= to; value += step) allowed.add(value);
    }
    return allowed;
  });
  return (date) =>
    sets[0]!.has(date.getUTCMinutes()) &&
    sets[1]!.has(date.getUTCHours()) &&
    sets[2]!.has(date.getUTCDate()) &&
    sets[3]!.has(date.getUTCMonth() + 1) &&
    sets[4]!.has(date.getUTCDay());
}

/** The next minute after `from` that matches (searches a year ahead). */
export function nextRun(matches: (date: Date) => boolean, from: Date): Date {
  const next = new Date(from.getTime());
  next.setUTCSeconds(0, 0);
  for (let i = 0; i < 366 * 24 * 60; i += 1) {
    next.setUTCMinutes(next.getUTCMinutes() + 1);
    if (matches(next)) return next;
  }
  throw new BackupError('backup_failed', 'the --schedule expression never matches');
}
