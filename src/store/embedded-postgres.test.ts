import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  buildDatabaseUrl,
  isOwnerStale,
  isProcessAlive,
  parseOwnerRecord,
  parsePostmasterPid,
  type OwnerRecord,
} from './embedded-postgres.js';

// The layout PostgreSQL 18 writes: pid, data dir, start epoch, port, socket dir, listen address,
// shared memory key, status.
const postmasterPidText = [
  '5878',
  '/tmp/tmp.kqR6idvcuu/pg',
  '1795324904',
  '33213',
  '',
  '127.0.0.1',
  '  1234567    65538',
  'ready   ',
  '',
].join('\n');

describe('parsePostmasterPid', () => {
  it('reads pid, port, listen address and status', () => {
    expect(parsePostmasterPid(postmasterPidText)).toEqual({
      pid: 5878,
      dataDir: '/tmp/tmp.kqR6idvcuu/pg',
      startedAtEpochSeconds: 1795324904,
      port: 33213,
      listenAddresses: '127.0.0.1',
      status: 'ready',
    });
  });

  it('accepts the short file written while the server is starting', () => {
    expect(parsePostmasterPid('42\n/data/pg\n1795324904\n5499\n')).toMatchObject({
      pid: 42,
      port: 5499,
      listenAddresses: undefined,
      status: undefined,
    });
  });

  it.each([
    ['empty', ''],
    ['half-written', '5878\n'],
    ['non-numeric pid', 'abc\n/data\n1\n5432\n'],
    ['negative pid', '-1\n/data\n1\n5432\n'],
    ['port out of range', '10\n/data\n1\n70000\n'],
  ])('rejects a %s file', (_name, text) => {
    expect(parsePostmasterPid(text)).toBeUndefined();
  });
});

describe('parseOwnerRecord', () => {
  const record: OwnerRecord = { pid: 10, role: 'cli', port: 40000, startedAt: '2026-11-22T03:00:00.000Z' };

  it('round-trips a record', () => {
    expect(parseOwnerRecord(JSON.stringify(record))).toEqual(record);
  });

  it.each([
    ['empty (claimant between create and write)', ''],
    ['truncated JSON', '{"pid":10,"ro'],
    ['unknown role', JSON.stringify({ ...record, role: 'worker' })],
    ['fractional pid', JSON.stringify({ ...record, pid: 1.5 })],
    ['missing port', JSON.stringify({ ...record, port: undefined })],
    ['null', 'null'],
  ])('rejects %s', (_name, text) => {
    expect(parseOwnerRecord(text)).toBeUndefined();
  });
});

describe('isOwnerStale', () => {
  const owner: OwnerRecord = { pid: 4242, role: 'server', port: 40000, startedAt: '2026-11-22T03:00:00.000Z' };
  const probe = (overrides: Partial<Parameters<typeof isOwnerStale>[1]> = {}) => ({
    selfPid: 1,
    isOwnedHere: false,
    isAlive: () => true,
    ...overrides,
  });

  it('treats an owner whose process is alive as live', () => {
    expect(isOwnerStale(owner, probe())).toBe(false);
  });

  it('treats an owner whose process is dead as stale', () => {
    expect(isOwnerStale(owner, probe({ isAlive: (pid) => pid !== 4242 }))).toBe(true);
  });

  it('treats our own pid as stale unless this process claimed the directory (pid reuse after a container restart)', () => {
    expect(isOwnerStale(owner, probe({ selfPid: 4242 }))).toBe(true);
    expect(isOwnerStale(owner, probe({ selfPid: 4242, isOwnedHere: true }))).toBe(false);
  });
});

describe('buildDatabaseUrl', () => {
  it('points at loopback and the switchboard database, escaping the credentials', () => {
    expect(buildDatabaseUrl({ user: 'switchboard', password: 'a/b:c@d' }, 5499)).toBe(
      'postgres://switchboard:a%2Fb%3Ac%40d@127.0.0.1:5499/switchboard',
    );
  });
});

describe('isProcessAlive', () => {
  it('is true for this process and false for an exited one', () => {
    expect(isProcessAlive(process.pid)).toBe(true);
    const exited = spawnSync('true');
    expect(exited.pid).toBeGreaterThan(0);
    expect(isProcessAlive(exited.pid)).toBe(false);
    expect(isProcessAlive(0)).toBe(false);
  });

  it.runIf(existsSync('/proc/self/stat'))('is false for a zombie nobody has reaped yet', async () => {
    // sh starts `sleep 0` in the background and then becomes `sleep 5`, which never reaps it.
    const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 5'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const zombiePid = Number(await new Promise<string>((resolve) => parent.stdout.once('data', (d: Buffer) => resolve(String(d)))));
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(() => process.kill(zombiePid, 0)).not.toThrow();
      expect(isProcessAlive(zombiePid)).toBe(false);
    } finally {
      parent.kill('SIGKILL');
    }
  });
});
