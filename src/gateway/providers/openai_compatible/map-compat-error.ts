/**
 * Error bodies of OpenAI-compatible servers → the OpenAI error mapping. These servers agree on the
 * status codes but not on the body; the shapes recognised here were checked against each server's
 * docs and sources (via the project's `search` tool):
 *
 * - OpenAI's own `{"error": {"message", "type", "param", "code"}}` (Groq, DeepSeek, Together, Ollama's
 *   `/v1` endpoints, llama.cpp server: `{"error": {"code": 400, "message", "type"}}`).
 * - Ollama's native `{"error": "model \"x\" not found, try pulling it first"}` (a bare string).
 * - vLLM's `{"object": "error", "message", "type": "BadRequestError", "param", "code": 400}`.
 * - FastAPI/pydantic `{"detail": "Not Found"}` or `{"detail": [{"loc": [...], "msg": "...", "type"}]}`.
 * - Mistral's `{"object": "error", "message", "type", "param", "code"}` and a bare `{"message": "..."}`.
 *
 * A 402 (DeepSeek's "Insufficient Balance") is `provider_quota_exceeded`. Whatever the shape,
 * provider text reaches our client only scrubbed of the caller's key and key-shaped strings, and
 * truncated.
 */
import { AppError } from '../../../platform/errors.js';
import { scrubSecrets } from '../../../platform/redact.js';
import { mapOpenAIError } from '../openai/map-openai-error.js';
import type { CallContext, UpstreamErrorResponse } from '../provider.js';

interface ErrorFields {
  message?: string;
  type?: string;
  code?: string;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value : undefined);

/** `detail` of FastAPI: a string, or pydantic's list of `{loc, msg}` validation problems. */
function detailMessage(detail: unknown): string | undefined {
  if (typeof detail === 'string') return text(detail);
  if (!Array.isArray(detail)) return undefined;
  const parts = detail.filter(isRecord).map((item) => {
    const loc = Array.isArray(item.loc) ? item.loc.filter((part) => part !== 'body').join('.') : '';
    const msg = text(item.msg) ?? 'invalid';
    return loc ? `${loc}: ${msg}` : msg;
  });
  return parts.length > 0 ? parts.join('; ') : undefined;
}

/** The message, type and code of any recognised error body; `{}` for anything else. */
export function compatErrorFields(body: unknown): ErrorFields {
  if (!isRecord(body)) return {};
  const fields: ErrorFields = {};
  const error = body.error;
  if (isRecord(error)) {
    fields.message = text(error.message);
    fields.type = text(error.type);
    fields.code = text(error.code);
  } else if (typeof error === 'string') {
    fields.message = text(error);
  } else if (body.detail !== undefined) {
    fields.message = detailMessage(body.detail);
  } else {
    fields.message = text(body.message);
    fields.type = text(body.type);
    fields.code = text(body.code);
  }
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as ErrorFields;
}

function parseBody(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

/** Rewrites the body into OpenAI's error shape, then maps it exactly as an OpenAI error. */
export function mapCompatError(response: UpstreamErrorResponse, ctx: CallContext): AppError {
  const fields = compatErrorFields(parseBody(response.body));
  if (response.status === 402) {
    // DeepSeek (and others) answer 402 Payment Required when the account's balance is exhausted.
    const detail = fields.message ? `: ${scrubSecrets(fields.message, [ctx.apiKey]).slice(0, 500)}` : '';
    return new AppError('provider_quota_exceeded', { message: `Your provider account has no quota or credit left${detail}` });
  }
  return mapOpenAIError({ ...response, body: JSON.stringify({ error: fields }) }, ctx);
}

/** An error payload inside an SSE stream, which has no HTTP status of its own. */
export function mapCompatStreamError(payload: unknown, ctx: CallContext): AppError {
  const status = isRecord(payload) && isRecord(payload.error) && typeof payload.error.code === 'number' ? payload.error.code : 500;
  const fields = compatErrorFields(payload);
  return mapOpenAIError({ status: status >= 400 && status < 600 ? status : 500, headers: {}, body: JSON.stringify({ error: fields }) }, ctx);
}
