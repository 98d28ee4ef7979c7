/**
 * Cohere: `GET {base}/v1/models?page_size=1000` with `Authorization: Bearer`, answering
 * `{"models":[{"name","endpoints":[…],…}],"next_page_token"}`. A bad key answers 401.
 * Checked against https://docs.cohere.com/reference/list-models.
 */
import type { KeyCheck } from '../key-check.js';
import { healthy, idsOf } from '../key-check.js';

export const cohereKeyCheck: KeyCheck = {
  service: 'cohere',
  call: 'GET /v1/models',
  buildCheckRequest: ({ apiKey, baseUrl }) => ({
    method: 'GET',
    url: `${baseUrl}/v1/models?page_size=1000`,
    headers: { authorization: `Bearer ${apiKey}`, accept: 'application/json' },
  }),
  parseCheckResponse: (body) => healthy(idsOf((body as { models?: unknown } | null)?.models, 'name')),
};
