/**
 * OPS.md check 10 on the loopback stack: `scripts/rolling-restart local` replaces replica a, then
 * b, then restarts the worker, while the official `openai` SDK (its default retries) keeps 8
 * requests in flight through nginx, half of them streaming with a usage chunk requested:
 * 0 SDK errors, 0 × 5xx in nginx's JSON access log, 0 truncated streams, usage rows equal to
 * completed requests (none lost, none twice), and each process drained within its timeout (the
 * script logs each drain time). A second pass opens a fresh connection per request (no keep-alive,
 * no SDK retries) and must see 0 transport errors.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import OpenAI from 'openai';
import { Agent, fetch as undiciFetch } from 'undici';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../deploy/tools.js';
import { queryRows } from '../helpers/test-database.js';
import { api, REPLICAS, SHUTDOWN_TIMEOUT_MS, waitFor, type StackContext } from './harness.js';

const run = promisify(execFile);
const CONCURRENCY = 8;

interface LoadResult {
  completed: number;
  errors: string[];
  truncated: number;
  streams: number;
}

/**
 * 8 loops until `stop()`: even loops stream (with a usage chunk requested), odd ones do not. With
 * several clients (one per tenant), successive requests go round the clients.
 */
export function startLoad(clients: OpenAI | OpenAI[]) {
  const pool = Array.isArray(clients) ? clients : [clients];
  const result: LoadResult = { completed: 0, errors: [], truncated: 0, streams: 0 };
  let running = true;
  const loop = async (index: number) => {
    const streaming = index % 2 === 0;
    for (let n = index; running; n += CONCURRENCY) {
      const client = pool[n % pool.length]!;
      try {
        const messages = [{ role: 'user' as const, content: `load ${index}` }];
        if (streaming) {
          const stream = await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages, stream: true, stream_options: { include_usage: true } });
          let finished = false;
          let usage = false;
          for await (const chunk of stream) {
            if (chunk.choices[0]?.finish_reason) finished = true;
            if (chunk.usage) usage = true;
          }
          result.streams += 1;
          if (!finished || !usage) result.truncated += 1;
        } else {
          const completion = await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages });
          if (!completion.usage || !completion.choices[0]?.message.content) throw new Error('a completion without usage or content');
        }
        result.completed += 1;
      } catch (error) {
        result.errors.push(String(error));
      }
    }
  };
  const loops = Array.from({ length: CONCURRENCY }, (_, index) => loop(index));
  return {
    result,
    async stop() {
      running = false;
      await Promise.all(loops);
      return result;
    },
  };
}

/** nginx's access log from line `logFrom` on: at least `completed` /v1 requests, none answered 5xx. */
export async function expectNoServerErrors(ctx: StackContext, logFrom: number, completed: number): Promise<void> {
  const { stack } = ctx;
  // nginx logs a request after its last byte went out: the client can be a moment ahead of the log.
  const servedSince = () => stack.accessLog().slice(logFrom).filter((line) => String(line.uri).startsWith('/v1/'));
  await waitFor('the access log to catch up', () => (servedSince().length >= completed ? true : undefined), 5_000, 100).catch(() => undefined);
  const served = servedSince();
  expect(served.length).toBeGreaterThanOrEqual(completed);
  expect(served.filter((line) => Number(line.status) >= 500)).toEqual([]);
}

async function usageRowsOf(ctx: StackContext, keyId: string): Promise<number> {
  const rows = await queryRows<{ n: string }>(ctx.stack.database.url, 'select count(*) as n from usage_records where key_id = $1', [keyId]);
  return Number(rows[0]!.n);
}

