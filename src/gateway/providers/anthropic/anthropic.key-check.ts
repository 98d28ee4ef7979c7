/**
 * Anthropic: `GET {base}/v1/models` with `x-api-key` and `anthropic-version: 2023-06-01`,
 * answering `{"data":[{"type":"model","id","display_name","created_at"}],"has_more","first_id","last_id"}`
 * (first page, default 20; `limit` up to 1000). Checked against @anthropic-ai/sdk
 * resources/models.js (`getAPIList('/v1/models')`) and https://docs.anthropic.com/en/api/models-list.
 */
import type { KeyCheck } from '../key-check.js';
import { healthy, idsOf } from '../key-check.js';

export const anthropicKeyCheck: KeyCheck = {
  service: 'anthropic',
  call: 'GET /v1/models',
  buildCheckRequest: ({ apiKey, baseUrl }) => ({
    method: 'GET',
    url: `${baseUrl}/v1/models?limit=1000`,
    headers: { 'x-api-key': apiKey, 'anthropic-version': '2023-06-01', accept: 'application/json' },
  }),
  parseCheckResponse: (body) => healthy(idsOf((body as { data?: unknown } | null)?.data, 'id')),
};
