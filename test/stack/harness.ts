/**
 * The loopback production stack (OPS.md Part 5, item 10): the topology of deploy/docker-compose.yml
 * from Debian packages and the built CLI, all on 127.0.0.1 free ports:
 *
 *   client ─▶ nginx (the deploy template, as nobody) ─▶ serve "a", serve "b" ─┬▶ PostgreSQL (a fresh
 *                                                       worker ───────────────┤   database, through a
 *                                                                              │   TCP fault proxy)
 *                                                                              └▶ Redis (its own)
 *   fake OpenAI (chat), fake Anthropic behind an HTTP fault proxy, fake video task API, SMTP capture
 *
 * `serve` and `worker` run as `nobody` (setpriv, so the pid is node's own and a SIGTERM reaches it)
 * against the repository, which nobody cannot write; each has a DATA_DIR of its own. They start
 * through `start-process` in the stack directory, the same command `scripts/rolling-restart local`
 * is given (SWITCHBOARD_RR_START_COMMAND), and keep their pid in pids/NAME.pid and their log in
 * logs/NAME.log. `stop()` tears everything down and is safe to call after a partial start.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { startFakeAnthropic } from '../fakes/anthropic.js';
import type { FakeProvider } from '../fakes/fake-server.js';
import { startFakeOpenAI } from '../fakes/openai.js';
import { startFakeOpenAIVideos, type FakeOpenAIVideos } from '../fakes/openai-videos.js';
import { startDatabaseProxy } from '../helpers/database-proxy.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { freePort, startOwnRedis, waitForPort, type OwnRedis } from '../helpers/own-redis.js';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { asNonRoot, openUpForNobody, renderNginx, requireTool, ROOT, runTool, worldReadableTempDir } from '../deploy/tools.js';

export const BIN = path.join(ROOT, 'bin/switchboard.js');
export const NOBODY_UID = 65534;
export const OPENAI_KEYS = ['sk-stack-openai-key-000000000000000000001', 'sk-stack-openai-key-000000000000000000002'] as const;
export const ANTHROPIC_KEY = 'sk-ant-stack-key-0000000000000000000000003';
export const VIDEO_KEY = 'sk-stack-video-key-00000000000000000000004';
/** 20 tenants' provider keys for the master-key rotation (check 16): random, so a leak is a canary. */
export const CANARY_OPENAI_KEYS = Array.from({ length: 20 }, (_, i) => `sk-stack-canary-${i}-${randomBytes(12).toString('hex')}`);
export const PASSWORD = 'a long enough stack passphrase';
/** Below rolling-restart's stop timeout; the drain of a replica with streams in flight fits in it. */
export const SHUTDOWN_TIMEOUT_MS = 20_000;
/** Polls of the fake video API before a task completes (the worker polls every 200 ms). */
export const VIDEO_POLLS_TO_COMPLETE = 12;
export const REPLICAS = ['a', 'b'] as const;
export type ReplicaName = (typeof REPLICAS)[number];

export interface Stack {
  /** nginx's HTTP address: what clients use. */
  edge: string;
  /** Each replica's own address (its /metrics, and checks that must hit one replica). */
  replica: Record<ReplicaName, string>;
  workerHealth: string;
  dir: string;
  nginxDir: string;
  database: TestDatabase;
  /** The TCP proxy every process reaches PostgreSQL through (`down()` plays an outage). */
  databaseProxy: Awaited<ReturnType<typeof startDatabaseProxy>>;
  redis: OwnRedis;
  openai: FakeProvider;
  anthropic: FakeProvider;
  /** In front of the Anthropic fake: plays its failures and counts what reaches it. */
  anthropicProxy: FaultProxy;
  videos: FakeOpenAIVideos;
  smtp: SmtpCapture;
  /** The master key the stack started with (K1 of the rotation check). */
  masterKey: string;
  /**
   * The environment every process of the stack gets (also what rolling-restart runs with). A check
   * that changes it in place (the master keys of check 16) changes what `start()` runs with too.
   */
  env: NodeJS.ProcessEnv;
  /** Milliseconds from the first process spawned until /readyz answered 200 through nginx. */
  readyAfterMs: number;
  /** The pid of a process start-process started (a replica, the worker, or one a check added). */
  pidOf(name: string): number;
  log(name: ReplicaName | 'worker'): string;
  accessLog(): Array<Record<string, string | number>>;
  /** Starts `serve` (a replica) or the worker as nobody, the way rolling-restart does. */
  start(name: ReplicaName | 'worker'): Promise<void>;
  /** Creates a verified user with the CLI (against the real database) and logs in through nginx. */
  createUser(options?: { admin?: boolean }): Promise<{ email: string; token: string }>;
  stop(): Promise<void>;
}

