/**
 * Starts the real server (`startServer`, the code `switchboard serve` runs) on 127.0.0.1:0
 * against a database of its own, with logs captured in memory, plus helpers to act as a user.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/platform/logger.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { createLogCapture } from './log-capture.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export interface TestServer {
  url: string;
  running: RunningServer;
  database: TestDatabase;
  logs: ReturnType<typeof createLogCapture>;
  masterKey: string;
  /** Create a verified user and log in; returns the access token. */
  signIn(email?: string, password?: string): Promise<{ token: string; refreshToken: string; userId: string; email: string }>;
  api(path: string, init?: { method?: string; token?: string; body?: unknown; headers?: Record<string, string> }): Promise<Response>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  /** Share another server's database (multi-replica tests); the caller drops it. */
  database?: TestDatabase;
}

export async function startTestServer(env: Record<string, string> = {}, options: TestServerOptions = {}): Promise<TestServer> {
  const ownsDatabase = options.database === undefined;
  const database = options.database ?? (await createTestDatabase());
  const logs = createLogCapture();
  const masterKey = randomBytes(32).toString('base64');
  // Each server its own DATA_DIR (the usage spool lives there), unless the test names one.
  const dataDir = env.DATA_DIR ?? mkdtempSync(path.join(os.tmpdir(), 'switchboard-test-data-'));
  const config = loadConfig({
    DATA_DIR: dataDir,
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_URL: database.url,
    SWITCHBOARD_MASTER_KEY: masterKey,
    SWITCHBOARD_SHUTDOWN_TIMEOUT_MS: '5000',
    SWITCHBOARD_USAGE_FLUSH_INTERVAL_MS: '50',
    LOG_LEVEL: 'debug',
    // Tests sign many users in from 127.0.0.1: per-IP limits are off unless a test sets its own.
    SWITCHBOARD_RATE_LIMIT_API_PER_IP: '0',
    SWITCHBOARD_RATE_LIMIT_AUTH_PER_IP: '0',
    // Saving an integration checks its key with the provider: off unless a test points it at a fake.
    SWITCHBOARD_KEY_CHECK_ON_SAVE: 'false',
    // Retries and circuit breakers (issue 6) would change what one-shot provider tests see (many
    // users share one fake endpoint): off unless a test sets its own (see test/app/routing.test.ts).
    SWITCHBOARD_RETRY_MAX_ATTEMPTS: '1',
    SWITCHBOARD_BREAKER_FAILURES: '1000000',
    SWITCHBOARD_BREAKER_FAILURE_RATE: '0',
    // Likewise the auto-disable policy (decision 0032): provider tests send many rejected keys on
    // purpose. Off unless a test sets its own (see test/app/integration-auto-disable.test.ts).
    SWITCHBOARD_AUTO_DISABLE_ERRORS: '0',
    ...env,
  });
  const running = await startServer(config, createLogger({ level: config.logLevel, destination: logs.stream }));
  const url = running.url;

  const api: TestServer['api'] = (path, init = {}) =>
    fetch(`${url}${path}`, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: {
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        ...init.headers,
      },
      ...(init.body === undefined ? {} : { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }),
    });

  return {
    url,
    running,
    database,
    logs,
    masterKey,
    api,
    async signIn(email = `user-${randomBytes(4).toString('hex')}@example.com`, password = 'correct horse battery staple') {
      const user = await running.services.accounts.createUser({ email, password, verified: true });
      const response = await api('/api/auth/login', { body: { email, password } });
      if (response.status !== 200) throw new Error(`login failed: ${response.status} ${await response.text()}`);
      const tokens = (await response.json()) as { access_token: string; refresh_token: string };
      return { token: tokens.access_token, refreshToken: tokens.refresh_token, userId: user.id, email };
    },
    async close() {
      await running.shutdown('test finished');
      if (ownsDatabase) await database.drop();
      if (env.DATA_DIR === undefined) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
