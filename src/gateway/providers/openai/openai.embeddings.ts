/**
 * OpenAI embeddings (`POST /v1/embeddings`): our client-facing format, so the request passes
 * through (model without its `openai/` prefix) and the response comes back as OpenAI sent it,
 * after a shape check. Checked against OpenAI's API reference (Embeddings: create, the embedding
 * object) and openai-node 6.49 `resources/embeddings.ts` (the SDK asks for `encoding_format:
 * "base64"` by default and decodes it as little-endian float32).
 */
import { AppError } from '../../../platform/errors.js';
import type { CallContext, EmbeddingsAdapter, EmbeddingsRequest, EmbeddingsResponse, EmbeddingsResult, NormalizedUsage, UpstreamRequest } from '../provider.js';
import { mapOpenAIError } from './map-openai-error.js';

type Json = Record<string, unknown>;
const isRecord = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The OpenAI request body; `encoding_format` left out when `forwardEncoding` is false. */
export function buildOpenAIEmbeddingsRequest(request: EmbeddingsRequest, ctx: CallContext, options: { forwardEncoding: boolean }): UpstreamRequest {
  if (request.input_type !== undefined) {
    throw new AppError('unsupported_parameter', {
      param: 'input_type',
      message: 'input_type is a Cohere/Gemini hint; OpenAI-style embeddings APIs do not accept it. Leave it out.',
    });
  }
  const body: Json = { model: ctx.model, input: request.input };
  if (options.forwardEncoding && request.encoding_format !== undefined) body.encoding_format = request.encoding_format;
  if (request.dimensions !== undefined) body.dimensions = request.dimensions;
  if (request.user !== undefined) body.user = request.user;
  return {
    method: 'POST',
    url: `${ctx.baseUrl}/embeddings`,
    headers: { authorization: `Bearer ${ctx.apiKey}`, 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  };
}

const notEmbeddings = (why: string) => new AppError('provider_error', { message: `The provider returned a response that is not an embeddings list (${why}).` });

function isVector(value: unknown): value is number[] | string {
  return typeof value === 'string' || (Array.isArray(value) && value.every((n) => typeof n === 'number' && Number.isFinite(n)));
}

/**
 * Checks the shape and normalises usage. `lenient` (compatible servers) fills a missing `object`,
 * `index` or `model` and accepts a missing `usage`; strict mode (OpenAI) requires them.
 */
export function parseOpenAIEmbeddings(body: unknown, ctx: CallContext, options: { lenient: boolean }): EmbeddingsResult {
  if (!isRecord(body) || !Array.isArray(body.data)) throw notEmbeddings('no data array');
  const data = body.data.map((item: unknown, position) => {
    if (!isRecord(item) || !isVector(item.embedding)) throw notEmbeddings(`data[${position}] has no embedding`);
    if (typeof item.index !== 'number' && !options.lenient) throw notEmbeddings(`data[${position}] has no index`);
    return { ...item, object: 'embedding' as const, index: typeof item.index === 'number' ? item.index : position, embedding: item.embedding };
  });
  const usageBody = isRecord(body.usage) ? body.usage : undefined;
  if (!usageBody && !options.lenient) throw notEmbeddings('no usage');
  const usage: NormalizedUsage = {};
  const promptTokens = usageBody?.prompt_tokens ?? usageBody?.total_tokens;
  // Embeddings produce no output tokens: a known 0, so a reported input count can be priced.
  if (typeof promptTokens === 'number') Object.assign(usage, { inputTokens: promptTokens, outputTokens: 0 });
  const response: EmbeddingsResponse = {
    ...body,
    object: 'list',
    data,
    model: typeof body.model === 'string' && body.model !== '' ? body.model : ctx.model,
    ...(usageBody ? { usage: usageBody as EmbeddingsResponse['usage'] } : {}),
  } as EmbeddingsResponse;
  return { body: response, usage };
}

export const openaiEmbeddingsAdapter: EmbeddingsAdapter = {
  service: 'openai',
  buildEmbeddingsRequest: (request, ctx) => buildOpenAIEmbeddingsRequest(request, ctx, { forwardEncoding: true }),
  parseEmbeddingsResponse: (body, _request, ctx) => parseOpenAIEmbeddings(body, ctx, { lenient: false }),
  mapError: mapOpenAIError,
};
