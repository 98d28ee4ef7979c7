/**
 * Cohere error responses → attributed AppErrors. Cohere answers errors with `{"message": string}`
 * (v2 adds an `id`), and the HTTP status is what classifies them: the statuses the API reference
 * and the cohere-ai SDK's error classes list are 400, 401, 402, 403, 404, 422, 429, 498 (invalid
 * token), 499 (client closed), 500, 501, 503, 504. A `message-end` stream event with
 * `finish_reason: "ERROR"` is the in-stream failure.
 *
 * Quota exhaustion needs the caller to act (a trial key's monthly limit, an unpaid balance), so it
 * is told apart from a transient 429 by its message. Provider text reaches `publicMessage` only
 * scrubbed of the caller's key and key-shaped strings, truncated, and only from a JSON body.
 */
import { AppError, errorCatalog, type ErrorCode } from '../../../platform/errors.js';
import { scrubSecrets } from '../../../platform/redact.js';
import { parseRetryAfter } from '../retry-after.js';
import type { CallContext, UpstreamErrorResponse } from '../provider.js';

const PROVIDER = 'cohere';
const MAX_MESSAGE_CHARS = 500;

interface CohereErrorInfo {
  message?: string;
  id?: string;
}

/** A 429 (or 400) with these words is a spent allowance, not a rate: retrying cannot help. */
const QUOTA_MESSAGES = [/calls\s*\/\s*month/i, /per month/i, /monthly/i, /insufficient (?:funds|balance|credit)/i, /billing/i];

export function mapCohereError(response: UpstreamErrorResponse, ctx: Pick<CallContext, 'apiKey' | 'createdAt'>): AppError {
  const info = parseErrorBody(response.body);
  const code = classifyCohereError(response.status, info?.message);
  const retryAfterSeconds = parseRetryAfter(headerValue(response.headers, 'retry-after'), ctx.createdAt);
  return new AppError(code, {
    message: publicMessage(code, info?.message, ctx.apiKey, response.status),
    ...(retryAfterSeconds !== undefined && { retryAfterSeconds }),
    cause: {
      provider: PROVIDER,
      status: response.status,
      ...(info?.id !== undefined && { id: info.id }),
      ...(info?.message !== undefined && { message: truncate(scrubSecrets(info.message, [ctx.apiKey])) }),
      ...(info === undefined && { body: scrubSecrets(response.body.slice(0, MAX_MESSAGE_CHARS), [ctx.apiKey]) }),
    },
  });
}

/** `message-end` with `finish_reason: "ERROR"`: the generation failed after the 200. */
export function mapCohereStreamError(message: string | undefined, ctx: Pick<CallContext, 'apiKey'>): AppError {
  const text = message?.trim();
  return new AppError('provider_error', {
    message: text ? `${PROVIDER}: ${truncate(scrubSecrets(text, [ctx.apiKey]))}` : `${PROVIDER}: the generation failed.`,
    cause: { provider: PROVIDER, midStream: true, ...(text && { message: truncate(scrubSecrets(text, [ctx.apiKey])) }) },
  });
}

export function classifyCohereError(status: number, message: string | undefined): ErrorCode {
  const quota = message !== undefined && QUOTA_MESSAGES.some((re) => re.test(message));
  switch (status) {
    case 400:
    case 422:
      return 'provider_bad_request';
    case 401:
    case 498:
      return 'provider_key_rejected';
    case 402:
      return 'provider_quota_exceeded';
    case 403:
      return 'provider_permission_denied';
    case 404:
      // The paths are fixed (/v2/chat, /v2/embed): a 404 from Cohere is about the model.
      return 'provider_model_not_found';
    case 408:
    case 504:
      return 'provider_timeout';
    case 413:
      return 'payload_too_large';
    case 429:
      return quota ? 'provider_quota_exceeded' : 'provider_rate_limited';
    case 503:
      return 'provider_overloaded';
    default:
      if (status >= 500) return 'provider_error';
      return status >= 400 ? 'provider_bad_request' : 'provider_error';
  }
}

function parseErrorBody(body: string): CohereErrorInfo | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const record = parsed as Record<string, unknown>;
  if (typeof record.message !== 'string') return undefined;
  return { message: record.message, ...(typeof record.id === 'string' && { id: record.id }) };
}

function publicMessage(code: ErrorCode, message: string | undefined, apiKey: string, status: number): string {
  const text = message?.trim();
  if (text !== undefined && text !== '') return `${PROVIDER}: ${truncate(scrubSecrets(text, [apiKey]))}`;
  return `${errorCatalog[code].message} (${PROVIDER} answered HTTP ${status})`;
}

function truncate(text: string): string {
  return text.length <= MAX_MESSAGE_CHARS ? text : `${text.slice(0, MAX_MESSAGE_CHARS)}…`;
}

function headerValue(headers: UpstreamErrorResponse['headers'], name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}
