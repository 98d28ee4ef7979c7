/**
 * POST /v1/embeddings: OpenAI's embeddings API in front of every provider that offers embeddings.
 *
 *   validate → resolve model (allow-list) → caller's integration → adapter builds the upstream
 *   request → send → map errors → shape check → encode as the client asked → meter once.
 *
 * The official openai SDK asks for `encoding_format: "base64"` unless told otherwise and decodes
 * it as little-endian float32. Adapters may answer with float arrays or base64 strings; this
 * handler converts to what the client asked for (`float` when absent, as OpenAI does), so a
 * provider's float32 values round-trip exactly either way.
 */
import type { Context } from 'hono';
import type { AppEnv } from '../http/context.js';
import { readJsonObject } from '../http/json-body.js';
import { AppError } from '../platform/errors.js';
import { openRoutedCall, readErrorResponse, readJson, type GatewayDeps } from './gateway-call.js';
import type { EmbeddingsAdapter, EmbeddingsRequest, EmbeddingsResponse, ServiceId } from './providers/provider.js';
import { embeddingsWorstCase } from '../metering/budgets/worst-case.js';

export interface EmbeddingsDeps extends GatewayDeps {
  adapters: Partial<Record<ServiceId, EmbeddingsAdapter>>;
}

/** OpenAI's own limits: 2048 inputs per request, 8192 tokens per input, 300,000 tokens in all. */
export const MAX_EMBEDDING_INPUTS = 2048;
export const MAX_TOKENS_PER_INPUT = 8192;
export const MAX_TOTAL_TOKENS = 300_000;
/** Characters cannot be counted as tokens here; these bound strings generously (~4 characters a token). */
export const MAX_CHARS_PER_INPUT = 100_000;
export const MAX_TOTAL_CHARS = 1_200_000;
const MAX_DIMENSIONS = 65_536;

const KNOWN_FIELDS = new Set(['model', 'input', 'encoding_format', 'dimensions', 'user', 'input_type']);

const invalid = (param: string, message: string) => new AppError('invalid_request', { param, message });
const isTokenId = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 0;

function validateTokens(tokens: unknown[], param: string): number {
  if (tokens.length === 0) throw invalid(param, `${param} must not be an empty token array.`);
  if (tokens.length > MAX_TOKENS_PER_INPUT) throw invalid(param, `${param} has ${tokens.length} tokens; the limit is ${MAX_TOKENS_PER_INPUT} per input.`);
  if (!tokens.every(isTokenId)) throw invalid(param, `${param} must contain only non-negative integer token ids.`);
  return tokens.length;
}

function validateText(text: string, param: string): number {
  if (text.length === 0) throw invalid(param, `${param} must not be an empty string.`);
  if (text.length > MAX_CHARS_PER_INPUT) throw invalid(param, `${param} has ${text.length} characters; the limit is ${MAX_CHARS_PER_INPUT} per input.`);
  return text.length;
}

/** Validates `input` and returns how many embeddings the response must hold. */
function validateInput(input: unknown): number {
  const shapes = 'input must be a string, an array of strings, an array of token ids, or an array of token-id arrays.';
  if (typeof input === 'string') {
    validateText(input, 'input');
    return 1;
  }
  if (!Array.isArray(input) || input.length === 0) throw invalid('input', input === undefined ? `input is required: ${shapes}` : shapes);
  if (input.every((item) => typeof item === 'number')) {
    validateTokens(input, 'input');
    return 1;
  }
  if (input.length > MAX_EMBEDDING_INPUTS) throw invalid('input', `input has ${input.length} items; the limit is ${MAX_EMBEDDING_INPUTS} per request.`);
  if (input.every((item) => typeof item === 'string')) {
    let total = 0;
    for (const [index, text] of (input as string[]).entries()) total += validateText(text, `input[${index}]`);
    if (total > MAX_TOTAL_CHARS) throw invalid('input', `input has ${total} characters in all; the limit is ${MAX_TOTAL_CHARS} per request.`);
    return input.length;
  }
  if (input.every(Array.isArray)) {
    let total = 0;
    for (const [index, tokens] of (input as unknown[][]).entries()) total += validateTokens(tokens, `input[${index}]`);
    if (total > MAX_TOTAL_TOKENS) throw invalid('input', `input has ${total} tokens in all; the limit is ${MAX_TOTAL_TOKENS} per request.`);
    return input.length;
  }
  throw invalid('input', `${shapes} Do not mix them.`);
}

