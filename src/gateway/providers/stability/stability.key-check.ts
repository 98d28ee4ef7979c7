/**
 * Stability AI: `GET {base}/v1/user/account` with `Authorization: Bearer`, answering
 * `{"id","email","profile_picture","organizations":[…]}` (no model list). A bad key answers 401.
 * Checked against https://platform.stability.ai/docs/api-reference#tag/User/operation/userAccount.
 */
import type { KeyCheck } from '../key-check.js';
import { healthy } from '../key-check.js';

export const stabilityKeyCheck: KeyCheck = {
  service: 'stability',
  call: 'GET /v1/user/account',
  buildCheckRequest: ({ apiKey, baseUrl }) => ({
    method: 'GET',
    url: `${baseUrl}/v1/user/account`,
    headers: { authorization: `Bearer ${apiKey}`, accept: 'application/json' },
  }),
  parseCheckResponse: () => healthy(),
};
