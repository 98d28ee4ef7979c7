/**
 * Anthropic error responses (`{type: "error", error: {type, message, details?}, request_id}`) and
 * mid-stream `error` events → attributed AppErrors.
 *
 * The error `type` decides when it is specific; the HTTP status decides when the type is missing,
 * unknown, or the catch-all `invalid_request_error` (which Anthropic also uses for 4xx statuses
 * without a type of their own). Quota exhaustion hides behind several shapes and is recognised
 * first, because it needs the caller to act and retrying cannot help.
 *
 * Provider text reaches `publicMessage` only scrubbed of the caller's key and key-shaped strings,
 * truncated, and never when the body is not Anthropic's JSON (proxies answer with HTML).
 */
import type { AppError, ErrorCode } from '../../../platform/errors.js';
import { codeForHttpStatus, responseError, scrubbedText, streamEventError } from '../provider-error.js';
import type { CallContext, UpstreamErrorResponse } from '../provider.js';

const PROVIDER = 'anthropic';

interface AnthropicErrorInfo {
  type?: string;
  message?: string;
  /** `error.details.error_code`, Anthropic's stable machine-readable refinement of the type. */
  errorCode?: string;
  requestId?: string;
}

const CODE_BY_TYPE: Readonly<Record<string, ErrorCode>> = {
  authentication_error: 'provider_key_rejected',
  permission_error: 'provider_permission_denied',
  billing_error: 'provider_quota_exceeded',
  not_found_error: 'provider_model_not_found',
  request_too_large: 'payload_too_large',
  rate_limit_error: 'provider_rate_limited',
  timeout_error: 'provider_timeout',
  api_error: 'provider_error',
  overloaded_error: 'provider_overloaded',
};

/** `details.error_code` values that mean money or a spend cap ran out, not a transient rate limit. */
const QUOTA_ERROR_CODES: ReadonlySet<string> = new Set([
  'enforced_spend_limit_reached', // 429: the usage tier's monthly spend cap; no retry-after.
  'contract_spend_limit_reached',
  'linked_organization_spend_limit_reached', // 402
  'linked_organization_billing_unavailable', // 402
]);

/**
 * Two quota cases arrive as a plain 400 `invalid_request_error` with only the message to tell them
 * apart (Anthropic's errors page documents both wordings): an exhausted prepaid balance ("Your
 * credit balance is too low to access the Anthropic API...") and a spend limit the organization
 * or workspace set ("You have reached your specified [workspace] API usage limits...").
 */
const QUOTA_MESSAGES = [/credit balance is too low/i, /you have reached your specified (?:workspace )?api usage limits/i];

export function mapAnthropicError(response: UpstreamErrorResponse, ctx: Pick<CallContext, 'apiKey' | 'createdAt'>): AppError {
  const info = parseErrorBody(response.body);
  return responseError(PROVIDER, response, ctx, {
    code: classifyAnthropicError(response.status, info),
    providerMessage: info?.message,
    details: scrubbedInfo(info, ctx.apiKey),
    isParsed: info !== undefined,
  });
}

/** The payload of an SSE `error` event, which has the same shape as an error response body. */
export function mapAnthropicStreamError(payload: unknown, ctx: Pick<CallContext, 'apiKey'>): AppError {
  const info = errorInfo(payload);
  return streamEventError(PROVIDER, ctx, {
    code: classifyAnthropicError(undefined, info),
    providerMessage: info?.message,
    details: scrubbedInfo(info, ctx.apiKey),
  });
}

export function classifyAnthropicError(status: number | undefined, info: AnthropicErrorInfo | undefined): ErrorCode {
  if (isQuotaError(status, info)) return 'provider_quota_exceeded';
  const byType = info?.type === undefined ? undefined : CODE_BY_TYPE[info.type];
  if (byType !== undefined) return byType;
  // 529 is Anthropic's "overloaded"; any other 4xx means Anthropic judged the request invalid.
  if (status !== undefined) return codeForHttpStatus(status, { 402: 'provider_quota_exceeded', 529: 'provider_overloaded' });
  return info?.type === 'invalid_request_error' ? 'provider_bad_request' : 'provider_error';
}

function isQuotaError(status: number | undefined, info: AnthropicErrorInfo | undefined): boolean {
  if (status === 402) return true;
  if (info === undefined) return false;
  if (info.errorCode !== undefined && QUOTA_ERROR_CODES.has(info.errorCode)) return true;
  const message = info.message;
  return info.type === 'invalid_request_error' && message !== undefined && QUOTA_MESSAGES.some((re) => re.test(message));
}

function parseErrorBody(body: string): AnthropicErrorInfo | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  return errorInfo(parsed);
}

function errorInfo(payload: unknown): AnthropicErrorInfo | undefined {
  if (!isRecord(payload) || !isRecord(payload.error)) return undefined;
  const error = payload.error;
  const details = isRecord(error.details) ? error.details : undefined;
  return {
    ...(typeof error.type === 'string' && { type: error.type }),
    ...(typeof error.message === 'string' && { message: error.message }),
    ...(typeof details?.error_code === 'string' && { errorCode: details.error_code }),
    ...(typeof payload.request_id === 'string' && { requestId: payload.request_id }),
  };
}

/** The cause is logged (through redaction); scrub here too so no path depends on the logger alone. */
function scrubbedInfo(info: AnthropicErrorInfo | undefined, apiKey: string): AnthropicErrorInfo | undefined {
  if (info?.message === undefined) return info;
  return { ...info, message: scrubbedText(info.message, apiKey) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
