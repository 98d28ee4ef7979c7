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
    fallback: true, ttftMs: 4, createdAt: new Date('2026-11-01T10:00:00.000Z'), imageCount: 2, videoSeconds: 8,
    catalogVersion: '2026-11-01', requestedModel: 'fast-chat',
    attempts: [{ service: 'openai', model: 'gpt-4o-mini', integration_id: 'int-1', status: 200, duration_ms: 40, error_code: null, error_source: null, next: null }],
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
    imageCount: 2, videoSeconds: 8, catalogVersion: '2026-11-01', requestedModel: 'fast-chat', attempts: full.attempts,
  });
  expect(rows.find((r) => r.id === sparse.id)).toMatchObject({
    teamId: null, keyId: null, inputTokens: null, outputTokens: null, costMicros: null, priced: false,
    stream: false, estimated: false, fallback: false, errorSource: null, ttftMs: null, status: 499,
  });
});

it('stores text PostgreSQL cannot hold (a NUL, a lone surrogate half) as U+FFFD instead of failing the batch', async () => {
  const store = createUsageStore(handle.db);
  const userId = `user-${newId()}`;
  // As a client's JSON body can make them: "openai/a\u0000b", a lone "\ud83d", and text that only looks like an escape.
  const odd = row({ userId, model: 'a\u0000b', requestedModel: 'openai/x\ud83dy', errorCode: '\\u0000 stays' });
  const neighbour = row({ userId, model: 'emoji 😀 stays' });
  expect(await store.insertBatch([odd, neighbour])).toBe(2);
  const rows = await store.listForUser(userId, {}, { limit: 10 });
  expect(rows.find((r) => r.id === odd.id)).toMatchObject({ model: 'a\ufffdb', requestedModel: 'openai/x\ufffdy', errorCode: '\\u0000 stays' });
  expect(rows.find((r) => r.id === neighbour.id)?.model).toBe('emoji 😀 stays');
});
