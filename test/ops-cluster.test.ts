/**
 * `switchboard serve --workers 2` as a real child process on the embedded database (OPS.md 4.1,
 * 4.3; checks 10's drain and 18's aggregation):
 * - /metrics through any worker aggregates both workers' counters (requests on fresh
 *   connections are spread over the workers; the aggregate counts every one);
 * - SIGHUP replaces both workers one at a time while requests keep flowing: none fails;
 * - SIGTERM under streaming load: every in-flight stream ends with [DONE], readiness turns 503
 *   (or new connections are refused), and the process exits 0 within the shutdown timeout.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeProvider } from './fakes/fake-server.js';
import { startFakeOpenAI } from './fakes/openai.js';

const run = promisify(execFile);
const BIN = path.resolve('bin/switchboard.js');
const USER_KEY = 'sk-cluster-user-key-canary-000000000001';
const SHUTDOWN_TIMEOUT_MS = 20_000;

let dataDir: string;
let fake: FakeProvider;
let child: ChildProcess;
let output = '';
let exited: Promise<number | null>;
let url: string;
let token: string;

/** A GET on a fresh connection (no keep-alive), so the cluster spreads them over the workers. */
function freshGet(target: string): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    http
      .get(target, { agent: false, timeout: 10_000, headers: { connection: 'close' } }, (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body, headers: response.headers }));
      })
      .on('timeout', function (this: http.ClientRequest) {
        this.destroy(new Error(`no response from ${target} within 10 s`));
      })
      .on('error', reject);
  });
}

const countOf = (metrics: string, pattern: RegExp): number =>
  metrics
    .split('\n')
    .filter((line) => pattern.test(line))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);

async function waitForOutput(pattern: RegExp, ms: number): Promise<RegExpExecArray> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const match = pattern.exec(output);
    if (match) return match;
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no ${pattern} in:\n${output.slice(-4000)}`);
}

const streamChat = async (): Promise<string> => {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true }),
  });
  expect(response.status).toBe(200);
  return response.text();
};

beforeAll(async () => {
  if (!existsSync(path.resolve('dist/main.js'))) throw new Error('dist/ is missing: run `npm run build` (npm test does) first');
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-cluster-'));
  fake = await startFakeOpenAI({ keys: [USER_KEY] });
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    SWITCHBOARD_OPENAI_BASE_URL: fake.baseUrl,
    SWITCHBOARD_ALLOW_PRIVATE_UPSTREAMS: 'true',
    SWITCHBOARD_SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
  };
  child = spawn(process.execPath, [BIN, 'serve', '--workers', '2'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  url = (await waitForOutput(/"url":"(http:\/\/127\.0\.0\.1:\d+)"[^\n]*switchboard cluster is serving/, 90_000))[1]!;

  await run(process.execPath, [BIN, 'users', 'create', '--email', 'cluster@example.com', '--password', 'a long enough passphrase'], { env });
  const login = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'cluster@example.com', password: 'a long enough passphrase' }),
  });
  token = ((await login.json()) as { access_token: string }).access_token;
  const integration = await fetch(`${url}/api/integrations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ service: 'openai', api_key: USER_KEY }),
  });
  expect(integration.status).toBe(201);
}, 150_000);

afterAll(async () => {
  if (process.env.SWITCHBOARD_TEST_DEBUG) process.stderr.write(output);
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await fake?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('serve --workers 2', () => {
  it('aggregates both workers’ counters in /metrics', async () => {
    for (let index = 0; index < 20; index += 1) {
      const response = await freshGet(`${url}/healthz`);
      expect(response.status).toBe(200);
    }
    // Each worker's own registry saw about half; the aggregate, all 20.
    const metrics = (await freshGet(`${url}/metrics`)).body;
    expect(countOf(metrics, /^http_server_request_duration_seconds_count\{[^}]*route="\/healthz"/)).toBe(20);
    // Build info is one series, not one per worker; a counter is summed.
    expect(metrics.split('\n').filter((line) => line.startsWith('switchboard_build_info{'))).toHaveLength(1);
    const [, first, second] = /"pids":\[(\d+),(\d+)\][^\n]*cluster is serving/.exec(output)!;
    expect(first).not.toBe(second);
    expect(metrics).not.toContain(USER_KEY);
  }, 60_000);

  it('reloads the workers one at a time on SIGHUP with no failed request', async () => {
    const before = /"pids":\[(\d+),(\d+)\][^\n]*cluster is serving/.exec(output)!;
    const oldPids = [before[1], before[2]];
    let stop = false;
    const failures: string[] = [];
    let served = 0;
    const load = (async () => {
      while (!stop) {
        try {
          const response = await freshGet(`${url}/healthz`);
          if (response.status === 200) served += 1;
          else failures.push(String(response.status));
        } catch (error) {
          failures.push(String(error));
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    child.kill('SIGHUP');
    const after = await waitForOutput(/"pids":\[(\d+),(\d+)\][^\n]*rolling reload complete/, 90_000);
    stop = true;
    await load;
    expect(failures).toEqual([]);
    expect(served).toBeGreaterThan(0);
    expect([after[1], after[2]].some((pid) => oldPids.includes(pid))).toBe(false);
  }, 120_000);

  it('drains on SIGTERM: every in-flight stream ends with [DONE], readiness turns 503, exit 0 within the timeout', async () => {
    for (let index = 0; index < 6; index += 1) fake.enqueue({ kind: 'slow-stream', chunks: 10, intervalMs: 200 });
    const streams = Array.from({ length: 6 }, () => streamChat());
    // Let every stream reach the fake before the signal.
    const deadline = Date.now() + 10_000;
    while (fake.requests.filter((request) => (request.body as { stream?: boolean } | undefined)?.stream === true).length < 6 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    const signalledAt = Date.now();
    child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const probe = await freshGet(`${url}/readyz`).then(
      (response) => `status ${response.status} ${response.headers.connection ?? ''}`,
      (error: unknown) => `refused ${String(error)}`,
    );
    expect(probe).toMatch(/^(status 503 close|refused)/);
    const bodies = await Promise.all(streams);
    for (const body of bodies) {
      expect(body.trimEnd().endsWith('data: [DONE]')).toBe(true);
      expect(body.match(/chat\.completion\.chunk/g)?.length ?? 0).toBeGreaterThanOrEqual(10);
    }
    expect(await exited).toBe(0);
    expect(Date.now() - signalledAt).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
    expect(output).toContain('cluster stopped');
    expect(output).not.toContain(USER_KEY);
  }, 90_000);
});
