/**
 * Abuse limits on authentication (issue 4): per-IP limits on /api/auth/* and /api/*, 401s
 * anywhere (including /v1) drawing from the per-IP bucket while authenticated /v1 calls do not,
 * and per-account backoff after failed logins, identical for unknown emails. The last block runs
 * the auth limit against a real Redis when SWITCHBOARD_TEST_REDIS_URL is set.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testRedisUrl } from '../helpers/test-redis.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const PASSWORD = 'correct horse battery staple';

interface ErrorBody {
  error: { code: string; type: string; source: string };
}

const newEmail = () => `user-${randomBytes(4).toString('hex')}@example.com`;

async function expectRateLimited(response: Response) {
  expect(response.status).toBe(429);
  const retryAfter = Number(response.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(((await response.json()) as ErrorBody).error).toMatchObject({ code: 'rate_limited', type: 'rate_limit_error', source: 'user' });
  return retryAfter;
}

/** Six auth requests at once from one IP under a limit of 5/s: exactly one is refused. */
async function sixAuthRequests(server: TestServer) {
  const responses = await Promise.all(
    Array.from({ length: 6 }, () => server.api('/api/auth/forgot-password', { body: { email: newEmail() } })),
  );
  const limited = responses.filter((response) => response.status === 429);
  expect(responses.filter((response) => response.status === 202)).toHaveLength(5);
  expect(limited).toHaveLength(1);
  await expectRateLimited(limited[0]!);
}

describe('per-IP limit on /api/auth/*', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ SWITCHBOARD_RATE_LIMIT_AUTH_PER_IP: '5', SWITCHBOARD_RATE_LIMIT_API_PER_IP: '0' });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('refuses the 6th auth request within a second with 429 and Retry-After', async () => {
    await sixAuthRequests(server);
    // Other /api endpoints do not draw from the auth bucket.
    expect((await server.api('/api/me')).status).toBe(401);
    // The window is a second: after it, auth requests pass again.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await server.api('/api/auth/forgot-password', { body: { email: newEmail() } })).status).toBe(202);
  });
});

describe('per-IP limit on /api/* and on failed authentication', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ SWITCHBOARD_RATE_LIMIT_API_PER_IP: '3', SWITCHBOARD_RATE_LIMIT_AUTH_PER_IP: '0' });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('limits /api/* per IP with a burst allowance of twice the rate', async () => {
    const responses = await Promise.all(Array.from({ length: 8 }, () => server.api('/api/me')));
    const statuses = responses.map((response) => response.status);
    // 3/s plus a burst of 3 more: six pass (as 401s: no token), the rest are refused.
    expect(statuses.filter((status) => status === 401)).toHaveLength(6);
    expect(statuses.filter((status) => status === 429)).toHaveLength(2);
    await expectRateLimited(responses.find((response) => response.status === 429)!);
  });

  it('draws failed /v1 authentications from the per-IP bucket, but never limits authenticated /v1 calls', async () => {
    // A fresh one-second window and burst: wait out the previous test's.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const session = await (async () => {
      const email = newEmail();
      await server.running.services.accounts.createUser({ email, password: PASSWORD, verified: true });
      // Login itself is an /api request; it may be refused while the bucket is drained, so retry after the window.
      for (let attempt = 0; attempt < 20; attempt += 1) {
        const response = await server.api('/api/auth/login', { body: { email, password: PASSWORD } });
        if (response.status === 200) return (await response.json()) as { access_token: string };
        await new Promise((resolve) => setTimeout(resolve, 1_100));
      }
      throw new Error('could not log in');
    })();

    const anonymous = () =>
      server.api('/v1/chat/completions', { body: { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }, token: 'not-a-token' });
    const statuses: number[] = [];
    for (let i = 0; i < 12; i += 1) statuses.push((await anonymous()).status);
    expect(statuses).toContain(401);
    expect(statuses).toContain(429);
    expect(statuses.slice(statuses.indexOf(429)).every((status) => status === 429)).toBe(true);
    await expectRateLimited(await anonymous());

    // Authenticated AI calls from the same (exhausted) IP are not limited per IP.
    for (let i = 0; i < 10; i += 1) {
      const response = await server.api('/v1/chat/completions', {
        body: { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] },
        token: session.access_token,
      });
      expect(response.status).not.toBe(429);
      expect(response.status).not.toBe(401);
    }
  });
});

