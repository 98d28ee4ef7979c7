/**
 * The key-check contract: per service, the cheapest authenticated call that proves a stored key
 * works (usually "list models"), and how to read its answer. Pure translation like the adapters:
 * no I/O, no config, no logging; the integration-health service sends the request through the
 * pooled upstream client and stores the verdict.
 *
 * Verdict texts are ours, never the provider's body: a provider may echo (part of) the key in
 * its error message, and last_error is shown to users and stored.
 */
import type { ServiceId, UpstreamErrorResponse, UpstreamRequest } from './provider.js';

export type KeyHealthStatus = 'active' | 'invalid' | 'quota_exceeded' | 'unreachable';

export interface KeyCheckContext {
  apiKey: string;
  /** In the form the provider's official SDK takes it (no trailing slash). */
  baseUrl: string;
}

export interface KeyCheckVerdict {
  status: KeyHealthStatus;
  /** A short description for last_error (null when all is well). Never provider text. */
  error: string | null;
  /** The provider's own model ids (no `service/` prefix), when the check lists them. */
  models?: string[];
}

export interface KeyCheck {
  readonly service: ServiceId;
  /** A description of the call, for docs and last_error (e.g. `GET /v1/models`). */
  readonly call: string;
  buildCheckRequest(ctx: KeyCheckContext): UpstreamRequest;
  /** Reads a 2xx body: the model list, and any status the body itself shows (no credit left). */
  parseCheckResponse(body: unknown): KeyCheckVerdict;
  /** Classifies an error answer the generic rules get wrong (Gemini answers 400 to a bad key). */
  classifyError?(response: UpstreamErrorResponse): KeyCheckVerdict | undefined;
}

const QUOTA_HINT = /quota|billing|credit|insufficient|balance|payment|exceeded your current/i;

/** The generic reading of a provider's error status for a key check. */
export function classifyCheckError(check: KeyCheck, response: UpstreamErrorResponse): KeyCheckVerdict {
  const specific = check.classifyError?.(response);
  if (specific) return specific;
  const { status } = response;
  if (status === 401) return { status: 'invalid', error: `The provider rejected the key (HTTP 401 to ${check.call}).` };
  if (status === 403) return { status: 'invalid', error: `The provider refused the key (HTTP 403 to ${check.call}).` };
  if (status === 402) return { status: 'quota_exceeded', error: `The provider reports no credit or quota left (HTTP 402 to ${check.call}).` };
  if (status === 429) {
    if (QUOTA_HINT.test(response.body)) {
      return { status: 'quota_exceeded', error: `The provider reports the quota or credit of this key is exhausted (HTTP 429 to ${check.call}).` };
    }
    // Rate limited: the key was accepted; the check itself was throttled.
    return { status: 'active', error: `The provider rate-limited the check (HTTP 429 to ${check.call}); the key was accepted.` };
  }
  if (status >= 500) return { status: 'unreachable', error: `The provider failed to answer the check (HTTP ${status} to ${check.call}).` };
  return { status: 'unreachable', error: `The provider answered HTTP ${status} to ${check.call}; check base_url.` };
}

/** `[{ [field]: string }]` → the strings, tolerating junk entries. */
export function idsOf(list: unknown, field: string, strip?: RegExp): string[] | undefined {
  if (!Array.isArray(list)) return undefined;
  const ids: string[] = [];
  for (const entry of list) {
    const value = (entry as Record<string, unknown> | null)?.[field];
    if (typeof value === 'string' && value.length > 0 && value.length <= 200) ids.push(strip ? value.replace(strip, '') : value);
  }
  return ids;
}

export const healthy = (models?: string[]): KeyCheckVerdict => ({ status: 'active', error: null, ...(models ? { models } : {}) });
