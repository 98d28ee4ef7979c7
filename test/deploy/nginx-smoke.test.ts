/**
 * A first cut of the nginx edge on loopback (OPS.md check 12, and 11's chunking): the rendered
 * template in front of one real `switchboard serve` child process (its own migrated PostgreSQL
 * database), nginx started as `nobody` with a temp prefix. Through nginx: /v1 streams pass chunk by
 * chunk, /metrics is denied, a too-large body gets the JSON 413, 30 parallel logins get nginx's JSON
 * 429, every security header appears exactly once (HSTS not at all on HTTP), the JSON access log
 * has no query-string secret; then `scripts/rolling-restart local` replaces the replica (upstream
 * down, reload, SIGTERM and drain, start, /readyz, upstream up, reload). A second nginx from the
 * same template with TLS on and a self-signed certificate: HSTS exactly once on HTTPS (the app's copy
 * hidden), none on HTTP, HTTP redirected except the ACME challenge and /nginx-health.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeProvider } from '../fakes/fake-server.js';
import { startFakeOpenAI } from '../fakes/openai.js';
import { freePort, waitForPort } from '../helpers/own-redis.js';
import { expectChunked, readArrivals } from '../helpers/stream-arrivals.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { asNonRoot, openUpForNobody, renderNginx, requireTool, ROOT, runTool, worldReadableTempDir } from './tools.js';

const run = promisify(execFile);
const BIN = path.join(ROOT, 'bin/switchboard.js');
const USER_KEY = 'sk-smoke-provider-key-000000000000000001';
const MASTER_KEY = randomBytes(32).toString('base64');
const QUERY_SECRET = 'sk-smoke-query-secret-0000000000000042';
const EMAIL = 'edge@example.com';
const PASSWORD = 'a long enough passphrase';
const MAX_BODY = 65_536;

let db: TestDatabase;
let fake: FakeProvider;
let dataDir: string;
let nginxDir: string;
/** A second nginx from the same template with TLS on, in front of the same replica. */
let tlsDir: string;
let tlsHttp: string;
let tlsHttps: string;
let env: NodeJS.ProcessEnv;
let appPort: number;
let edge: string;
let app: ChildProcess | undefined;
let appOutput = '';

const SECURITY_HEADERS = ['x-content-type-options', 'referrer-policy', 'x-frame-options', 'content-security-policy', 'x-request-id'];

interface RawResponse {
  status: number;
  /** Lower-cased header name -> every value it was sent with. */
  headers: Map<string, string[]>;
  body: string;
}

