/**
 * Shared by the provider adapter tests: replay recorded SSE bytes through the real parser and a
 * translator, split at arbitrary byte boundaries, and capture thrown AppErrors.
 */
import { AppError, type ErrorCode } from '../../src/platform/errors.js';
import type { StreamTranslator } from '../../src/gateway/providers/provider.js';
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
