/**
 * OpenAI `POST /v1/embeddings` ↔ Cohere `POST {base}/v2/embed`.
 *
 * Checked against Cohere's API reference (docs.cohere.com/v2/reference/embed) and the cohere-ai
 * SDK (`V2EmbedRequest`, `EmbedByTypeResponse`): the request takes `model`, `texts`,
 * `input_type` (required by v3+ models), `embedding_types`, `output_dimension` (embed-v4.0:
 * 256/512/1024/1536) and `truncate`; the response is `{id, embeddings: {float: number[][]}, texts,
 * meta: {billed_units: {input_tokens}}, response_type: "embeddings_by_type"}`.
 *
 * `encoding_format: "base64"` (what the official openai SDK asks for by default) is produced here
 * from Cohere's floats as OpenAI encodes it: little-endian float32s, base64. `truncate: "NONE"` is
 * sent because OpenAI rejects over-long input instead of silently cutting it, as Cohere would.
 */
import { AppError } from '../../../platform/errors.js';
import { unsupportedBy } from '../chat-request-checks.js';
import type { CallContext, EmbeddingsRequest, EmbeddingsResult, UpstreamRequest } from '../provider.js';

const PROVIDER = 'cohere';

/** Cohere's text input types; `image` needs image input, which OpenAI's endpoint cannot carry. */
export const COHERE_INPUT_TYPES: ReadonlySet<string> = new Set(['search_document', 'search_query', 'classification', 'clustering']);
export const DEFAULT_INPUT_TYPE = 'search_document';
/** Models with a selectable output size (Matryoshka embeddings), and the sizes they accept. */
const OUTPUT_DIMENSIONS: ReadonlyArray<[RegExp, readonly number[]]> = [[/^embed-v4/, [256, 512, 1024, 1536]]];

const KNOWN_PARAMETERS: ReadonlySet<string> = new Set(['model', 'input', 'encoding_format', 'dimensions', 'user', 'input_type']);

export interface CohereEmbedRequest {
  model: string;
  texts: string[];
  input_type: string;
  embedding_types: ['float'];
  truncate: 'NONE';
  output_dimension?: number;
}

const unsupported = unsupportedBy(PROVIDER);

export function toCohereEmbedRequest(request: EmbeddingsRequest, ctx: CallContext): UpstreamRequest {
  return {
    method: 'POST',
    url: `${ctx.baseUrl}/v2/embed`,
    headers: { authorization: `Bearer ${ctx.apiKey}`, 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(toCohereEmbedBody(request, ctx.model)),
  };
}

export function toCohereEmbedBody(request: EmbeddingsRequest, model: string): CohereEmbedRequest {
  for (const key of Object.keys(request)) {
    if (!KNOWN_PARAMETERS.has(key)) throw unsupported(key, `Parameter \`${key}\``);
  }
  const format = request.encoding_format;
  if (format != null && format !== 'float' && format !== 'base64') {
    throw new AppError('invalid_request', { param: 'encoding_format', message: '`encoding_format` must be "float" or "base64".' });
  }
  const inputType = request.input_type ?? DEFAULT_INPUT_TYPE;
  if (!COHERE_INPUT_TYPES.has(inputType)) {
    throw unsupported('input_type', `\`input_type\` "${String(inputType)}" (use search_document, search_query, classification or clustering)`);
  }
  const body: CohereEmbedRequest = { model, texts: toTexts(request.input), input_type: inputType, embedding_types: ['float'], truncate: 'NONE' };
  if (request.dimensions != null) body.output_dimension = toOutputDimension(request.dimensions, model);
  return body;
}

function toTexts(input: EmbeddingsRequest['input']): string[] {
  const items: unknown[] = Array.isArray(input) ? input : [input];
  if (items.length === 0) throw new AppError('invalid_request', { param: 'input', message: '`input` must not be empty.' });
  // Token arrays are OpenAI tokenizer ids; Cohere cannot read them. `[1, 2]` is one such input.
  if (items.some((item) => typeof item === 'number')) throw unsupported('input', 'Token-array input');
  return items.map((item, i) => {
    if (typeof item === 'string') return item;
    if (Array.isArray(item)) throw unsupported(`input[${i}]`, 'Token-array input');
    throw new AppError('invalid_request', { param: 'input', message: '`input` must be a string or an array of strings.' });
  });
}

function toOutputDimension(dimensions: number, model: string): number {
  const sizes = OUTPUT_DIMENSIONS.find(([pattern]) => pattern.test(model))?.[1];
  if (sizes === undefined) throw unsupported('dimensions', `\`dimensions\` for model "${model}"`);
  if (!sizes.includes(dimensions)) throw unsupported('dimensions', `\`dimensions\` ${dimensions} (use one of ${sizes.join(', ')})`);
  return dimensions;
}

/** Float32 little-endian bytes, base64: the encoding OpenAI returns for `encoding_format: "base64"`. */
export function toBase64Float32(vector: readonly number[]): string {
  const buffer = Buffer.alloc(vector.length * 4);
  vector.forEach((value, i) => buffer.writeFloatLE(value, i * 4));
  return buffer.toString('base64');
}

export function fromCohereEmbedResponse(body: unknown, request: EmbeddingsRequest, ctx: Pick<CallContext, 'model'>): EmbeddingsResult {
  const vectors = floatEmbeddings(body);
  const expected = Array.isArray(request.input) ? request.input.length : 1;
  if (vectors === undefined || vectors.length !== expected) {
    throw new AppError('provider_error', { message: `${PROVIDER}: the response does not hold one float embedding per input.` });
  }
  const billed = (body as { meta?: { billed_units?: { input_tokens?: unknown } } }).meta?.billed_units?.input_tokens;
  const inputTokens = typeof billed === 'number' ? billed : undefined;
  const base64 = request.encoding_format === 'base64';
  return {
    body: {
      object: 'list',
      data: vectors.map((vector, index) => ({ object: 'embedding', index, embedding: base64 ? toBase64Float32(vector) : vector })),
      model: ctx.model,
      // OpenAI's shape needs numbers; the metered usage below keeps "unknown" as undefined.
      usage: { prompt_tokens: inputTokens ?? 0, total_tokens: inputTokens ?? 0 },
    },
    usage: inputTokens === undefined ? {} : { inputTokens, outputTokens: 0 },
  };
}

function floatEmbeddings(body: unknown): number[][] | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const embeddings = (body as { embeddings?: unknown }).embeddings;
  if (typeof embeddings !== 'object' || embeddings === null) return undefined;
  const floats = (embeddings as { float?: unknown }).float;
  if (!Array.isArray(floats)) return undefined;
  const valid = floats.every((vector) => Array.isArray(vector) && vector.every((value) => typeof value === 'number'));
  return valid ? (floats as number[][]) : undefined;
}
