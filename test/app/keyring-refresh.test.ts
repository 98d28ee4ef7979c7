/**
 * `keys rotate-master` tells the replicas on Redis that data keys were rewrapped: their
 * `switchboard_wrapped_keys` gauge (and keyring readiness, which reads the same counts) recount at
 * once instead of when their 10 s cache lapses.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMasterKey } from '../../src/vault/keyring.js';
import type { FakeProvider } from '../fakes/fake-server.js';
import { startFakeOpenAI } from '../fakes/openai.js';
import { assertBuilt, runCli } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { testRedisUrl } from '../helpers/test-redis.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const K1 = randomBytes(32).toString('base64');
const K2 = randomBytes(32).toString('base64');
const K1_ID = parseMasterKey(K1, 'K1').id;
const K2_ID = parseMasterKey(K2, 'K2').id;
const PROVIDER_KEY = `sk-refresh-canary-${randomBytes(12).toString('hex')}`;
const PASSWORD = 'correct horse battery staple';

let fake: FakeProvider;
let database: TestDatabase;
let redisUrl: string;
let work: string;
let replica: TestServer | undefined;

/** switchboard_wrapped_keys per kek_id, as this replica's /metrics reports it. */
async function wrapped(server: TestServer): Promise<Record<string, number>> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const counts: Record<string, number> = {};
  for (const match of text.matchAll(/^switchboard_wrapped_keys\{kek_id="([^"]+)"\} (\S+)$/gm)) counts[match[1]!] = Number(match[2]);
  return counts;
}

beforeAll(async () => {
  assertBuilt();
  work = mkdtempSync(path.join(os.tmpdir(), 'switchboard-keyring-refresh-'));
  fake = await startFakeOpenAI({ keys: [PROVIDER_KEY] });
  database = await createTestDatabase();
  redisUrl = testRedisUrl();
  // A tenant whose data key is wrapped under K1.
  const first = await startTestServer({ SWITCHBOARD_OPENAI_BASE_URL: fake.baseUrl, SWITCHBOARD_MASTER_KEY: K1 }, { database });
  try {
    await first.running.services.accounts.createUser({ email: 'refresh@example.com', password: PASSWORD, verified: true });
    const login = (await (await first.api('/api/auth/login', { body: { email: 'refresh@example.com', password: PASSWORD } })).json()) as { access_token: string };
    expect((await first.api('/api/integrations', { token: login.access_token, body: { service: 'openai', api_key: PROVIDER_KEY } })).status).toBe(201);
  } finally {
    await first.close();
  }
});

afterAll(async () => {
  await replica?.close();
  await database?.drop();
  await fake?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('keys rotate-master on Redis', () => {
  it('makes every replica recount its wrapped keys at once, not after its 10 s cache', async () => {
    replica = await startTestServer(
      { SWITCHBOARD_OPENAI_BASE_URL: fake.baseUrl, SWITCHBOARD_MASTER_KEY: K2, SWITCHBOARD_MASTER_KEYS_PREVIOUS: K1, REDIS_URL: redisUrl },
      { database },
    );
    const before = await wrapped(replica);
    expect(before[K1_ID], 'the replica counted (and cached) the rows under K1').toBeGreaterThan(0);

    const rotate = await runCli(['keys', 'rotate-master'], {
      DATABASE_URL: database.url,
      DATA_DIR: path.join(work, 'data'),
      NODE_ENV: 'production',
      SWITCHBOARD_MASTER_KEY: K2,
      SWITCHBOARD_MASTER_KEYS_PREVIOUS: K1,
      REDIS_URL: redisUrl,
    });
    expect(rotate.code, rotate.stderr).toBe(0);
    expect(JSON.parse(rotate.stdout)).toMatchObject({ remaining: 0 });
    const announcedAt = Date.now();

    let after = await wrapped(replica);
    while ((after[K1_ID] ?? 0) > 0 && Date.now() - announcedAt < 3_000) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      after = await wrapped(replica);
    }
    expect(after[K1_ID] ?? 0, 'K1 rows still counted 3 s after the rotation: the replica waited for its cache').toBe(0);
    expect(after[K2_ID]).toBe(before[K1_ID]! + (before[K2_ID] ?? 0));
    expect(rotate.stdout + rotate.stderr).not.toContain(PROVIDER_KEY);
  });
});