/** A request on a connection of its own (optionally from another loopback source address). */
export function request(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string; localAddress?: string; timeoutMs?: number } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: options.method ?? 'GET', headers: options.headers, agent: false, localAddress: options.localAddress, timeout: options.timeoutMs ?? 15_000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${url}: no answer within ${options.timeoutMs ?? 15_000} ms`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A JSON API call through `base` (nginx or one replica). */
export async function api(
  base: string,
  pathname: string,
  init: { method?: string; token?: string; body?: unknown; headers?: Record<string, string>; localAddress?: string } = {},
) {
  const response = await request(`${base}${pathname}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: {
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...init.headers,
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    localAddress: init.localAddress,
  });
  return { ...response, json: <T>() => JSON.parse(response.body) as T };
}

/** Polls `check` until it answers a value; fails with `what` past the deadline. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined> | T | undefined, ms = 30_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

export const isAlive = (pid: number): boolean => {
  try {
    // A zombie (exited, not yet reaped by its parent) still answers signal 0: read its state.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
};

/** The sum of a counter's samples in Prometheus text whose line matches `pattern`. */
export const metricSum = (metrics: string, pattern: RegExp): number =>
  metrics
    .split('\n')
    .filter((line) => !line.startsWith('#') && pattern.test(line))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);

// The command that starts a stack process as nobody, for the harness and for rolling-restart:
// `start-process NAME HOST PORT` (a replica) or `start-process worker`. setpriv execs (no fork),
// so $! is node's pid and a SIGTERM to it is the drain, not a shell's.
const START_SCRIPT = `#!/bin/sh
set -eu
name=$1
if [ "$name" = worker ]; then command=worker; else command=serve; export HOST="$2" PORT="$3"; fi
export DATA_DIR="$SWITCHBOARD_STACK_DIR/data/$name"
mkdir -p "$DATA_DIR"
chown ${NOBODY_UID}:${NOBODY_UID} "$DATA_DIR"
chmod 0700 "$DATA_DIR"
setsid setpriv --reuid=${NOBODY_UID} --regid=${NOBODY_UID} --clear-groups \\
  node "$SWITCHBOARD_STACK_BIN" "$command" >>"$SWITCHBOARD_STACK_DIR/logs/$name.log" 2>&1 </dev/null &
echo $! >"$SWITCHBOARD_STACK_DIR/pids/$name.pid"
`;

