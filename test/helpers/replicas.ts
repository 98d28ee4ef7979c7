/**
 * Two server processes as replicas: one database, one Redis (the test Redis unless `REDIS_URL`
 * is given), one master key; everything else from `env`. `close()` stops both and drops the database.
 */
import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from './test-database.js';
import { testRedisUrl } from './test-redis.js';
import { startTestServer, type TestServer } from './test-server.js';

export interface Replicas {
  a: TestServer;
  b: TestServer;
  database: TestDatabase;
  close(): Promise<void>;
}

export async function startReplicas(env: Record<string, string>): Promise<Replicas> {
  const database = await createTestDatabase();
  const shared = { REDIS_URL: testRedisUrl(), SWITCHBOARD_MASTER_KEY: randomBytes(32).toString('base64'), ...env };
  const a = await startTestServer(shared, { database });
  const b = await startTestServer(shared, { database });
  return {
    a,
    b,
    database,
    async close() {
      await a.close();
      await b.close();
      await database.drop();
    },
  };
}
