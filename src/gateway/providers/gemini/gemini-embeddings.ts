/**
 * OpenAI `/v1/embeddings` → Gemini `POST {base}/v1beta/models/{model}:batchEmbedContents`
 * (`{requests: [{model: "models/<id>", content: {parts: [{text}]}, taskType?, outputDimensionality?}]}`
 * → `{embeddings: [{values: number[]}]}`), checked against the Gemini API reference
 * (models.batchEmbedContents, EmbedContentRequest, TaskType) and the @google/genai SDK.
 *
 * Gemini reports no token counts for embeddings, so usage stays unknown (never 0): the response
 * carries no `usage` object and the usage record has null counts. `encoding_format: "base64"`
 * returns the vector as little-endian float32 bytes, base64 encoded, exactly as OpenAI does.
 */
import { AppError } from '../../../platform/errors.js';
import { invalid, unsupportedBy } from '../chat-request-checks.js';
import type { CallContext, EmbeddingsRequest, EmbeddingsResponse, EmbeddingsResult, UpstreamRequest } from '../provider.js';

const PROVIDER = 'gemini';
/** batchEmbedContents accepts at most 100 requests per call. */
export const MAX_BATCH = 100;

const TASK_TYPES: ReadonlySet<string> = new Set([
  'RETRIEVAL_QUERY',
  'RETRIEVAL_DOCUMENT',
  'SEMANTIC_SIMILARITY',
  'CLASSIFICATION',
  'CLUSTERING',
  'QUESTION_ANSWERING',
  'FACT_VERIFICATION',
  'CODE_RETRIEVAL_QUERY',
]);

/** Cohere-style `input_type` values some clients send, and the Gemini task they mean. */
const TASK_ALIASES: Readonly<Record<string, string>> = {
  search_query: 'RETRIEVAL_QUERY',
  search_document: 'RETRIEVAL_DOCUMENT',
  query: 'RETRIEVAL_QUERY',
  document: 'RETRIEVAL_DOCUMENT',
};

/** `user` only tags the request for OpenAI's abuse monitoring; Gemini has no such field. */
const KNOWN_FIELDS: ReadonlySet<string> = new Set(['model', 'input', 'encoding_format', 'dimensions', 'user', 'input_type']);

interface GeminiEmbedRequest {
  model: string;
  content: { parts: Array<{ text: string }> };
  taskType?: string;
  outputDimensionality?: number;
}

const unsupported = unsupportedBy(PROVIDER);

export function toGeminiEmbeddingsRequest(request: EmbeddingsRequest, ctx: CallContext): UpstreamRequest {
  for (const key of Object.keys(request)) {
    if (!KNOWN_FIELDS.has(key)) throw unsupported(key, `Parameter \`${key}\``);
  }
  const texts = toTexts(request.input);
  const taskType = toTaskType(request.input_type);
  const dimensions = request.dimensions;
  if (dimensions != null && (!Number.isInteger(dimensions) || dimensions < 1)) {
    throw invalid('dimensions', '`dimensions` must be a positive integer.');
  }
  const requests: GeminiEmbedRequest[] = texts.map((text) => ({
    model: `models/${ctx.model}`,
    content: { parts: [{ text }] },
    ...(taskType !== undefined && { taskType }),
    ...(dimensions != null && { outputDimensionality: dimensions }),
  }));
  return {
    method: 'POST',
    url: `${ctx.baseUrl}/v1beta/models/${encodeURIComponent(ctx.model)}:batchEmbedContents`,
    headers: { 'x-goog-api-key': ctx.apiKey, 'content-type': 'application/json' },
    body: JSON.stringify({ requests }),
  };
}

function toTexts(input: EmbeddingsRequest['input']): string[] {
  const list: unknown[] = Array.isArray(input) ? input : [input];
  if (list.length === 0) throw invalid('input', '`input` must not be empty.');
  if (list.length > MAX_BATCH) throw unsupported('input', `More than ${MAX_BATCH} inputs in one request`);
  return list.map((item, i) => {
    if (typeof item === 'string') {
      if (item === '') throw invalid(`input[${i}]`, 'Inputs must not be empty strings.');
      return item;
    }
    throw unsupported(Array.isArray(input) ? `input[${i}]` : 'input', 'Token-id input (arrays of integers)');
  });
}

function toTaskType(inputType: unknown): string | undefined {
  if (inputType == null) return undefined;
  if (typeof inputType !== 'string') throw invalid('input_type', '`input_type` must be a string.');
  const upper = inputType.toUpperCase();
  if (TASK_TYPES.has(upper)) return upper;
  const alias = TASK_ALIASES[inputType.toLowerCase()];
  if (alias !== undefined) return alias;
  throw unsupported('input_type', `\`input_type\` "${inputType}" (use one of ${[...TASK_TYPES].join(', ')})`);
}

/** float32 little-endian bytes, base64: what OpenAI returns for `encoding_format: "base64"`. */
export function toBase64Float32(values: readonly number[]): string {
  const bytes = Buffer.alloc(values.length * 4);
  values.forEach((value, i) => bytes.writeFloatLE(value, i * 4));
  return bytes.toString('base64');
}

export function fromGeminiEmbeddingsResponse(body: unknown, request: EmbeddingsRequest, ctx: CallContext): EmbeddingsResult {
  const embeddings = isRecord(body) && Array.isArray(body.embeddings) ? body.embeddings : undefined;
  const expected = Array.isArray(request.input) ? request.input.length : 1;
  if (embeddings === undefined || embeddings.length !== expected) {
    throw new AppError('provider_error', { message: `${PROVIDER}: the response does not hold one embedding per input.` });
  }
  const base64 = request.encoding_format === 'base64';
  const data = embeddings.map((embedding, index) => {
    const values = isRecord(embedding) && Array.isArray(embedding.values) ? embedding.values : undefined;
    if (values === undefined || !values.every((v) => typeof v === 'number')) {
      throw new AppError('provider_error', { message: `${PROVIDER}: embedding ${index} has no numeric values.` });
    }
    return { object: 'embedding' as const, index, embedding: base64 ? toBase64Float32(values as number[]) : (values as number[]) };
  });
  // No usage object: Gemini does not report token counts, and a 0 would claim the input was free.
  const response = { object: 'list', data, model: ctx.model } as unknown as EmbeddingsResponse;
  return { body: response, usage: {} };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
