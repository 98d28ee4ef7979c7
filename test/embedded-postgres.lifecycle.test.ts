/**
 * The embedded database against the real PostgreSQL binaries. The cases run in order on one data
 * directory so that a single initdb serves them all.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/platform/logger.js';
import {
  isProcessAlive,
  openEmbeddedDatabase,
  parsePostmasterPid,
  type EmbeddedDatabase,
} from '../src/store/embedded-postgres.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const isRoot = process.getuid?.() === 0;

interface LogLine {
  level: string;
  msg: string;
}
const logLines: LogLine[] = [];
const logger = createLogger({
  level: 'debug',
  destination: new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of String(chunk).split('\n')) if (line) logLines.push(JSON.parse(line) as LogLine);
      callback();
    },
  }),
});

let dataDir: string;
const open: EmbeddedDatabase[] = [];
let child: ChildProcess | undefined;

async function openDb(role: 'server' | 'cli', waitForOwnerMs?: number): Promise<EmbeddedDatabase> {
  const db = await openEmbeddedDatabase({ dataDir, role, logger, ...(waitForOwnerMs === undefined ? {} : { waitForOwnerMs }) });
  open.push(db);
  return db;
}

async function query<T>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 1_000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

const portOf = (url: string) => Number(new URL(url).port);
const ownerFile = () => path.join(dataDir, 'embedded-owner.json');
const postmasterPidFile = () => path.join(dataDir, 'pg', 'postmaster.pid');
/** Every postmaster a case saw, so a failed case cannot leave one running. */
const postmasterPids = new Set<number>();
function readPostmaster() {
  const postmaster = parsePostmasterPid(readFileSync(postmasterPidFile(), 'utf8'));
  if (postmaster) postmasterPids.add(postmaster.pid);
  return postmaster;
}

/** Listening TCP sockets on `port` from /proc/net/tcp{,6}: hex local addresses. */
function listeningAddresses(port: number): string[] {
  const addresses: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (!local || state !== '0A') continue;
      const [address, portHex] = local.split(':');
      if (Number.parseInt(portHex ?? '', 16) === port) addresses.push(`${file.endsWith('6') ? 'v6' : 'v4'}:${address}`);
    }
  }
  return addresses;
}

beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'sb-embedded-'));
});

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const db of open) await db.stop();
  // Anything left (a failed case): stop it before deleting its files.
  if (existsSync(postmasterPidFile())) readPostmaster();
  for (const pid of postmasterPids) if (isProcessAlive(pid)) process.kill(pid, 'SIGINT');
  await fs.rm(dataDir, { recursive: true, force: true });
});

