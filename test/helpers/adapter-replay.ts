/**
 * Shared by the provider adapter tests: read the recorded fixtures, replay recorded SSE bytes
 * through the real parser and a translator, split at arbitrary byte boundaries, capture thrown
 * AppErrors and compare mapped errors with their fixtures.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { AppError, type ErrorCode } from '../../src/platform/errors.js';
import type { ChatCompletionRequest } from '../../src/gateway/chat-types.js';
import type { CallContext, StreamTranslator, UpstreamRequest } from '../../src/gateway/providers/provider.js';
import { SseParser } from '../../src/gateway/sse.js';

/** Feed raw bytes, split into `chunks`, through the real SSE parser and a fresh translator. */
export function runStream(chunks: Uint8Array[], translator: StreamTranslator): string[] {
  const parser = new SseParser();
  const payloads: string[] = [];
  for (const chunk of chunks) for (const event of parser.push(chunk)) payloads.push(...translator.onEvent(event));
  for (const event of parser.end()) payloads.push(...translator.onEvent(event));
  payloads.push(...translator.onEnd());
  return payloads;
}

export function splitAt(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts)].filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b);
  return [0, ...points].map((start, i) => bytes.subarray(start, points[i] ?? bytes.length));
}

export const everyByte = (bytes: Uint8Array): Uint8Array[] => splitAt(bytes, Array.from(bytes.keys()));

/** Capture what a function throws, failing the test if it does not throw an AppError. */
export function thrown(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

/** One recorded provider error (`__fixtures__/errors.json`) and the AppError it must map to. */
export interface ErrorFixture {
  name: string;
  status: number;
  headers: Record<string, string | string[]>;
  json?: unknown;
  text?: string;
  expected: { code: ErrorCode; status: number; retryable: boolean; retryAfterSeconds?: number; message?: string };
}

/** The raw body of a recorded error: its text, or its JSON serialised. */
export const errorBody = (fixture: ErrorFixture): string => fixture.text ?? JSON.stringify(fixture.json);

/** Assert that a mapped error is what its recorded fixture expects. */
export function expectMappedError(error: AppError, expected: ErrorFixture['expected']): void {
  expect(error).toBeInstanceOf(AppError);
  expect({ code: error.code, status: error.status, retryable: error.retryable }).toEqual({
    code: expected.code,
    status: expected.status,
    retryable: expected.retryable,
  });
  expect(error.retryAfterSeconds).toBe(expected.retryAfterSeconds);
  if (expected.message !== undefined) expect(error.publicMessage).toBe(expected.message);
}

/** Fixtures hold `{{API_KEY}}` where the caller's key appears, so no real-looking key is checked in. */
export const withApiKey = (text: string, apiKey: string): string => text.split('{{API_KEY}}').join(apiKey);

/** The call context the fixtures were recorded with; only the model, key and base URL differ per provider. */
export function fixtureContext(fields: Pick<CallContext, 'model' | 'apiKey' | 'baseUrl'>): CallContext {
  return { ...fields, requestId: 'req_sb_01', createdAt: 1767225600, includeUsage: false };
}

/** Readers for the `__fixtures__` folder beside a test file (pass its `import.meta.url`). */
export function createFixtureReader(testFileUrl: string, transform: (text: string) => string = (text) => text) {
  const fixtureUrl = (name: string): URL => new URL(`./__fixtures__/${name}`, testFileUrl);
  return {
    fixtureUrl,
    readJson: <T>(name: string): T => JSON.parse(transform(readFileSync(fixtureUrl(name), 'utf8'))) as T,
    readBytes: (name: string): Uint8Array => new Uint8Array(readFileSync(fixtureUrl(name))),
  };
}

/** An upstream request with its JSON body parsed, to compare with a fixture's `upstreamRequest`. */
export const withParsedBody = (upstream: UpstreamRequest): Omit<UpstreamRequest, 'body'> & { body: unknown } => ({
  ...upstream,
  body: JSON.parse(upstream.body ?? 'null') as unknown,
});

/**
 * A recorded request/response pair (`__fixtures__/<name>.json`): the client's request, the exact
 * upstream request it must become, the provider's answer and the normalised result.
 */
export interface PairFixture<Req = ChatCompletionRequest> {
  description: string;
  model?: string;
  baseUrl?: string;
  request: Req;
  upstreamRequest: { method: string; url: string; headers: Record<string, string>; body: unknown };
  upstreamResponse: unknown;
  expected: { body?: unknown; usage: unknown; finishReason?: string };
}

/** One user message saying "Hi" to `model`, plus whatever parameters a test adds. */
export const minimalChatRequest = (model: string, extra: Record<string, unknown> = {}): ChatCompletionRequest => ({
  model,
  messages: [{ role: 'user', content: 'Hi' }],
  ...extra,
});

/** The SSE bytes with every line end rewritten to `eol` (JSON's own "\n" escapes are two characters, not line ends). */
export function withLineEndings(bytes: Uint8Array, eol: '\n' | '\r\n' | '\r'): Uint8Array {
  return new Uint8Array(Buffer.from(Buffer.from(bytes).toString('utf8').replace(/\n/g, eol), 'utf8'));
}

/** The translator's payloads as the JSON objects a client receives. */
export const parsePayloads = (payloads: string[]): unknown[] => payloads.map((payload) => JSON.parse(payload) as unknown);