/** `scripts/rolling-restart local` on the stack, with the stack's current environment. */
export async function rollingRestart(ctx: StackContext): Promise<{ stdout: string; stderr: string }> {
  const { stack } = ctx;
  const address = (name: 'a' | 'b') => new URL(stack.replica[name]).host;
  return run(path.join(ROOT, 'scripts/rolling-restart'), ['local'], {
    env: {
      ...stack.env,
      SWITCHBOARD_RR_REPLICAS: REPLICAS.map((name) => `${name}=${address(name)}`).join(' '),
      SWITCHBOARD_RR_UPSTREAM_FILE: path.join(stack.nginxDir, 'dynamic', 'upstream.conf'),
      SWITCHBOARD_RR_NGINX_PID_FILE: path.join(stack.nginxDir, 'run', 'nginx.pid'),
      SWITCHBOARD_RR_PID_DIR: path.join(stack.dir, 'pids'),
      SWITCHBOARD_RR_LOG_DIR: path.join(stack.dir, 'logs'),
      SWITCHBOARD_RR_START_COMMAND: path.join(stack.dir, 'start-process'),
      SWITCHBOARD_RR_WORKER_START_COMMAND: path.join(stack.dir, 'start-process'),
      SWITCHBOARD_RR_WORKER_HEALTH_URL: `${stack.workerHealth}/healthz`,
      SWITCHBOARD_RR_READY_TIMEOUT: '60',
      SWITCHBOARD_RR_STOP_TIMEOUT: String(SHUTDOWN_TIMEOUT_MS / 1000 + 10),
    },
    timeout: 150_000,
  });
}

/** One pass: load through nginx, a rolling restart under it, then the load's and the log's verdict. */
async function passUnderRestart(ctx: StackContext, keyName: string, client: (key: string) => OpenAI) {
  const { stack, owner } = ctx;
  const created = await api(stack.edge, '/api/keys', { token: owner.token, body: { name: keyName } });
  expect(created.status, created.body).toBe(201);
  const key = created.json<{ id: string; key: string }>();
  const pidsBefore = { a: stack.pidOf('a'), b: stack.pidOf('b'), worker: stack.pidOf('worker') };
  const logFrom = stack.accessLog().length;

  const load = startLoad(client(key.key));
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  const restart = await rollingRestart(ctx).catch((error: { stdout?: string; stderr?: string; message: string }) => {
    throw new Error(`rolling-restart failed: ${error.message}\n${error.stdout ?? ''}\n${error.stderr ?? ''}`);
  });
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  const result = await load.stop();

  // Every process was replaced, and each drained within its timeout (the script logs how long).
  for (const name of ['a', 'b', 'worker'] as const) {
    expect(stack.pidOf(name), name).not.toBe(pidsBefore[name]);
    const drained = new RegExp(`${name} drained in (\\d+) ms`).exec(restart.stderr);
    expect(drained, `${name}'s drain time in:\n${restart.stderr}`).not.toBeNull();
    expect(Number(drained![1])).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
  }
  expect(restart.stderr).not.toMatch(/SIGKILL|aborting/);

  expect(result.errors).toEqual([]);
  expect(result.completed).toBeGreaterThan(40);
  expect(result.streams).toBeGreaterThan(10);
  expect(result.truncated).toBe(0);
  await expectNoServerErrors(ctx, logFrom, result.completed);
  // Every completed request metered exactly once (the drained replicas flushed their spools).
  await waitFor('usage rows to settle', async () => ((await usageRowsOf(ctx, key.id)) >= result.completed ? true : undefined), 15_000, 200).catch(() => undefined);
  expect(await usageRowsOf(ctx, key.id)).toBe(result.completed);
  const drains = [...restart.stderr.matchAll(/(\S+) drained in (\d+) ms/g)].map((match) => `${match[1]} ${match[2]} ms`).join(', ');
  console.info(`[stack] ${keyName}: ${result.completed} requests completed (${result.streams} streams), drains: ${drains}`);
  return result;
}

export function rollingRestartChecks(ctx: () => StackContext): void {
  describe('rolling restart under load (check 10)', () => {
    it('replaces a, b and the worker under SDK load: 0 errors, 0 5xx, 0 truncated streams, usage exact', async () => {
      const { stack } = ctx();
      await passUnderRestart(ctx(), 'load', (key) => new OpenAI({ apiKey: key, baseURL: `${stack.edge}/v1` }));
    }, 150_000);

    it('a second pass with a fresh connection per request (no keep-alive, no retries) sees 0 transport errors', async () => {
      const { stack } = ctx();
      // pipelining 0: undici opens a connection per request and closes it after the response.
      const dispatcher = new Agent({ pipelining: 0 });
      const freshConnectionFetch = ((url: string, init?: Record<string, unknown>) => undiciFetch(url, { ...init, dispatcher })) as unknown as typeof fetch;
      try {
        await passUnderRestart(ctx(), 'load-fresh-connections', (key) =>
          new OpenAI({ apiKey: key, baseURL: `${stack.edge}/v1`, maxRetries: 0, fetch: freshConnectionFetch }),
        );
      } finally {
        await dispatcher.close();
      }
    }, 150_000);
  });
}
