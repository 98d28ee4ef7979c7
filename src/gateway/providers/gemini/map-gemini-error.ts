/**
 * Gemini API errors (`{"error":{"code","message","status","details":[…]}}`, the google.rpc.Status
 * JSON shape) and mid-stream `data: {"error":…}` events → attributed AppErrors. Checked against
 * the Gemini API troubleshooting guide (400 INVALID_ARGUMENT / FAILED_PRECONDITION, 403
 * PERMISSION_DENIED, 404 NOT_FOUND, 429 RESOURCE_EXHAUSTED, 500 INTERNAL, 503 UNAVAILABLE, 504
 * DEADLINE_EXCEEDED) and recorded error bodies: an invalid key is a 400 INVALID_ARGUMENT whose
 * details hold a `google.rpc.ErrorInfo` with reason `API_KEY_INVALID`; a 429 may carry a
 * `google.rpc.RetryInfo` (`retryDelay: "39s"`) and a `google.rpc.QuotaFailure`.
 *
 * Provider text reaches the public message only scrubbed of the caller's key, truncated, and never
 * when the body is not Gemini's JSON (proxies answer with HTML).
 */
import type { AppError, ErrorCode } from '../../../platform/errors.js';
import { codeForHttpStatus, responseError, scrubbedText, streamEventError } from '../provider-error.js';
import type { CallContext, UpstreamErrorResponse } from '../provider.js';

const PROVIDER = 'gemini';

interface GeminiErrorInfo {
  code?: number;
  status?: string;
  message?: string;
  reason?: string;
  retryDelaySeconds?: number;
  quotaIds: string[];
}

const CODE_BY_STATUS: Readonly<Record<string, ErrorCode>> = {
  UNAUTHENTICATED: 'provider_key_rejected',
  PERMISSION_DENIED: 'provider_permission_denied',
  // "User location is not supported", "free tier not available in your country": the key's owner must act.
  FAILED_PRECONDITION: 'provider_permission_denied',
  NOT_FOUND: 'provider_model_not_found',
  RESOURCE_EXHAUSTED: 'provider_rate_limited',
  INTERNAL: 'provider_error',
  UNAVAILABLE: 'provider_overloaded',
  DEADLINE_EXCEEDED: 'provider_timeout',
  INVALID_ARGUMENT: 'provider_bad_request',
};

export function mapGeminiError(response: UpstreamErrorResponse, ctx: Pick<CallContext, 'apiKey' | 'createdAt'>): AppError {
  const info = parseErrorBody(response.body);
  return responseError(PROVIDER, response, ctx, {
    code: classifyGeminiError(response.status, info),
    providerMessage: info?.message,
    details: scrubbedInfo(info, ctx.apiKey),
    isParsed: info !== undefined,
    // google.rpc.RetryInfo in the body, when present, is the delay Google asks for.
    retryAfterSeconds: info?.retryDelaySeconds,
  });
}

/** A `data: {"error": …}` event inside a stream. */
export function mapGeminiStreamError(payload: unknown, ctx: Pick<CallContext, 'apiKey'>): AppError {
  const info = errorInfo(payload);
  return streamEventError(PROVIDER, ctx, {
    code: classifyGeminiError(info?.code, info),
    providerMessage: info?.message,
    details: scrubbedInfo(info, ctx.apiKey),
  });
}

export function classifyGeminiError(status: number | undefined, info: GeminiErrorInfo | undefined): ErrorCode {
  if (info?.reason?.startsWith('API_KEY_') === true) return 'provider_key_rejected';
  if (info?.status === 'RESOURCE_EXHAUSTED' || status === 429) {
    // A per-day quota or depleted prepaid credit will not recover by retrying within minutes.
    const daily = info?.quotaIds.some((quotaId) => /PerDay/i.test(quotaId)) === true;
    const depleted = /credits are depleted/i.test(info?.message ?? '');
    return daily || depleted ? 'provider_quota_exceeded' : 'provider_rate_limited';
  }
  const byStatus = info?.status === undefined ? undefined : CODE_BY_STATUS[info.status];
  if (byStatus !== undefined) return byStatus;
  return status === undefined ? 'provider_error' : codeForHttpStatus(status);
}

function parseErrorBody(body: string): GeminiErrorInfo | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  // The REST API answers an object; some proxies wrap it in a one-element array.
  return errorInfo(Array.isArray(parsed) ? parsed[0] : parsed);
}

function errorInfo(payload: unknown): GeminiErrorInfo | undefined {
  if (!isRecord(payload) || !isRecord(payload.error)) return undefined;
  const error = payload.error;
  const details = Array.isArray(error.details) ? error.details.filter(isRecord) : [];
  const errorInfoDetail = details.find((d) => typeof d['@type'] === 'string' && d['@type'].endsWith('google.rpc.ErrorInfo')) ?? details.find((d) => typeof d.reason === 'string');
  const retryInfo = details.find((d) => typeof d['@type'] === 'string' && d['@type'].endsWith('google.rpc.RetryInfo'));
  const quotaIds = details
    .flatMap((d) => (Array.isArray(d.violations) ? d.violations.filter(isRecord) : []))
    .map((v) => v.quotaId)
    .filter((q): q is string => typeof q === 'string');
  const delay = typeof retryInfo?.retryDelay === 'string' ? /^(\d+(?:\.\d+)?)s$/.exec(retryInfo.retryDelay)?.[1] : undefined;
  return {
    ...(typeof error.code === 'number' && { code: error.code }),
    ...(typeof error.status === 'string' && { status: error.status }),
    ...(typeof error.message === 'string' && { message: error.message }),
    ...(typeof errorInfoDetail?.reason === 'string' && { reason: errorInfoDetail.reason }),
    ...(delay !== undefined && { retryDelaySeconds: Math.ceil(Number(delay)) }),
    quotaIds,
  };
}

function scrubbedInfo(info: GeminiErrorInfo | undefined, apiKey: string): Omit<GeminiErrorInfo, 'quotaIds'> | undefined {
  if (info === undefined) return undefined;
  const { quotaIds: _quotaIds, ...rest } = info;
  return rest.message === undefined ? rest : { ...rest, message: scrubbedText(rest.message, apiKey) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
