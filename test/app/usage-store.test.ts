/** The usage writer's batch insert against real PostgreSQL: values round-trip, replays insert nothing. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createUsageStore, type NewUsageRecord } from '../../src/metering/usage.store.js';
import { newId } from '../../src/platform/ids.js';
import { connectDatabase, type DatabaseHandle } from '../../src/store/db.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

let database: TestDatabase;
let handle: DatabaseHandle;

beforeAll(async () => {
  database = await createTestDatabase();
  handle = connectDatabase(database.url, { maxConnections: 2 });
});

afterAll(async () => {
  await handle?.close();
  await database?.drop();
});

const row = (overrides: Partial<NewUsageRecord> = {}): NewUsageRecord => ({
  id: newId(),
  requestId: `req_${newId()}`,
  userId: 'user-1',
  service: 'openai',
  model: 'gpt-4o-mini',
  operation: 'chat',
  priced: true,
  status: 200,
  latencyMs: 52,
  ...overrides,
});

it('writes a batch with every column, keeps unknowns null, and ignores replays by request id', async () => {
  const store = createUsageStore(handle.db);
  const full = row({
    teamId: 'team-1', keyId: 'key-1', integrationId: 'int-1', stream: true, inputTokens: 12, outputTokens: 7,
    cachedInputTokens: 3, costMicros: 9_007_199_254, estimated: true, errorCode: 'provider_error', errorSource: 'provider',
    fallback: true, ttftMs: 4, createdAt: new Date('2026-11-01T10:00:00.000Z'),
  });
  const sparse = row({ priced: false, status: 499 });
  expect(await store.insertBatch([full, sparse])).toBe(2);
  expect(await store.insertBatch([full, row({ requestId: sparse.requestId })])).toBe(0);

  const rows = await store.listForUser('user-1', {}, { limit: 10 });
  expect(rows).toHaveLength(2);
  expect(rows.find((r) => r.id === full.id)).toMatchObject({
    teamId: 'team-1', keyId: 'key-1', integrationId: 'int-1', stream: true, inputTokens: 12, outputTokens: 7,
    cachedInputTokens: 3, costMicros: 9_007_199_254, priced: true, estimated: true, status: 200, errorCode: 'provider_error',
    errorSource: 'provider', fallback: true, latencyMs: 52, ttftMs: 4, createdAt: new Date('2026-11-01T10:00:00.000Z'),
  });
  expect(rows.find((r) => r.id === sparse.id)).toMatchObject({
    teamId: null, keyId: null, inputTokens: null, outputTokens: null, costMicros: null, priced: false,
    stream: false, estimated: false, fallback: false, errorSource: null, ttftMs: null, status: 499,
  });
});
