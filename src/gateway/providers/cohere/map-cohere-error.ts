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
import { AppError, type ErrorCode } from '../../../platform/errors.js';
import { codeForHttpStatus, responseError, scrubbedText } from '../provider-error.js';
import type { CallContext, UpstreamErrorResponse } from '../provider.js';

const PROVIDER = 'cohere';

interface CohereErrorInfo {
  message?: string;
  id?: string;
}

/** A 429 (or 400) with these words is a spent allowance, not a rate: retrying cannot help. */
const QUOTA_MESSAGES = [/calls\s*\/\s*month/i, /per month/i, /monthly/i, /insufficient (?:funds|balance|credit)/i, /billing/i];

export function mapCohereError(response: UpstreamErrorResponse, ctx: Pick<CallContext, 'apiKey' | 'createdAt'>): AppError {
  const info = parseErrorBody(response.body);
  return responseError(PROVIDER, response, ctx, {
    code: classifyCohereError(response.status, info?.message),
    providerMessage: info?.message,
    details: {
      ...(info?.id !== undefined && { id: info.id }),
      ...(info?.message !== undefined && { message: scrubbedText(info.message, ctx.apiKey) }),
    },
    isParsed: info !== undefined,
  });
}

/** `message-end` with `finish_reason: "ERROR"`: the generation failed after the 200. */
export function mapCohereStreamError(message: string | undefined, ctx: Pick<CallContext, 'apiKey'>): AppError {
  const text = message?.trim();
  return new AppError('provider_error', {
    message: text ? `${PROVIDER}: ${scrubbedText(text, ctx.apiKey)}` : `${PROVIDER}: the generation failed.`,
    cause: { provider: PROVIDER, midStream: true, ...(text && { message: scrubbedText(text, ctx.apiKey) }) },
  });
}

export function classifyCohereError(status: number, message: string | undefined): ErrorCode {
  const quota = message !== undefined && QUOTA_MESSAGES.some((re) => re.test(message));
  if (status === 429 && quota) return 'provider_quota_exceeded';
  // 498 is Cohere's "invalid token"; 400 and 422 fall to provider_bad_request with any other 4xx.
  return codeForHttpStatus(status, { 402: 'provider_quota_exceeded', 498: 'provider_key_rejected' });
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
