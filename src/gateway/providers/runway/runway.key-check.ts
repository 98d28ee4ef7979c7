/**
 * Runway: `GET {base}/v1/organization` with `Authorization: Bearer` and `X-Runway-Version:
 * 2024-11-06`, answering `{"creditBalance", "tier":{"maxMonthlyCreditSpend","models":{"gen4_turbo":{…}}},
 * "usage":{…}}`: the tier's models are the ones the key may use; a zero credit balance means
 * generations will fail. Checked against https://docs.dev.runwayml.com/api/#tag/Organization and
 * the @runwayml/sdk `client.organization.retrieve()`.
 */
import type { KeyCheck } from '../key-check.js';
import { healthy } from '../key-check.js';

export const runwayKeyCheck: KeyCheck = {
  service: 'runway',
  call: 'GET /v1/organization',
  buildCheckRequest: ({ apiKey, baseUrl }) => ({
    method: 'GET',
    url: `${baseUrl}/v1/organization`,
    headers: { authorization: `Bearer ${apiKey}`, 'x-runway-version': '2024-11-06', accept: 'application/json' },
  }),
  parseCheckResponse: (body) => {
    const organization = body as { creditBalance?: unknown; tier?: { models?: unknown } } | null;
    const tierModels = organization?.tier?.models;
    const models = tierModels && typeof tierModels === 'object' ? Object.keys(tierModels) : undefined;
    if (organization?.creditBalance === 0) {
      return { status: 'quota_exceeded', error: 'The Runway organization has no credits left (creditBalance 0).', ...(models ? { models } : {}) };
    }
    return healthy(models);
  },
};
