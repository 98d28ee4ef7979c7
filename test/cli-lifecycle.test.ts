/**
 * The newcomer's path, through the real `switchboard` binary on the embedded database:
 * `switchboard serve`, `switchboard users create` while the server runs (the CLI borrows the
 * server's database), log in, store a key, call through the official SDK, then SIGTERM during
 * a stream: the stream finishes, usage is flushed, the process exits 0, and a restart on the
 * same DATA_DIR shows the usage.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeProvider } from './fakes/fake-server.js';
import { startFakeOpenAI } from './fakes/openai.js';

const run = promisify(execFile);
const BIN = path.resolve('bin/switchboard.js');
const USER_KEY = 'sk-lifecycle-user-key-0000000000000001';

let dataDir: string;
let fake: FakeProvider;
let env: NodeJS.ProcessEnv;

interface Served {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

async function serve(): Promise<Served> {
  const child = spawn(process.execPath, [BIN, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const match = /"url":"(http:\/\/127\.0\.0\.1:\d+)".*switchboard is serving/.exec(output);
    if (match?.[1]) return { child, url: match[1], output: () => output, exited };
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`server did not start:\n${output}`);
}

async function stop(served: Served): Promise<number | null> {
  served.child.kill('SIGTERM');
  return served.exited;
}

async function login(url: string, email: string, password: string): Promise<string> {
  const response = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

beforeAll(async () => {
  if (!existsSync(path.resolve('dist/main.js'))) throw new Error('dist/ is missing: run `npm run build` (npm test does) first');
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-cli-'));
  fake = await startFakeOpenAI({ keys: [USER_KEY] });
  env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    SWITCHBOARD_OPENAI_BASE_URL: fake.baseUrl,
    SWITCHBOARD_ALLOW_PRIVATE_UPSTREAMS: 'true',
    SWITCHBOARD_SHUTDOWN_TIMEOUT_MS: '20000',
  };
});

afterAll(async () => {
  await fake?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('switchboard CLI on the embedded database', () => {
  it('prints help listing its commands', async () => {
    const { stdout } = await run(process.execPath, [BIN, '--help'], { env });
    for (const command of ['serve', 'migrate', 'users', 'keys']) expect(stdout).toContain(command);
  });

  it('serves, creates a user while serving, proxies with the user’s key, and drains on SIGTERM', async () => {
    const first = await serve();
    try {
      expect(first.output()).toContain('DEVELOPMENT MODE');
      const created = await run(process.execPath, [BIN, 'users', 'create', '--email', 'Newcomer@Example.com', '--password', 'a long enough passphrase'], { env });
      expect(JSON.parse(created.stdout)).toMatchObject({ email: 'newcomer@example.com', email_verified: true });

      const token = await login(first.url, 'newcomer@example.com', 'a long enough passphrase');
      const integration = await fetch(`${first.url}/api/integrations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ service: 'openai', api_key: USER_KEY }),
      });
      expect(integration.status).toBe(201);

      const client = new OpenAI({ apiKey: token, baseURL: `${first.url}/v1`, maxRetries: 0 });
      const answer = await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
      expect(answer.choices[0]?.message.content).toBe('Hello from fake-openai (key #1).');

      // A slow stream is in flight when SIGTERM arrives: it must finish, not be cut.
      fake.enqueue({ kind: 'slow-stream', chunks: 8, intervalMs: 150 });
      const { data: stream, response } = await client.chat.completions
        .create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true })
        .withResponse();
      const streamedRequestId = response.headers.get('x-request-id');
      let text = '';
      let signalled = false;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? '';
        if (!signalled) {
          signalled = true;
          first.child.kill('SIGTERM');
        }
      }
      // The fake pads a slow stream to exactly 8 content chunks: all 8 must arrive.
      expect(text).toMatch(/^Hello from fake-openai \(key #1\)\..*\(8\)$/);
      expect(await first.exited).toBe(0);
      expect(first.output()).toContain('shutdown complete');

      const second = await serve();
      try {
        const usage = await fetch(`${second.url}/api/usage`, {
          headers: { authorization: `Bearer ${await login(second.url, 'newcomer@example.com', 'a long enough passphrase')}` },
        });
        const { data } = (await usage.json()) as { data: Array<{ request_id: string; status: number; stream: boolean; output_tokens: number }> };
        expect(data).toHaveLength(2);
        expect(data.find((row) => row.request_id === streamedRequestId)).toMatchObject({ status: 200, stream: true });
      } finally {
        expect(await stop(second)).toBe(0);
      }
    } finally {
      if (first.child.exitCode === null) first.child.kill('SIGKILL');
    }
  }, 120_000);
});
