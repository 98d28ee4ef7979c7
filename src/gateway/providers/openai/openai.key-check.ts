/**
 * OpenAI (and any OpenAI-compatible endpoint): `GET {base}/models` with `Authorization: Bearer`,
 * answering `{"object":"list","data":[{"id","object":"model","created","owned_by"}]}`.
 * Checked against the official `openai` SDK (resources/models.js: `this._client.getAPIList('/models')`)
 * and https://platform.openai.com/docs/api-reference/models/list.
 */
import type { KeyCheck } from '../key-check.js';
import { healthy, idsOf } from '../key-check.js';

export const openaiKeyCheck: KeyCheck = {
  service: 'openai',
  call: 'GET /models',
  buildCheckRequest: ({ apiKey, baseUrl }) => ({
    method: 'GET',
    url: `${baseUrl}/models`,
    headers: { authorization: `Bearer ${apiKey}`, accept: 'application/json' },
  }),
  parseCheckResponse: (body) => healthy(idsOf((body as { data?: unknown } | null)?.data, 'id')),
};

export const openaiCompatibleKeyCheck: KeyCheck = { ...openaiKeyCheck, service: 'openai_compatible' };