export async function startStack(): Promise<Stack> {
  requireTool('nginx');
  if (process.getuid?.() !== 0) throw new Error('the stack suite runs serve and worker as nobody: run it as root (CI does, through .ci/run)');
  if (!existsSync(path.join(ROOT, 'dist/main.js'))) throw new Error('dist/ is missing: run `npm run build` (npm test does) first');

  const cleanups: Array<() => Promise<void> | void> = [];
  const stop = async () => {
    // The processes first, so none of them is left talking to a Redis or database being removed.
    stopProcessesNow();
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch {
        // keep tearing down the rest
      }
    }
  };
  // A test runner that exits mid-suite still takes the stack's processes and nginx down with it.
  const killOnExit = () => stopProcessesNow();
  process.once('exit', killOnExit);
  cleanups.push(() => void process.removeListener('exit', killOnExit));

  const dir = worldReadableTempDir('sb-stack-');
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  for (const sub of ['pids', 'logs', 'data']) mkdirSync(path.join(dir, sub), { mode: 0o755 });
  const startScript = path.join(dir, 'start-process');
  writeFileSync(startScript, START_SCRIPT, { mode: 0o755 });

  const processNames = [...REPLICAS, 'worker'] as const;
  const pidFile = (name: string) => path.join(dir, 'pids', `${name}.pid`);
  const pidOf = (name: string) => Number(readFileSync(pidFile(name), 'utf8').trim());
  let nginxPidFile: string | undefined;
  function stopProcessesNow(): void {
    const signal = (file: string | undefined, name: NodeJS.Signals) => {
      if (!file || !existsSync(file)) return;
      try {
        process.kill(Number(readFileSync(file, 'utf8').trim()), name);
      } catch {
        // already gone
      }
    };
    for (const name of processNames) signal(pidFile(name), 'SIGKILL');
    // nginx's master takes its workers down on SIGTERM (a SIGKILL would orphan them).
    signal(nginxPidFile, 'SIGTERM');
  }

  try {
    const database = await createTestDatabase();
    cleanups.push(() => database.drop());
    const databaseProxy = await startDatabaseProxy(database.url);
    cleanups.push(() => databaseProxy.close());
    const redis = await startOwnRedis();
    cleanups.push(() => redis.kill());
    const openai = await startFakeOpenAI({ keys: [...OPENAI_KEYS, ...CANARY_OPENAI_KEYS], streamIntervalMs: 40 });
    cleanups.push(() => openai.close());
    const anthropic = await startFakeAnthropic({ keys: [ANTHROPIC_KEY] });
    cleanups.push(() => anthropic.close());
    const anthropicProxy = await startFaultProxy(new URL(anthropic.baseUrl).origin);
    cleanups.push(() => anthropicProxy.close());
    const videos = await startFakeOpenAIVideos({ keys: [VIDEO_KEY], pollsToComplete: VIDEO_POLLS_TO_COMPLETE });
    cleanups.push(() => videos.close());
    const smtp = await startSmtpCapture();
    cleanups.push(() => smtp.close());

    const [portA, portB, workerPort, nginxPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const replica: Record<ReplicaName, string> = { a: `http://127.0.0.1:${portA}`, b: `http://127.0.0.1:${portB}` };
    const edge = `http://127.0.0.1:${nginxPort}`;
    const masterKey = randomBytes(32).toString('base64');
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: '/tmp',
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      DATABASE_URL: databaseProxy.url,
      REDIS_URL: redis.url,
      SWITCHBOARD_MASTER_KEY: masterKey,
      PUBLIC_URL: edge,
      SMTP_URL: smtp.url,
      // The schema is migrated (the template database); compose runs `migrate` as a one-shot too.
      SWITCHBOARD_MIGRATE_ON_START: 'false',
      // Only nginx is a trusted proxy: a client on another loopback address is a client.
      SWITCHBOARD_TRUSTED_PROXIES: '127.0.0.1/32',
      SWITCHBOARD_SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
      SWITCHBOARD_JOBS_IN_SERVE: 'false',
      SWITCHBOARD_WORKER_HEALTH_PORT: String(workerPort),
      SWITCHBOARD_OPENAI_BASE_URL: openai.baseUrl,
      SWITCHBOARD_ANTHROPIC_BASE_URL: `${anthropicProxy.origin}${new URL(anthropic.baseUrl).pathname.replace(/\/$/, '')}`,
      SWITCHBOARD_ALLOW_PRIVATE_UPSTREAMS: 'true',
      SWITCHBOARD_KEY_CHECK_ON_SAVE: 'false',
      SWITCHBOARD_RETRY_MAX_ATTEMPTS: '1',
      SWITCHBOARD_BREAKER_FAILURES: '3',
      SWITCHBOARD_BREAKER_COOLDOWN_MS: '60000',
      SWITCHBOARD_VIDEO_POLL_INTERVAL_MS: '200',
      SWITCHBOARD_USAGE_FLUSH_INTERVAL_MS: '200',
      SWITCHBOARD_STACK_DIR: dir,
      SWITCHBOARD_STACK_BIN: BIN,
    };

    const start = async (name: ReplicaName | 'worker') => {
      const port = name === 'a' ? portA : name === 'b' ? portB : undefined;
      const args = port === undefined ? [name] : [name, '127.0.0.1', String(port)];
      const started = runTool(startScript, args, { env });
      if (started.status !== 0) throw new Error(`start-process ${args.join(' ')} failed: ${started.output}`);
    };

    const startedAt = Date.now();
    for (const name of processNames) await start(name);
    for (const name of REPLICAS) {
      await waitFor(`replica ${name} /readyz`, async () => ((await request(`${replica[name]}/readyz`).catch(() => undefined))?.status === 200 ? true : undefined), 60_000, 100).catch((error: Error) => {
        throw new Error(`${error.message}\n${readLog(dir, name).slice(-3000)}`);
      });
    }

    const nginxDir = worldReadableTempDir('sb-stack-nginx-');
    cleanups.push(() => rmSync(nginxDir, { recursive: true, force: true }));
    const rendered = renderNginx(nginxDir, ['--upstream', `127.0.0.1:${portA},127.0.0.1:${portB}`], { SWITCHBOARD_NGINX_LISTEN: `127.0.0.1:${nginxPort}` });
    if (rendered.status !== 0) throw new Error(`render-nginx failed: ${rendered.output}`);
    openUpForNobody(nginxDir);
    const [command, args] = asNonRoot(requireTool('nginx'), ['-p', nginxDir, '-c', path.join(nginxDir, 'nginx.conf'), '-e', path.join(nginxDir, 'logs', 'error.log')]);
    const nginx = runTool('setsid', [command, ...args]);
    if (nginx.status !== 0) throw new Error(`nginx did not start: ${nginx.output}`);
    nginxPidFile = path.join(nginxDir, 'run', 'nginx.pid');
    await waitForPort(nginxPort);
    await waitFor('/readyz through nginx', async () => ((await request(`${edge}/readyz`).catch(() => undefined))?.status === 200 ? true : undefined), 60_000, 100);
    const readyAfterMs = Date.now() - startedAt;
    await waitFor('the worker /healthz', async () => ((await request(`http://127.0.0.1:${workerPort}/healthz`).catch(() => undefined))?.status === 200 ? true : undefined), 60_000, 100);

    return {
      edge,
      replica,
      workerHealth: `http://127.0.0.1:${workerPort}`,
      dir,
      nginxDir,
      database,
      databaseProxy,
      redis,
      openai,
      anthropic,
      anthropicProxy,
      videos,
      smtp,
      masterKey,
      env,
      readyAfterMs,
      pidOf,
      log: (name) => readLog(dir, name),
      accessLog: () =>
        readFileSync(path.join(nginxDir, 'logs', 'access.log'), 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as Record<string, string | number>),
      start,
      async createUser(options = {}) {
        const email = `stack-${randomBytes(4).toString('hex')}@example.com`;
        const created = spawnSync(process.execPath, [BIN, 'users', 'create', '--email', email, '--password', PASSWORD, ...(options.admin ? ['--admin'] : [])], {
          env: {
            PATH: process.env.PATH,
            HOME: '/tmp',
            DATABASE_URL: database.url,
            SWITCHBOARD_MASTER_KEY: env.SWITCHBOARD_MASTER_KEY,
            ...(env.SWITCHBOARD_MASTER_KEYS_PREVIOUS ? { SWITCHBOARD_MASTER_KEYS_PREVIOUS: env.SWITCHBOARD_MASTER_KEYS_PREVIOUS } : {}),
            LOG_LEVEL: 'warn',
          },
          encoding: 'utf8',
          timeout: 60_000,
        });
        if (created.status !== 0) throw new Error(`users create failed: ${created.stderr}`);
        const login = await api(edge, '/api/auth/login', { body: { email, password: PASSWORD } });
        if (login.status !== 200) throw new Error(`login failed: ${login.status} ${login.body}`);
        return { email, token: login.json<{ access_token: string }>().access_token };
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function readLog(dir: string, name: string): string {
  const file = path.join(dir, 'logs', `${name}.log`);
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

/** Whether `uid` may write into `dir` (asked as that user, so permissions and ownership both count). */
export function canWrite(uid: number, dir: string): boolean {
  const probe = spawnSync('setpriv', [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', 'sh', '-c', `touch "$1/.stack-write-probe" 2>/dev/null && rm -f "$1/.stack-write-probe"`, 'sh', dir]);
  return probe.status === 0;
}

export interface StackUser {
  email: string;
  token: string;
}

/** What the checks share: the running stack and the users the suite set up. */
export interface StackContext {
  stack: Stack;
  /** A platform admin with an OpenAI and an Anthropic integration. */
  owner: StackUser;
  /** A second user, with no provider key of their own (the team member of check 8, the tenants of check 16). */
  member: StackUser;
}

/** A chat completion request body for the fake OpenAI. */
export const chatBody = (extra: Record<string, unknown> = {}) => JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], ...extra });

/** POST /v1/chat/completions through `base` with `credential`, on a connection of its own. */
export const chat = (base: string, credential: string, model = 'openai/gpt-4o-mini') =>
  request(`${base}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${credential}` },
    body: chatBody({ model }),
  });
