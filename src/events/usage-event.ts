/**
 * `usage.created`: the row GET /api/usage lists, built from the record the recorder accepted
 * (no database read). Columns the record leaves out are their database defaults.
 */
import { toUsageView } from '../metering/usage.routes.js';
import type { NewUsageRecord, UsageRecordRow } from '../metering/usage.store.js';

export function usageEventOf(row: NewUsageRecord & { createdAt: Date }) {
  const full: UsageRecordRow = {
    teamId: null,
    keyId: null,
    integrationId: null,
    stream: false,
    inputTokens: null,
    outputTokens: null,
    cachedInputTokens: null,
    imageCount: null,
    videoSeconds: null,
    costMicros: null,
    catalogVersion: null,
    estimated: false,
    errorCode: null,
    errorSource: null,
    fallback: false,
    ttftMs: null,
    requestedModel: null,
    attempts: null,
    ...row,
  };
  return toUsageView(full);
}
