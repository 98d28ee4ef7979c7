/**
 * Issue 5, "a video job started before a restart of server and worker completes after it".
 *
 * 1. Production shape: `switchboard serve` and `switchboard worker` as real processes (the built
 *    CLI) sharing PostgreSQL and Redis (BullMQ). The job is submitted and being polled by the
 *    worker when both processes are stopped; new ones finish it — by polling the stored provider
 *    task, never submitting it again — and meter it once.
 * 2. Embedded default (no Redis): the in-process runner of `serve`; the server is restarted on the
 *    same database and resumes the job.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAIVideos, type FakeOpenAIVideos } from '../fakes/openai-videos.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { testRedisUrl } from '../helpers/test-redis.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const run = promisify(execFile);
const BIN = path.resolve('bin/switchboard.js');
const USER_KEY = 'sk-restart-video-key-00000000000000000001';
const POLLS_TO_COMPLETE = 14;

interface Proc {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function start(command: 'serve' | 'worker', env: NodeJS.ProcessEnv): Proc {
  const child = spawn(process.execPath, [BIN, command], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitFor<T>(what: string, check: () => Promise<T | undefined> | T | undefined, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function serve(env: NodeJS.ProcessEnv): Promise<Proc & { url: string }> {
  const proc = start('serve', env);
  const url = await waitFor('serve to listen', () => {
    if (proc.child.exitCode !== null) throw new Error(`serve exited:\n${proc.output()}`);
    return /"url":"(http:\/\/127\.0\.0\.1:\d+)".*switchboard is serving/.exec(proc.output())?.[1];
  }, 60_000);
  return { ...proc, url };
}

async function worker(env: NodeJS.ProcessEnv): Promise<Proc> {
  const proc = start('worker', env);
  await waitFor('the worker to run', () => {
    if (proc.child.exitCode !== null) throw new Error(`worker exited:\n${proc.output()}`);
    return proc.output().includes('switchboard worker is running') ? true : undefined;
  }, 60_000);
  return proc;
}

async function stop(proc: Proc): Promise<number | null> {
  proc.child.kill('SIGTERM');
  return proc.exited;
}

const sdk = (url: string, token: string) => new OpenAI({ apiKey: token, baseURL: `${url}/v1`, maxRetries: 0 });

let fake: FakeOpenAIVideos;

beforeAll(async () => {
  if (!existsSync(path.resolve('dist/main.js'))) throw new Error('dist/ is missing: run `npm run build` (npm test does) first');
  fake = await startFakeOpenAIVideos({ keys: [USER_KEY], pollsToComplete: POLLS_TO_COMPLETE });
});

afterAll(async () => {
  await fake?.close();
});

describe('with Redis: serve + worker processes', () => {
  let database: TestDatabase;
  let env: NodeJS.ProcessEnv;
  const procs: Proc[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      DATABASE_URL: database.url,
      REDIS_URL: testRedisUrl(),
      SWITCHBOARD_MASTER_KEY: randomBytes(32).toString('base64'),
      SWITCHBOARD_OPENAI_BASE_URL: fake.baseUrl,
      SWITCHBOARD_VIDEO_POLL_INTERVAL_MS: '150',
      SWITCHBOARD_USAGE_FLUSH_INTERVAL_MS: '50',
      SWITCHBOARD_RATE_LIMIT_API_PER_IP: '0',
      SWITCHBOARD_RATE_LIMIT_AUTH_PER_IP: '0',
      // The worker's /healthz and /metrics on a free port (8081 by default).
      SWITCHBOARD_WORKER_HEALTH_PORT: '0',
    };
  });

  afterAll(async () => {
    if (process.env.VIDEO_RESTART_DEBUG) for (const proc of procs) console.log(proc.output());
    for (const proc of procs) if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
    await database?.drop();
  });

  it('completes a job that was being polled when both were restarted, without submitting it twice', async () => {
    const server1 = await serve(env);
    const worker1 = await worker(env);
    procs.push(server1, worker1);
    // The worker's health port: Redis and the job consumer checked, its own metrics.
    const healthPort = /"health_port":(\d+)/.exec(worker1.output())?.[1];
    const health = await fetch(`http://127.0.0.1:${healthPort}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', checks: { redis: 'ok', jobs: 'ok' } });
    const workerMetrics = await fetch(`http://127.0.0.1:${healthPort}/metrics`);
    expect(await workerMetrics.text()).toContain('switchboard_build_info');
    const email = `restart-${randomBytes(4).toString('hex')}@example.com`;
    await run(process.execPath, [BIN, 'users', 'create', '--email', email, '--password', 'a long enough passphrase'], { env });
    const login = await fetch(`${server1.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'a long enough passphrase' }),
    });
    const token = ((await login.json()) as { access_token: string }).access_token;
    const integration = await fetch(`${server1.url}/api/integrations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ service: 'openai', api_key: USER_KEY }),
    });
    expect(integration.status).toBe(201);

    const created = await sdk(server1.url, token).videos.create({ model: 'openai/sora-2', prompt: 'Restart-proof waves', seconds: '4' });
    await waitFor('the job to make progress', async () => {
      const video = await sdk(server1.url, token).videos.retrieve(created.id);
      return video.status === 'in_progress' && video.progress > 0 ? video : undefined;
    });
    expect(await stop(worker1)).toBe(0);
    expect(await stop(server1)).toBe(0);
    // The worker, not the server, runs jobs when Redis is configured. (Info lines reach stdout in
    // batches; a process that exited has written them all.)
    expect(worker1.output()).toContain('video job submitted to the provider');
    expect(server1.output()).not.toContain('video job submitted');
    const task = [...fake.tasks.values()].at(-1)!;
    expect(task.polls).toBeLessThan(POLLS_TO_COMPLETE);

    const server2 = await serve(env);
    const worker2 = await worker(env);
    procs.push(server2, worker2);
    const finished = await waitFor('the job to finish after the restart', async () => {
      const video = await sdk(server2.url, token).videos.retrieve(created.id);
      return video.status === 'completed' || video.status === 'failed' ? video : undefined;
    });
    expect(finished).toMatchObject({ status: 'completed', progress: 100, seconds: '4' });
    expect(fake.requests.filter((request) => request.method === 'POST')).toHaveLength(1);

    const usage = await waitFor('the usage row', async () => {
      const response = await fetch(`${server2.url}/api/usage?limit=10`, { headers: { authorization: `Bearer ${token}` } });
      const rows = ((await response.json()) as { data: Array<{ operation: string; video_seconds: number | null; status: number }> }).data;
      const video = rows.filter((row) => row.operation === 'video');
      return video.length > 0 ? video : undefined;
    });
    expect(usage).toEqual([expect.objectContaining({ video_seconds: 4, status: 200 })]);
    for (const proc of [server2, worker2]) {
      expect(await stop(proc)).toBe(0);
      expect(proc.output()).not.toContain(USER_KEY);
    }
    expect(worker2.output()).toContain('video job resumed: polling the provider task');
    expect(worker1.output()).not.toContain(USER_KEY);
  }, 120_000);
});

describe('embedded default: the in-process runner of serve', () => {
  let database: TestDatabase;
  let server: TestServer | undefined;

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await server?.close();
    await database?.drop();
  });

  it('resumes a job after the server restarts on the same database', async () => {
    const env = {
      SWITCHBOARD_MASTER_KEY: randomBytes(32).toString('base64'),
      SWITCHBOARD_OPENAI_BASE_URL: fake.baseUrl,
      SWITCHBOARD_VIDEO_POLL_INTERVAL_MS: '100',
    };
    const first = await startTestServer(env, { database });
    const user = await first.signIn();
    expect((await first.api('/api/integrations', { token: user.token, body: { service: 'openai', api_key: USER_KEY } })).status).toBe(201);
    const created = await sdk(first.url, user.token).videos.create({ model: 'openai/sora-2', prompt: 'In-process waves', seconds: '8' });
    await waitFor('the job to make progress', async () => {
      const video = await sdk(first.url, user.token).videos.retrieve(created.id);
      return video.progress > 0 ? video : undefined;
    });
    const posts = fake.requests.filter((request) => request.method === 'POST').length;
    await first.close();

    server = await startTestServer(env, { database });
    const finished = await waitFor('the job to finish after the restart', async () => {
      const video = await sdk(server!.url, user.token).videos.retrieve(created.id);
      return video.status === 'completed' || video.status === 'failed' ? video : undefined;
    });
    expect(finished).toMatchObject({ status: 'completed', seconds: '8' });
    expect(fake.requests.filter((request) => request.method === 'POST')).toHaveLength(posts);
    expect(server.logs.text()).toContain('video job resumed: polling the provider task');
  });
});
