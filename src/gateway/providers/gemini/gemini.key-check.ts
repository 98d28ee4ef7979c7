/**
 * Gemini: `GET {base}/v1beta/models?pageSize=1000` with `x-goog-api-key`, answering
 * `{"models":[{"name":"models/gemini-2.5-flash","supportedGenerationMethods":[…],…}],"nextPageToken"}`.
 * A bad key answers 400 INVALID_ARGUMENT with reason API_KEY_INVALID (not 401), a key without
 * access 403 PERMISSION_DENIED, an exhausted quota 429 RESOURCE_EXHAUSTED.
 * Checked against https://ai.google.dev/api/models#method:-models.list and the error bodies
 * reported in google-gemini/gemini-cli issues (#3008, #25198).
 */
import type { KeyCheck } from '../key-check.js';
import { healthy, idsOf } from '../key-check.js';

export const geminiKeyCheck: KeyCheck = {
  service: 'gemini',
  call: 'GET /v1beta/models',
  buildCheckRequest: ({ apiKey, baseUrl }) => ({
    method: 'GET',
    url: `${baseUrl}/v1beta/models?pageSize=1000`,
    headers: { 'x-goog-api-key': apiKey, accept: 'application/json' },
  }),
  parseCheckResponse: (body) => healthy(idsOf((body as { models?: unknown } | null)?.models, 'name', /^models\//)),
  classifyError: (response) =>
    response.status === 400 && /API_KEY_INVALID|API key not valid|API Key not found/i.test(response.body)
      ? { status: 'invalid', error: 'The provider rejected the key (HTTP 400 API_KEY_INVALID to GET /v1beta/models).' }
      : undefined,
};
