/**
 * What the fakes "embed": deterministic float32 vectors from the input, and the OpenAI embeddings
 * request/response wire format (checked against OpenAI's API reference, Embeddings: create, and
 * openai-node 6.49 `resources/embeddings.ts`: `data[].embedding` is float[] or, with
 * `encoding_format: "base64"`, the base64 of little-endian float32s; `usage` has `prompt_tokens`
 * and `total_tokens`). Shared by the OpenAI fake and the OpenAI-compatible fake.
 */
import { estimateTokens, isRecord } from './fake-answer.js';

/** Native vector sizes of OpenAI's embedding models; other models get 8 (small, for tests). */
const NATIVE_DIMENSIONS: Readonly<Record<string, number>> = {
  'text-embedding-3-small': 1536,
  'text-embedding-3-large': 3072,
  'text-embedding-ada-002': 1536,
};
export const DEFAULT_FAKE_DIMENSIONS = 8;

export function nativeDimensions(model: string): number {
  return NATIVE_DIMENSIONS[model] ?? DEFAULT_FAKE_DIMENSIONS;
}

/** FNV-1a over the input, then xorshift: the same input always gives the same float32 values. */
export function fakeEmbedding(input: string | readonly number[], dimensions: number): number[] {
  const text = typeof input === 'string' ? input : input.join(',');
  let state = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) state = Math.imul(state ^ text.charCodeAt(i), 0x01000193) >>> 0;
  const values: number[] = [];
  for (let i = 0; i < dimensions; i += 1) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    // Float32 values with many significant bits, so a lossy encoding would show.
    values.push(Math.fround((state / 0xffffffff) * 2 - 1) / 7);
  }
  return values.map((value) => Math.fround(value));
}

export function toBase64Float32(values: readonly number[]): string {
  const bytes = Buffer.alloc(values.length * 4);
  values.forEach((value, index) => bytes.writeFloatLE(value, index * 4));
  return bytes.toString('base64');
}

export interface EmbeddingsCall {
  model: string;
  inputs: Array<string | number[]>;
  encoding: 'float' | 'base64';
  dimensions: number | undefined;
  promptTokens: number;
}

export interface EmbeddingsProblem {
  status: number;
  message: string;
  param: string | null;
}

/** Reads a `POST /embeddings` body the way OpenAI validates it. */
export function parseEmbeddingsRequest(body: unknown): EmbeddingsCall | { problem: EmbeddingsProblem } {
  const bad = (message: string, param: string | null = null) => ({ problem: { status: 400, message, param } });
  if (!isRecord(body)) return bad('We could not parse the JSON body of your request.');
  if (typeof body['model'] !== 'string' || body['model'] === '') return bad('you must provide a model parameter');
  const raw = body['input'];
  if (raw === undefined) return bad("Missing required parameter: 'input'.", 'input');
  const inputs: Array<string | number[]> =
    typeof raw === 'string'
      ? [raw]
      : Array.isArray(raw) && raw.length > 0 && raw.every((item) => typeof item === 'number')
        ? [raw as number[]]
        : Array.isArray(raw)
          ? (raw as Array<string | number[]>)
          : [];
  if (inputs.length === 0 || inputs.some((item) => (typeof item === 'string' ? item === '' : !Array.isArray(item) || item.length === 0))) {
    return bad("'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.", 'input');
  }
  const encoding = body['encoding_format'] === 'base64' ? 'base64' : 'float';
  const dimensions = typeof body['dimensions'] === 'number' ? body['dimensions'] : undefined;
  const promptTokens = inputs.reduce<number>((sum, item) => sum + (typeof item === 'string' ? estimateTokens(item) : item.length), 0);
  return { model: body['model'], inputs, encoding, dimensions, promptTokens };
}

export interface EmbeddingsAnswerOptions {
  /** Honour `encoding_format: "base64"` (OpenAI does; many compatible servers always send floats). */
  base64: boolean;
  /** Include `usage` (some compatible servers leave it out). */
  usage: boolean;
  /** Leave out `object` and `index` fields, as some minimal servers do. */
  minimal?: boolean;
  /** Honour `dimensions` (false: ignore it and answer with the native size, as some servers do). */
  dimensions: boolean;
}

export function embeddingsBody(call: EmbeddingsCall, options: EmbeddingsAnswerOptions): Record<string, unknown> {
  const size = options.dimensions && call.dimensions !== undefined ? call.dimensions : nativeDimensions(call.model);
  const data = call.inputs.map((input, index) => {
    const vector = fakeEmbedding(input, size);
    const embedding = options.base64 && call.encoding === 'base64' ? toBase64Float32(vector) : vector;
    return options.minimal ? { embedding } : { object: 'embedding', index, embedding };
  });
  return {
    ...(options.minimal ? {} : { object: 'list' }),
    data,
    model: call.model,
    ...(options.usage ? { usage: { prompt_tokens: call.promptTokens, total_tokens: call.promptTokens } } : {}),
  };
}