describe('embedded PostgreSQL lifecycle', () => {
  let owner: EmbeddedDatabase;

  it('starts PostgreSQL on first open, owns it, and answers queries', async () => {
    // embedded-postgres hands initdb the password through a file in os.tmpdir(); it must not land
    // in the shared, world-readable /tmp (regression: it did, mode 0644, for the length of initdb).
    const sharedTmpFiles: string[] = [];
    const watcher = (await import('node:fs')).watch(os.tmpdir(), (_event, name) => {
      if (name) sharedTmpFiles.push(String(name));
    });
    try {
      owner = await openDb('server');
    } finally {
      watcher.close();
    }
    expect(sharedTmpFiles.filter((name) => name.startsWith('pg-password-'))).toEqual([]);
    expect(existsSync(path.join(dataDir, 'initdb.tmp'))).toBe(false);
    expect(owner.owned).toBe(true);
    readPostmaster();
    expect(owner.url).toMatch(/^postgres:\/\/switchboard:[^@]+@127\.0\.0\.1:\d+\/switchboard$/);
    expect(await query(owner.url, 'select 1 as one')).toEqual([{ one: 1 }]);
    await query(owner.url, "create table marker (note text); insert into marker values ('kept')");

    const ownerRecord = JSON.parse(await fs.readFile(ownerFile(), 'utf8')) as Record<string, unknown>;
    expect(ownerRecord).toMatchObject({ pid: process.pid, role: 'server', port: portOf(owner.url) });
    const credentials = await fs.stat(path.join(dataDir, 'pg-credentials.json'));
    expect(credentials.mode & 0o777).toBe(0o600);
    expect(logLines.some((l) => l.level === 'debug' && l.msg.includes('database system is ready to accept connections'))).toBe(true);
  });

  it('listens on 127.0.0.1 only, with no Unix socket', async () => {
    const port = portOf(owner.url);
    expect(await query(owner.url, "select current_setting('listen_addresses') as listen, current_setting('unix_socket_directories') as sockets")).toEqual([
      { listen: '127.0.0.1', sockets: '' },
    ]);
    if (existsSync('/proc/net/tcp')) expect(listeningAddresses(port)).toEqual(['v4:0100007F']);
    const external = Object.values(os.networkInterfaces())
      .flat()
      .filter((i) => i && !i.internal && i.family === 'IPv4')
      .map((i) => i!.address);
    for (const address of external) expect(await canConnect(address, port)).toBe(false);
  });

  it("keeps failing statements' text and row values out of the log PostgreSQL writes into ours", async () => {
    await query(owner.url, "create table secrets (k text primary key); insert into secrets values ('sk-secret-marker')");
    await expect(query(owner.url, "insert into secrets values ('sk-secret-marker')")).rejects.toThrow(/duplicate key/);
    await new Promise((resolve) => setTimeout(resolve, 200)); // the server logs asynchronously
    expect(logLines.some((l) => l.msg.includes('duplicate key value'))).toBe(true);
    expect(logLines.filter((l) => JSON.stringify(l).includes('sk-secret-marker'))).toEqual([]);
  });

  it.runIf(existsSync('/proc/self/stat'))('runs PostgreSQL in its own process group, so a Ctrl-C aimed at Switchboard does not stop it mid-drain', () => {
    const pid = readPostmaster()!.pid;
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const processGroup = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
    expect(processGroup).toBe(pid);
  });

  it.runIf(isRoot)('as root, runs PostgreSQL as the postgres OS user in a traversable data dir', async () => {
    const postgresUid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout);
    expect((await fs.stat(dataDir)).mode & 0o011).toBe(0o011); // mkdtemp made it 0700
    expect((await fs.stat(path.join(dataDir, 'pg'))).uid).toBe(postgresUid);
    const status = readFileSync(`/proc/${readPostmaster()!.pid}/status`, 'utf8');
    expect(status).toMatch(new RegExp(`^Uid:\\s+${postgresUid}\\s`, 'm'));
  });

  it('a second open borrows the running server, and its stop() leaves it running', async () => {
    const borrower = await openDb('cli');
    expect(borrower.owned).toBe(false);
    expect(borrower.url).toBe(owner.url);
    expect(await query(borrower.url, 'select note from marker')).toEqual([{ note: 'kept' }]);
    await borrower.stop();
    expect(await query(owner.url, 'select 1 as one')).toEqual([{ one: 1 }]);
  });

  it('the owner stops PostgreSQL and releases ownership; the next open reuses the data', async () => {
    const port = portOf(owner.url);
    await owner.stop();
    await owner.stop(); // idempotent
    expect(existsSync(ownerFile())).toBe(false);
    expect(existsSync(postmasterPidFile())).toBe(false);
    expect(await canConnect('127.0.0.1', port)).toBe(false);

    const reopened = await openDb('cli');
    expect(reopened.owned).toBe(true);
    expect(await query(reopened.url, 'select note from marker')).toEqual([{ note: 'kept' }]);
    expect(logLines.filter((l) => l.msg.includes('initialising the embedded database'))).toHaveLength(1);
    owner = reopened;
  });

  it('a server waits for a CLI owner: gives up with a clear error after waitForOwnerMs, or owns the database once released', async () => {
    expect(owner.owned).toBe(true); // a cli owner, from the previous case
    await expect(openDb('server', 300)).rejects.toThrow(/still held by switchboard CLI process/);

    let settled = false;
    const server = openDb('server', 10_000).finally(() => {
      settled = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(settled).toBe(false);
    await owner.stop();
    owner = await server;
    expect(owner.owned).toBe(true);
    expect(JSON.parse(await fs.readFile(ownerFile(), 'utf8'))).toMatchObject({ pid: process.pid, role: 'server' });
    expect(await query(owner.url, 'select note from marker')).toEqual([{ note: 'kept' }]);
    await owner.stop();
  });

  it('after kill -9 of the owning process, the orphaned PostgreSQL is stopped cleanly and the data survives', async () => {
    child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'test/fixtures/hold-embedded-db.ts'), dataDir], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += String(chunk)));
    const opened = await new Promise<{ owned: boolean; url: string }>((resolve, reject) => {
      child!.stdout?.once('data', (chunk: Buffer) => resolve(JSON.parse(String(chunk)) as { owned: boolean; url: string }));
      child!.once('exit', (code) => reject(new Error(`fixture exited with ${code}: ${stderr}`)));
    });
    expect(opened.owned).toBe(true);
    await query(opened.url, "insert into marker values ('from the killed process')");
    const orphan = readPostmaster()!;

    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    expect(isProcessAlive(orphan.pid)).toBe(true); // kill -9 leaves the postmaster running
    expect(existsSync(ownerFile())).toBe(true);

    owner = await openDb('server');
    expect(owner.owned).toBe(true);
    expect(isProcessAlive(orphan.pid)).toBe(false);
    expect(logLines.some((l) => l.level === 'warn' && l.msg.includes('still running without its owner'))).toBe(true);
    // A clean stop, not crash recovery.
    expect(logLines.some((l) => l.msg.includes('was not properly shut down'))).toBe(false);
    expect(await query(owner.url, 'select note from marker order by note')).toEqual([
      { note: 'from the killed process' },
      { note: 'kept' },
    ]);
    await owner.stop();
  });

  it('ignores a stale postmaster.pid (dead pid) and an owner file left by an earlier process with our pid', async () => {
    const deadPid = spawnSync('true').pid;
    expect(isProcessAlive(deadPid)).toBe(false);
    await fs.writeFile(postmasterPidFile(), `${deadPid}\n${path.join(dataDir, 'pg')}\n1795324904\n5499\n`);
    if (isRoot) await fs.chown(postmasterPidFile(), (await fs.stat(path.join(dataDir, 'pg'))).uid, (await fs.stat(path.join(dataDir, 'pg'))).gid);
    // A container restart gives the new process the old pid: the file names us, but we never claimed it.
    await fs.writeFile(ownerFile(), JSON.stringify({ pid: process.pid, role: 'server', port: 5499, startedAt: '2026-01-01T00:00:00.000Z' }));

    const db = await openDb('server');
    expect(db.owned).toBe(true);
    expect(await query(db.url, 'select count(*)::int as n from marker')).toEqual([{ n: 2 }]);
    await db.stop();
    expect(existsSync(ownerFile())).toBe(false);
  });
});
