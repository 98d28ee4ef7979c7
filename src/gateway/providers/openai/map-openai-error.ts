import { AppError } from '../../../platform/errors.js';
import { scrubSecrets } from '../../../platform/redact.js';
import { parseRetryAfter } from '../retry-after.js';
import type { CallContext, UpstreamErrorResponse } from '../provider.js';

interface OpenAIErrorBody {
  error?: { message?: unknown; type?: unknown; code?: unknown; param?: unknown };
}

function parse(body: string): { message: string | undefined; type: string | undefined; code: string | undefined } {
  try {
    const parsed = JSON.parse(body) as OpenAIErrorBody;
    const error = parsed.error;
    return {
      message: typeof error?.message === 'string' ? error.message : undefined,
      type: typeof error?.type === 'string' ? error.type : undefined,
      code: typeof error?.code === 'string' ? error.code : undefined,
    };
  } catch {
    return { message: undefined, type: undefined, code: undefined };
  }
}

/** An error inside an SSE stream (`data: {"error": …}`), which has no HTTP status of its own. */
export function mapOpenAIErrorBody(body: string, status: number | undefined, ctx: CallContext): AppError {
  return mapOpenAIError({ status: status ?? 500, headers: {}, body }, ctx);
}

/** OpenAI (and OpenAI-compatible) error → attributed AppError, with the key scrubbed from any text. */
export function mapOpenAIError(response: UpstreamErrorResponse, ctx: CallContext): AppError {
  const { message, type, code } = parse(response.body);
  const detail = message ? `: ${scrubSecrets(message, [ctx.apiKey]).slice(0, 500)}` : '';
  const status = response.status;
  if (status === 401) {
    return new AppError('provider_key_rejected', { message: `The provider rejected the API key stored in your integration${detail}` });
  }
  if (status === 403) {
    return new AppError('provider_permission_denied', { message: `The provider refused this request for your key${detail}` });
  }
  if (status === 404) return new AppError('provider_model_not_found', { message: `The provider could not find this model or resource${detail}` });
  if (status === 413) return new AppError('payload_too_large', { message: `The provider says the request is too large${detail}` });
  if (status === 429) {
    if (code === 'insufficient_quota' || type === 'insufficient_quota') {
      return new AppError('provider_quota_exceeded', { message: `Your provider account has no quota or credit left${detail}` });
    }
    const retryAfter = parseRetryAfter(response.headers['retry-after'], ctx.createdAt);
    return new AppError('provider_rate_limited', {
      message: `The provider is rate limiting your key${detail}`,
      ...(retryAfter !== undefined ? { retryAfterSeconds: retryAfter } : {}),
    });
  }
  if (status >= 400 && status < 500) {
    return new AppError('provider_bad_request', { status: status === 422 ? 400 : status, message: `The provider rejected the request${detail}` });
  }
  if (status === 503) return new AppError('provider_overloaded', { message: `The provider is overloaded${detail}` });
  if (status === 504) return new AppError('provider_timeout', { message: `The provider timed out${detail}` });
  return new AppError('provider_error', { message: `The provider failed (HTTP ${status})${detail}` });
}
