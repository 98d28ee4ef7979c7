/**
 * Check 14's "the same round trip works on the embedded default", through the real binary and no
 * DATABASE_URL: `switchboard serve` on DATA_DIR A with a tenant, a provider key (canary) and usage;
 * `switchboard backup` while that server runs (the CLI borrows the server's embedded PostgreSQL);
 * `switchboard restore` into a fresh DATA_DIR B (the CLI starts B's embedded PostgreSQL itself);
 * `switchboard serve` on B logs the tenant in and calls the provider with the restored key.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeProvider } from './fakes/fake-server.js';
import { openAIAnswer, startFakeOpenAI } from './fakes/openai.js';
import { assertBuilt, BIN, runCli } from './helpers/cli.js';

const CANARY = `sk-embedded-backup-canary-${randomBytes(12).toString('hex')}`;
const MASTER_KEY = randomBytes(32).toString('base64');
const PASSWORD = 'a long enough passphrase';

let fake: FakeProvider;
let work: string;
const children: ChildProcess[] = [];

const envFor = (dataDir: string) => ({
  DATA_DIR: dataDir,
  HOST: '127.0.0.1',
  PORT: '0',
  LOG_LEVEL: 'info',
  SWITCHBOARD_MASTER_KEY: MASTER_KEY,
  SWITCHBOARD_OPENAI_BASE_URL: fake.baseUrl,
  SWITCHBOARD_ALLOW_PRIVATE_UPSTREAMS: 'true',
  SWITCHBOARD_RATE_LIMIT_AUTH_PER_IP: '0',
});

async function serve(dataDir: string): Promise<{ url: string; stop: () => Promise<string> }> {
  const child = spawn(process.execPath, [BIN, 'serve'], { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...envFor(dataDir) }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    const match = /"url":"(http:\/\/127\.0\.0\.1:\d+)".*switchboard is serving/.exec(output);
    if (match?.[1]) {
      return {
        url: match[1],
        stop: async () => {
          child.kill('SIGTERM');
          await exited;
          return output;
        },
      };
    }
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`server did not start:\n${output}`);
}

async function login(url: string, email: string): Promise<string> {
  const response = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) });
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

beforeAll(async () => {
  assertBuilt();
  work = mkdtempSync(path.join(os.tmpdir(), 'switchboard-embedded-backup-'));
  // Run as root, the embedded PostgreSQL runs as the postgres user: it must traverse into DATA_DIR.
  chmodSync(work, 0o711);
  fake = await startFakeOpenAI({ keys: [CANARY] });
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await fake?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('backup and restore on the embedded default', () => {
  it('backs up a serving DATA_DIR and restores it into a new one whose server uses the restored key', async () => {
    const dirA = path.join(work, 'a');
    const dirB = path.join(work, 'b');
    const out = path.join(work, 'backups');
    const email = 'embedded-tenant@example.com';

    const a = await serve(dirA);
    const created = await runCli(['users', 'create', '--email', email, '--password', PASSWORD], envFor(dirA));
    expect(created.code, created.stderr).toBe(0);
    const tokenA = await login(a.url, email);
    const integration = await fetch(`${a.url}/api/integrations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokenA}` },
      body: JSON.stringify({ service: 'openai', api_key: CANARY }),
    });
    expect(integration.status).toBe(201);
    await new OpenAI({ apiKey: tokenA, baseURL: `${a.url}/v1`, maxRetries: 0 }).chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });

    const backup = await runCli(['backup', '--out', out], envFor(dirA));
    expect(backup.code, backup.stderr).toBe(0);
    const { dir, manifest } = JSON.parse(backup.stdout) as { dir: string; manifest: { engine: string; file: string; tables: Record<string, number> } };
    expect(manifest.engine).toBe('rows');
    expect(manifest.tables).toMatchObject({ users: 1, integrations: 1, data_keys: 1 });
    expect(gunzipSync(readFileSync(path.join(dir, manifest.file))).toString('utf8')).not.toContain(CANARY);
    const outputA = await a.stop();

    const restore = await runCli(['restore', dir], envFor(dirB));
    expect(restore.code, restore.stderr).toBe(0);
    expect(JSON.parse(restore.stdout)).toMatchObject({ engine: 'rows', tables: manifest.tables });

    const b = await serve(dirB);
    const tokenB = await login(b.url, email);
    const before = fake.requests.length;
    const answer = await new OpenAI({ apiKey: tokenB, baseURL: `${b.url}/v1`, maxRetries: 0 }).chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    expect(answer.choices[0]?.message.content).toBe(openAIAnswer(1));
    expect(fake.requests.slice(before).map((request) => request.headers.authorization)).toEqual([`Bearer ${CANARY}`]);
    const outputB = await b.stop();
    for (const text of [outputA, outputB, backup.stdout, backup.stderr, restore.stdout, restore.stderr]) {
      expect(text).not.toContain(CANARY);
      expect(text).not.toContain(MASTER_KEY);
    }
  }, 240_000);
});