export function validateEmbeddingsRequest(body: Record<string, unknown>): { request: EmbeddingsRequest; inputCount: number } {
  for (const key of Object.keys(body)) {
    if (!KNOWN_FIELDS.has(key)) {
      throw new AppError('unsupported_parameter', { param: key, message: `Unknown parameter "${key.slice(0, 100)}" for embeddings. Supported: ${[...KNOWN_FIELDS].join(', ')}.` });
    }
  }
  if (typeof body.model !== 'string' || body.model.length === 0 || body.model.length > 256) {
    throw invalid('model', 'model is required: a string such as "openai/text-embedding-3-small".');
  }
  const inputCount = validateInput(body.input);
  const request: EmbeddingsRequest = { model: body.model, input: body.input as EmbeddingsRequest['input'] };
  if (body.encoding_format !== undefined && body.encoding_format !== null) {
    if (body.encoding_format !== 'float' && body.encoding_format !== 'base64') throw invalid('encoding_format', 'encoding_format must be "float" or "base64".');
    request.encoding_format = body.encoding_format;
  }
  if (body.dimensions !== undefined && body.dimensions !== null) {
    const dims = body.dimensions;
    if (typeof dims !== 'number' || !Number.isInteger(dims) || dims < 1 || dims > MAX_DIMENSIONS) {
      throw invalid('dimensions', `dimensions must be an integer from 1 to ${MAX_DIMENSIONS}.`);
    }
    request.dimensions = dims;
  }
  if (body.user !== undefined && body.user !== null) {
    if (typeof body.user !== 'string' || body.user.length > 256) throw invalid('user', 'user must be a string of at most 256 characters.');
    request.user = body.user;
  }
  if (body.input_type !== undefined && body.input_type !== null) {
    if (typeof body.input_type !== 'string' || body.input_type.length === 0 || body.input_type.length > 64) throw invalid('input_type', 'input_type must be a short string.');
    request.input_type = body.input_type;
  }
  return { request, inputCount };
}

/** Little-endian float32 bytes, base64: the encoding OpenAI returns and its SDKs decode. */
export function floatsToBase64(values: readonly number[]): string {
  const bytes = Buffer.alloc(values.length * 4);
  values.forEach((value, index) => bytes.writeFloatLE(value, index * 4));
  return bytes.toString('base64');
}

export function base64ToFloats(text: string): number[] {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length % 4 !== 0) throw new AppError('provider_error', { message: 'The provider returned a base64 embedding whose length is not a whole number of float32 values.' });
  const values: number[] = [];
  for (let offset = 0; offset < bytes.length; offset += 4) values.push(bytes.readFloatLE(offset));
  return values;
}

const dimensionsOf = (embedding: number[] | string): number =>
  typeof embedding === 'string' ? Math.floor(Buffer.byteLength(embedding, 'base64') / 4) : embedding.length;

function encodeAs(body: EmbeddingsResponse, format: 'float' | 'base64'): EmbeddingsResponse {
  return {
    ...body,
    data: body.data.map((item) => {
      if (format === 'base64' && Array.isArray(item.embedding)) return { ...item, embedding: floatsToBase64(item.embedding) };
      if (format === 'float' && typeof item.embedding === 'string') return { ...item, embedding: base64ToFloats(item.embedding) };
      return item;
    }),
  };
}

export function createEmbeddingsHandler(deps: EmbeddingsDeps) {
  return async function embeddings(c: Context<AppEnv>): Promise<Response> {
    const { request, inputCount } = validateEmbeddingsRequest(await readJsonObject(c));
    const call = await openRoutedCall(c, deps, { model: request.model, operation: 'embeddings', worstCase: () => embeddingsWorstCase(request) });
    try {
      // One attempt per try of the fallback chain (retries, breakers: resilience/).
      const { adapter, ctx, response } = await call.attempt(async () => {
        const adapter = deps.adapters[call.target.service];
        if (!adapter) {
          throw new AppError('invalid_request', {
            param: 'model',
            message: `Embeddings through "${call.target.service}" are not supported. Services with embeddings: ${Object.keys(deps.adapters).join(', ')}.`,
          });
        }
        const credential = await call.credential();
        const ctx = call.callContext(credential);
        const response = await call.send(adapter.buildEmbeddingsRequest(request, ctx), credential);
        if (response.status >= 400) throw adapter.mapError(await readErrorResponse(response), ctx);
        return { adapter, ctx, response };
      });
      const result = adapter.parseEmbeddingsResponse(await readJson(response), request, ctx);

      const sorted = [...result.body.data].sort((a, b) => a.index - b.index);
      if (sorted.length !== inputCount || sorted.some((item, position) => item.index !== position)) {
        call.meter({ status: 502, errorCode: 'provider_error', usage: result.usage });
        throw new AppError('provider_error', { message: `The provider returned ${sorted.length} embeddings for ${inputCount} inputs.` });
      }
      const wrongSize = request.dimensions !== undefined ? sorted.find((item) => dimensionsOf(item.embedding) !== request.dimensions) : undefined;
      if (wrongSize) {
        const error = new AppError('unsupported_parameter', {
          param: 'dimensions',
          message: `This model or server ignored dimensions=${request.dimensions}: it returned ${dimensionsOf(wrongSize.embedding)}-dimensional vectors. Leave dimensions out, or use a model that supports it.`,
        });
        call.meter({ status: 400, error, usage: result.usage });
        throw error;
      }
      const body = encodeAs({ ...result.body, data: sorted }, request.encoding_format ?? 'float');
      call.meter({ status: 200, usage: result.usage });
      return c.json(body, 200);
    } catch (error) {
      throw call.fail(error);
    }
  };
}
