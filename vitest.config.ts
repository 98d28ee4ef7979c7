import { defineConfig } from 'vitest/config';

/**
 * Projects:
 * - unit: pure tests beside the code (src/**).
 * - integration: servers, fakes and the embedded PostgreSQL (test/**, except test/e2e).
 * - e2e: the web app's journeys in a real Chromium (test/e2e/*.e2e.test.ts), one file at a time.
 * - integration-pg15: the app-level tests (test/app/**) again against an external PostgreSQL
 *   (SWITCHBOARD_TEST_DATABASE_URL; .ci/run starts a Debian PostgreSQL 15 for it). When CI requires
 *   services and the URL is missing, the run fails here rather than silently testing less.
 * - stack: the loopback production stack (test/stack/: nginx, two `serve` replicas and a `worker`
 *   as nobody, Redis, fakes) on that PostgreSQL 15, or on the embedded one when there is none.
 *   One file, one stack, checks in order (some stop processes or cut the database); it runs after
 *   every other project, alone.
 */
const externalDatabase = process.env.SWITCHBOARD_TEST_DATABASE_URL;
if (!externalDatabase && process.env.SWITCHBOARD_TEST_REQUIRE_SERVICES === '1') {
  throw new Error('SWITCHBOARD_TEST_REQUIRE_SERVICES=1 but SWITCHBOARD_TEST_DATABASE_URL is not set: the PostgreSQL 15 tests cannot run.');
}
if (!externalDatabase) {
  console.warn('[switchboard tests] SWITCHBOARD_TEST_DATABASE_URL is not set: app tests run on the embedded PostgreSQL only (.ci/run adds PostgreSQL 15).');
}

export default defineConfig({
  test: {
    // Integration tests start real servers and PostgreSQL; keep the 2-core machine from thrashing.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 120_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['src/**/*.test.ts'] } },
      { extends: true, test: { name: 'web', include: ['web/src/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: ['test/e2e/**', 'test/stack/**'],
          globalSetup: ['test/global-setup.ts'],
          env: { SWITCHBOARD_TEST_DB_TARGET: 'embedded' },
        },
      },
      // The web app's journeys in Debian's Chromium (test/e2e/harness.ts); files one at a time.
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.e2e.test.ts'],
          globalSetup: ['test/global-setup.ts'],
          env: { SWITCHBOARD_TEST_DB_TARGET: 'embedded' },
          fileParallelism: false,
          // A page that renders in 100 ms on a quiet machine can take seconds on 2 busy cores:
          // expect.poll's default 1 s made journeys flaky under load (it polls, it does not sleep).
          expect: { poll: { timeout: 10_000 } },
        },
      },
      {
        extends: true,
        test: {
          name: 'stack',
          include: ['test/stack/**/*.test.ts'],
          globalSetup: ['test/global-setup.ts'],
          env: { SWITCHBOARD_TEST_DB_TARGET: externalDatabase ? 'external' : 'embedded' },
          fileParallelism: false,
          // Its own group, after every other project: its timing checks (a limit window of 1 s,
          // invalidation within 1 s) get the whole 2-core machine instead of sharing it.
          sequence: { groupOrder: 1 },
          testTimeout: 90_000,
          hookTimeout: 180_000,
        },
      },
      ...(externalDatabase
        ? [
            {
              extends: true as const,
              test: {
                name: 'integration-pg15',
                include: ['test/app/**/*.test.ts'],
                globalSetup: ['test/global-setup.ts'],
                env: { SWITCHBOARD_TEST_DB_TARGET: 'external' },
              },
            },
          ]
        : []),
    ],
  },
});
