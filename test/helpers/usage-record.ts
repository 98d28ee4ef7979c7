import type { NewUsageRecord } from '../../src/metering/usage.store.js';
import { newId } from '../../src/platform/ids.js';

/** A priced, successful chat usage record for `userId` (100 µ$, 10 in / 5 out, 120 ms), with overrides. */
export const usageRecord = (userId: string, overrides: Partial<NewUsageRecord> = {}): NewUsageRecord => ({
  id: newId(),
  requestId: `req_${newId()}`,
  userId,
  service: 'openai',
  model: 'gpt-4o-mini',
  operation: 'chat',
  priced: true,
  costMicros: 100,
  inputTokens: 10,
  outputTokens: 5,
  status: 200,
  latencyMs: 120,
  ...overrides,
});