describe('per-account backoff after failed logins', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  const login = (email: string, password: string) => server.api('/api/auth/login', { body: { email, password } });

  it('blocks an account after 5 failures with 429 and Retry-After, also for the right password', async () => {
    const email = newEmail();
    await server.running.services.accounts.createUser({ email, password: PASSWORD, verified: true });
    for (let i = 0; i < 5; i += 1) expect((await login(email, `wrong password ${i}`)).status).toBe(401);
    const retryAfter = await expectRateLimited(await login(email, PASSWORD));
    expect(retryAfter).toBeGreaterThanOrEqual(20);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    // Other accounts from the same IP are unaffected.
    const other = newEmail();
    await server.running.services.accounts.createUser({ email: other, password: PASSWORD, verified: true });
    expect((await login(other, PASSWORD)).status).toBe(200);
  });

  it('a successful login clears the failure count', async () => {
    const email = newEmail();
    await server.running.services.accounts.createUser({ email, password: PASSWORD, verified: true });
    for (let i = 0; i < 4; i += 1) expect((await login(email, 'wrong password')).status).toBe(401);
    expect((await login(email, PASSWORD)).status).toBe(200);
    for (let i = 0; i < 4; i += 1) expect((await login(email, 'wrong password')).status).toBe(401);
    expect((await login(email, PASSWORD)).status).toBe(200);
  });

  it('treats unknown emails exactly like existing ones', async () => {
    const existing = newEmail();
    await server.running.services.accounts.createUser({ email: existing, password: PASSWORD, verified: true });
    const unknown = newEmail();
    for (let i = 0; i < 5; i += 1) {
      const a = await login(existing, 'wrong password');
      const b = await login(unknown, 'wrong password');
      expect(a.status).toBe(401);
      expect(await a.text()).toBe(await b.text());
    }
    const a = await login(existing, 'wrong password');
    const b = await login(unknown, 'wrong password');
    expect(a.status).toBe(429);
    expect(b.status).toBe(429);
    expect(a.headers.get('retry-after')).toBe(b.headers.get('retry-after'));
    expect(await a.text()).toBe(await b.text());
  });

  it('grows the block exponentially after it ends, capped, and never permanently', async () => {
    const { createLoginBackoff } = await import('../../src/accounts/login-backoff.js');
    const backoff = createLoginBackoff(undefined, { failuresBeforeBlock: 2, windowSeconds: 60, baseBlockSeconds: 1, maxBlockSeconds: 2 });
    const retryAfterOf = async () => {
      try {
        await backoff.check('a@example.com');
        return 0;
      } catch (error) {
        return (error as { retryAfterSeconds: number }).retryAfterSeconds;
      }
    };
    await backoff.recordFailure('a@example.com');
    expect(await retryAfterOf()).toBe(0);
    await backoff.recordFailure('a@example.com');
    const first = await retryAfterOf();
    expect(first).toBeGreaterThan(0.5);
    expect(first).toBeLessThanOrEqual(1);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await retryAfterOf()).toBe(0);
    // One more failure after a block blocks again at once, for twice as long (the cap here).
    await backoff.recordFailure('a@example.com');
    const second = await retryAfterOf();
    expect(second).toBeGreaterThan(1.5);
    expect(second).toBeLessThanOrEqual(2);
    await backoff.reset('A@example.com ');
    expect(await retryAfterOf()).toBe(0);
  });
});

describe('limits shared through Redis', () => {
  it('counts the per-IP auth limit in Redis, so every replica shares it', async () => {
    const redisUrl = testRedisUrl();
    const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    const env = { REDIS_URL: redisUrl, SWITCHBOARD_RATE_LIMIT_AUTH_PER_IP: '5' };
    // Two replicas on one Redis: three requests on one and three on the other still make six.
    const [one, two] = await Promise.all([startTestServer(env), startTestServer(env)]);
    try {
      await redis.del('sb:ip-auth:127.0.0.1');
      const responses = await Promise.all(
        Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? one : two).api('/api/auth/forgot-password', { body: { email: newEmail() } })),
      );
      expect(responses.filter((response) => response.status === 429)).toHaveLength(1);
      await expectRateLimited(responses.find((response) => response.status === 429)!);
      expect(await redis.exists('sb:ip-auth:127.0.0.1')).toBe(1);
    } finally {
      await Promise.all([one.close(), two.close()]);
      redis.disconnect();
    }
  });
});
