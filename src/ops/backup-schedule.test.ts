import { describe, expect, it } from 'vitest';
import { isoWeekKey, nextRun, parseAge, parseCron, selectRetained, type BackupEntry } from './backup-schedule.js';

describe('backup retention', () => {
  // 40 days of two backups a day, up to Sunday 2026-12-06 15:00 UTC.
  const backups: BackupEntry[] = [];
  for (let day = 0; day < 40; day += 1) {
    for (const hour of [15, 3]) {
      const at = new Date(Date.UTC(2026, 11, 6 - day, hour));
      backups.push({ dir: at.toISOString(), createdAt: at });
    }
  }

  it('keeps the newest of each of the last N days and of each of the last M ISO weeks', () => {
    const kept = [...selectRetained(backups, 7, 4)].sort();
    // Days Nov 30 – Dec 6 (ISO week 49), plus the newest of weeks 48, 47 and 46 (their Sundays).
    expect(kept).toEqual(
      ['2026-11-15', '2026-11-22', '2026-11-29', '2026-11-30', '2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04', '2026-12-05', '2026-12-06'].map(
        (day) => `${day}T15:00:00.000Z`,
      ),
    );
  });

  it('keeps weekly backups only when asked, and daily ones beyond them', () => {
    expect(selectRetained(backups, 3, 0).size).toBe(3);
    expect(selectRetained(backups, 0, 2).size).toBe(2);
  });

  it('names ISO weeks across a year boundary', () => {
    expect(isoWeekKey(new Date('2026-12-31T12:00:00Z'))).toBe('2026-W53');
    expect(isoWeekKey(new Date('2027-01-03T12:00:00Z'))).toBe('2026-W53');
    expect(isoWeekKey(new Date('2027-01-04T12:00:00Z'))).toBe('2027-W01');
  });
});

describe('--check-age and --schedule parsing', () => {
  it('reads ages in hours by default', () => {
    expect(parseAge('26')).toBe(26 * 3_600_000);
    expect(parseAge('26h')).toBe(26 * 3_600_000);
    expect(parseAge('90m')).toBe(90 * 60_000);
    expect(parseAge('2d')).toBe(2 * 86_400_000);
    expect(() => parseAge('soon')).toThrow(/--check-age/);
  });

  it('finds the next run of a five-field UTC cron expression', () => {
    expect(nextRun(parseCron('0 3 * * *'), new Date('2026-12-06T05:00:00Z')).toISOString()).toBe('2026-12-07T03:00:00.000Z');
    expect(nextRun(parseCron('*/15 * * * *'), new Date('2026-12-06T05:01:30Z')).toISOString()).toBe('2026-12-06T05:15:00.000Z');
    expect(nextRun(parseCron('30 2 * * 0'), new Date('2026-12-06T05:00:00Z')).toISOString()).toBe('2026-12-13T02:30:00.000Z');
    expect(nextRun(parseCron('0 1,13 1-2 * *'), new Date('2026-12-06T05:00:00Z')).toISOString()).toBe('2027-01-01T01:00:00.000Z');
    expect(() => parseCron('0 3 * *')).toThrow(/five-field/);
    expect(() => parseCron('61 * * * *')).toThrow(/out of range/);
  });
});