function request(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    // The TLS edge uses a self-signed certificate made for this test.
    const client = url.startsWith('https:') ? https : http;
    const req = client.request(url, { method: options.method ?? 'GET', headers: options.headers, agent: false, rejectUnauthorized: false }, (res) => {
      const headers = new Map<string, string[]>();
      for (let i = 0; i < res.rawHeaders.length; i += 2) {
        const name = res.rawHeaders[i]!.toLowerCase();
        headers.set(name, [...(headers.get(name) ?? []), res.rawHeaders[i + 1]!]);
      }
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

async function waitForReady(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await request(`${url}/readyz`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url}/readyz never answered 200:\n${appOutput}`);
}

function startNginx(dir: string): void {
  const nginx = requireTool('nginx');
  openUpForNobody(dir);
  // Daemonised: runuser returns once the master has forked; it is signalled through its pid file.
  const [command, args] = asNonRoot(nginx, ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', path.join(dir, 'logs', 'error.log')]);
  const started = runTool('setsid', [command, ...args]);
  expect(started.status, started.output).toBe(0);
}

function nginxPid(dir: string): number | undefined {
  const file = path.join(dir, 'run', 'nginx.pid');
  return existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : undefined;
}

async function startTlsEdge(): Promise<void> {
  const openssl = requireTool('openssl');
  tlsDir = worldReadableTempDir('sb-smoke-tls-');
  const [httpPort, httpsPort] = [await freePort(), await freePort()];
  const rendered = renderNginx(tlsDir, ['--tls', '--upstream', `127.0.0.1:${appPort}`], {
    SWITCHBOARD_NGINX_LISTEN: `127.0.0.1:${httpPort}`,
    SWITCHBOARD_NGINX_TLS_LISTEN: `127.0.0.1:${httpsPort}`,
    SWITCHBOARD_NGINX_MAX_BODY_BYTES: String(MAX_BODY),
  });
  expect(rendered.status, rendered.output).toBe(0);
  const certs = path.join(tlsDir, 'certs');
  const made = runTool(openssl, [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
    '-keyout', path.join(certs, 'privkey.pem'), '-out', path.join(certs, 'fullchain.pem'),
  ]);
  expect(made.status, made.output).toBe(0);
  mkdirSync(path.join(tlsDir, 'acme', '.well-known', 'acme-challenge'), { recursive: true });
  writeFileSync(path.join(tlsDir, 'acme', '.well-known', 'acme-challenge', 'smoke-token'), 'smoke-token.thumbprint');
  startNginx(tlsDir);
  await waitForPort(httpsPort);
  tlsHttp = `http://127.0.0.1:${httpPort}`;
  tlsHttps = `https://127.0.0.1:${httpsPort}`;
}

const accessLog = () =>
  readFileSync(path.join(nginxDir, 'logs', 'access.log'), 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, string | number>);

beforeAll(async () => {
  requireTool('nginx');
  if (!existsSync(path.join(ROOT, 'dist/main.js'))) throw new Error('dist/ is missing: run `npm run build` (npm test does) first');
  db = await createTestDatabase();
  fake = await startFakeOpenAI({ keys: [USER_KEY] });
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'sb-smoke-data-'));
  appPort = await freePort();
  env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    DATABASE_URL: db.url,
    DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    PORT: String(appPort),
    PUBLIC_URL: 'http://127.0.0.1',
    LOG_LEVEL: 'info',
    SWITCHBOARD_MASTER_KEY: MASTER_KEY,
    SWITCHBOARD_MAX_BODY_BYTES: String(MAX_BODY),
    SWITCHBOARD_OPENAI_BASE_URL: fake.baseUrl,
    SWITCHBOARD_ALLOW_PRIVATE_UPSTREAMS: 'true',
    SWITCHBOARD_SHUTDOWN_TIMEOUT_MS: '10000',
    SWITCHBOARD_JOBS_IN_SERVE: 'false',
  };
  app = spawn(process.execPath, [BIN, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  app.stdout!.on('data', (chunk: Buffer) => (appOutput += chunk.toString()));
  app.stderr!.on('data', (chunk: Buffer) => (appOutput += chunk.toString()));
  await waitForReady(`http://127.0.0.1:${appPort}`);

  nginxDir = worldReadableTempDir('sb-smoke-nginx-');
  const nginxPort = await freePort();
  const rendered = renderNginx(nginxDir, ['--upstream', `127.0.0.1:${appPort}`], {
    SWITCHBOARD_NGINX_LISTEN: `127.0.0.1:${nginxPort}`,
    SWITCHBOARD_NGINX_MAX_BODY_BYTES: String(MAX_BODY),
  });
  expect(rendered.status, rendered.output).toBe(0);
  startNginx(nginxDir);
  await waitForPort(nginxPort);
  edge = `http://127.0.0.1:${nginxPort}`;

  await run(process.execPath, [BIN, 'users', 'create', '--email', EMAIL, '--password', PASSWORD], { env });
}, 120_000);

afterAll(async () => {
  for (const dir of [nginxDir, tlsDir]) {
    const pid = dir ? nginxPid(dir) : undefined;
    if (!pid) continue;
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  if (app && app.exitCode === null) app.kill('SIGKILL');
  // The replica rolling-restart started is not our child: stop it through its pid file.
  const replicaPid = nginxDir ? path.join(nginxDir, 'pids', 'a.pid') : '';
  if (replicaPid && existsSync(replicaPid)) {
    try {
      process.kill(Number(readFileSync(replicaPid, 'utf8')), 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await fake?.close();
  await db?.drop();
  for (const dir of [dataDir, nginxDir, tlsDir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

async function login(): Promise<RawResponse> {
  return request(`${edge}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
  });
}

describe('nginx in front of one serve process', () => {
  it('answers /nginx-health itself and /readyz from the app, each security header exactly once, no HSTS on HTTP', async () => {
    const health = await request(`${edge}/nginx-health`);
    expect(health.status).toBe(200);
    expect(health.body).toBe('ok\n');

    const ready = await request(`${edge}/readyz`, { headers: { 'x-request-id': 'smoke-request-0001' } });
    expect(ready.status).toBe(200);
    for (const name of SECURITY_HEADERS) expect(ready.headers.get(name), name).toHaveLength(1);
    expect(ready.headers.get('x-request-id')).toEqual(['smoke-request-0001']);
    expect(ready.headers.has('strict-transport-security')).toBe(false);
    // server_tokens off: no version in the Server header.
    expect(ready.headers.get('server')?.[0]).toBe('nginx');
  });

  it('denies /metrics at the edge, while the replica serves it directly', async () => {
    const direct = await request(`http://127.0.0.1:${appPort}/metrics`);
    expect(direct.status).toBe(200);
    expect(direct.body).toMatch(/^# (HELP|TYPE) /m);
    for (const target of ['/metrics', '/metrics/', '/metrics?x=1']) {
      const metrics = await request(`${edge}${target}`);
      expect([403, 404], target).toContain(metrics.status);
      expect(metrics.body).not.toMatch(/# (HELP|TYPE) /);
    }
  });

  it('answers a body over the limit with the JSON 413, and lets one under it through to the app', async () => {
    const tooLarge = await request(`${edge}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openai/gpt-4o-mini', padding: 'x'.repeat(MAX_BODY) }),
    });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.headers.get('content-type')).toEqual(['application/json']);
    expect(JSON.parse(tooLarge.body)).toEqual({
      error: { message: `The request body exceeds ${MAX_BODY} bytes.`, type: 'invalid_request_error', code: 'payload_too_large', source: 'user', param: null },
    });
    expect(tooLarge.headers.get('x-content-type-options')).toEqual(['nosniff']);

    const small = await request(`${edge}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(small.status).toBe(401); // the app answered: no key
    expect(JSON.parse(small.body).error.code).toBeDefined();
  });

  it('passes a /v1 stream through chunk by chunk', async () => {
    const loggedIn = await login();
    expect(loggedIn.status).toBe(200);
    const token = (JSON.parse(loggedIn.body) as { access_token: string }).access_token;
    const integration = await request(`${edge}/api/integrations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ service: 'openai', api_key: USER_KEY }),
    });
    expect(integration.status, integration.body).toBe(201);
    expect(integration.body).not.toContain(USER_KEY);

    fake.enqueue({ kind: 'slow-stream', chunks: 10, intervalMs: 150 });
    const response = await fetch(`${edge}/v1/chat/completions?key=${QUERY_SECRET}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true }),
    });
    expect(response.status).toBe(200);
    // Unbuffered: the content events arrive as separate reads (a busy test machine may merge the
    // odd two), spread over the ~1.5 s the fake takes, not in one piece at the end.
    expectChunked(await readArrivals(response), { events: 10, minReads: 8, minSpreadMs: 900 });
  });

  it('gives 30 parallel logins from one IP at least one JSON 429 from nginx', async () => {
    const answers = await Promise.all(Array.from({ length: 30 }, () => login()));
    const limited = answers.filter((answer) => answer.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(1);
    for (const answer of limited) {
      expect(JSON.parse(answer.body).error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limited', source: 'user' });
      expect(answer.headers.get('retry-after')).toHaveLength(1);
      expect(answer.headers.get('x-content-type-options')).toEqual(['nosniff']);
    }
    // At least one of them never reached the app (nginx's limit_req answered).
    const fromEdge = accessLog().filter((line) => line.uri === '/api/auth/login' && line.status === 429 && line.upstream_addr === '');
    expect(fromEdge.length).toBeGreaterThanOrEqual(1);
  });

  it('writes a JSON access log with the request id and upstream, and no query-string secret', () => {
    const lines = accessLog();
    const ready = lines.find((line) => line.request_id === 'smoke-request-0001');
    expect(ready).toMatchObject({ method: 'GET', uri: '/readyz', status: 200, upstream_addr: `127.0.0.1:${appPort}`, upstream_status: '200' });
    const raw = readFileSync(path.join(nginxDir, 'logs', 'access.log'), 'utf8');
    for (const secret of [QUERY_SECRET, USER_KEY, MASTER_KEY, PASSWORD]) expect(raw).not.toContain(secret);
    for (const secret of [USER_KEY, MASTER_KEY, PASSWORD]) expect(appOutput).not.toContain(secret);
  });

  it('with TLS on: HTTPS serves with HSTS exactly once, HTTP redirects except ACME and /nginx-health', async () => {
    await startTlsEdge();
    const ready = await request(`${tlsHttps}/readyz`);
    expect(ready.status).toBe(200);
    // The app sees X-Forwarded-Proto https and sets HSTS too: nginx hides that copy and sends its own.
    expect(ready.headers.get('strict-transport-security')).toEqual(['max-age=31536000; includeSubDomains']);
    for (const name of SECURITY_HEADERS) expect(ready.headers.get(name), name).toHaveLength(1);
    // nginx's own answers on HTTPS carry it too, once.
    const tooLarge = await request(`${tlsHttps}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(MAX_BODY + 1) });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.headers.get('strict-transport-security')).toHaveLength(1);

    const redirected = await request(`${tlsHttp}/readyz?x=1`);
    expect(redirected.status).toBe(301);
    expect(redirected.headers.get('location')).toEqual(['https://127.0.0.1/readyz?x=1']);
    expect(redirected.headers.has('strict-transport-security')).toBe(false);
    const challenge = await request(`${tlsHttp}/.well-known/acme-challenge/smoke-token`);
    expect(challenge.status).toBe(200);
    expect(challenge.body).toBe('smoke-token.thumbprint');
    expect((await request(`${tlsHttp}/nginx-health`)).status).toBe(200);
  });

  it('rolling-restart local replaces the replica: drain, restart, ready, back in the upstream', async () => {
    const pids = path.join(nginxDir, 'pids');
    const upstreamFile = path.join(nginxDir, 'dynamic', 'upstream.conf');
    mkdirSync(pids, { recursive: true });
    writeFileSync(path.join(pids, 'a.pid'), String(app!.pid));
    const exited = new Promise<number | null>((resolve) => app!.once('exit', (code) => resolve(code)));

    const result = await run(path.join(ROOT, 'scripts/rolling-restart'), ['local'], {
      env: {
        ...env,
        SWITCHBOARD_RR_REPLICAS: `a=127.0.0.1:${appPort}`,
        SWITCHBOARD_RR_UPSTREAM_FILE: upstreamFile,
        SWITCHBOARD_RR_NGINX_PID_FILE: path.join(nginxDir, 'run', 'nginx.pid'),
        SWITCHBOARD_RR_PID_DIR: pids,
        SWITCHBOARD_RR_READY_TIMEOUT: '60',
      },
      timeout: 110_000,
    });
    // The old process drained and exited cleanly.
    expect(await exited).toBe(0);
    expect(appOutput).toContain('shutdown complete');
    expect(result.stderr).toMatch(/a drained in \d+ ms/);
    expect(result.stdout).toMatch(/\(a down\)[\s\S]*kill -HUP[\s\S]*kill -TERM[\s\S]*PORT=\d+ setsid node[\s\S]*wait for http:\/\/127\.0\.0\.1:\d+\/readyz[\s\S]*\(all up\)[\s\S]*kill -HUP/);
    // A new process serves, in the upstream again, through nginx.
    const newPid = Number(readFileSync(path.join(pids, 'a.pid'), 'utf8'));
    expect(newPid).not.toBe(app!.pid);
    expect(() => process.kill(newPid, 0)).not.toThrow();
    expect(readFileSync(upstreamFile, 'utf8')).toContain(`server 127.0.0.1:${appPort} max_fails=0;`);
    expect(readFileSync(upstreamFile, 'utf8')).not.toContain('down');
    expect((await request(`${edge}/readyz`)).status).toBe(200);
  }, 120_000);
});
