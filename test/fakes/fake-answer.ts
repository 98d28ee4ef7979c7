/**
 * What the fakes "generate": deterministic text cut into tokens, tool arguments that satisfy the
 * tool's schema, and the request-reading helpers both providers share. Determinism lets tests
 * assert exact answers, token counts and which key served a call.
 */

/** 1-based index of the key among the configured ones, or undefined when it is unknown. */
export function keyNumber(keys: readonly string[], credential: string | undefined): number | undefined {
  if (credential === undefined) return undefined;
  const index = keys.indexOf(credential);
  return index === -1 ? undefined : index + 1;
}

/**
 * The fakes' tokenizer: a word with its trailing whitespace is one token. Deterministic and
 * lossless (joining the tokens gives the text back), which is all the tests need.
 */
export function tokenize(text: string): string[] {
  return text.match(/\s*\S+\s*/g) ?? [];
}

/** Rough prompt size (about four characters a token) so usage grows with the input. */
export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

/** Groups tokens into exactly `count` chunks, padding the text when it is too short. */
export function splitIntoChunks(text: string, requested: number): string[] {
  const count = Math.max(1, Math.floor(requested));
  const tokens = tokenize(text);
  while (tokens.length < count) tokens.push(` (${tokens.length + 1})`);
  const chunks: string[] = [];
  const perChunk = tokens.length / count;
  for (let index = 0; index < count; index += 1) {
    chunks.push(tokens.slice(Math.round(index * perChunk), Math.round((index + 1) * perChunk)).join(''));
  }
  return chunks;
}

/** Splits a JSON string into a few pieces, the way providers stream tool arguments. */
export function splitJson(json: string, pieceLength = 8): string[] {
  const pieces: string[] = [];
  for (let start = 0; start < json.length; start += pieceLength) {
    pieces.push(json.slice(start, start + pieceLength));
  }
  return pieces;
}

interface JsonSchemaLike {
  type?: unknown;
  enum?: unknown;
  properties?: unknown;
  required?: unknown;
}

/**
 * Builds deterministic arguments that satisfy a tool's JSON Schema: required properties (or all,
 * when none are marked) get a placeholder of their type, the first enum value when there is one.
 */
export function sampleArguments(schema: unknown): Record<string, unknown> {
  const shape = (schema ?? {}) as JsonSchemaLike;
  const properties = isRecord(shape.properties) ? shape.properties : {};
  const required = Array.isArray(shape.required)
    ? shape.required.filter((name): name is string => typeof name === 'string')
    : [];
  const names = required.length > 0 ? required : Object.keys(properties);
  const args: Record<string, unknown> = {};
  for (const name of names) args[name] = sampleValue(properties[name]);
  return args;
}

function sampleValue(schema: unknown): unknown {
  const shape = (schema ?? {}) as JsonSchemaLike;
  if (Array.isArray(shape.enum) && shape.enum.length > 0) return shape.enum[0];
  switch (shape.type) {
    case 'number':
    case 'integer':
      return 1;
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'object':
      return sampleArguments(shape);
    default:
      return 'fake-value';
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Concatenated text of a message `content` that is a string or an array of text parts. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => (isRecord(part) && typeof part['text'] === 'string' ? part['text'] : ''))
    .join('');
}

/** First occurrence of any stop sequence, as providers cut output there. */
export interface StopMatch {
  index: number;
  sequence: string;
}

export function findStop(text: string, stops: readonly string[]): StopMatch | undefined {
  let found: StopMatch | undefined;
  for (const sequence of stops) {
    const index = sequence === '' ? -1 : text.indexOf(sequence);
    if (index !== -1 && (found === undefined || index < found.index)) found = { index, sequence };
  }
  return found;
}
