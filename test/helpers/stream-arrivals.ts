/**
 * Reads a streamed (SSE) response body the way a client sees it arrive: each read of the body
 * stream, and when it came. Used to show that a proxy passes a stream through chunk by chunk
 * (OPS.md check 11) rather than buffering it.
 */
import { expect } from 'vitest';

export interface StreamArrivals {
  /** Everything received. */
  text: string;
  /** performance.now() of the first read with any bytes. */
  firstReadAt: number;
  /** performance.now() of each read that carried a content delta. */
  contentReads: number[];
}

export async function readArrivals(response: Response): Promise<StreamArrivals> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const contentReads: number[] = [];
  let firstReadAt: number | undefined;
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    firstReadAt ??= performance.now();
    const piece = decoder.decode(value, { stream: true });
    if (piece.includes('"content"')) contentReads.push(performance.now());
    text += piece;
  }
  if (firstReadAt === undefined) throw new Error('the stream ended without a byte');
  return { text, firstReadAt, contentReads };
}

/**
 * A complete stream of `events` content events, arriving unbuffered: at least `minReads` separate
 * reads carried content, spread over more than `minSpreadMs` (not in one piece at the end).
 */
export function expectChunked(arrivals: StreamArrivals, options: { events: number; minReads: number; minSpreadMs: number }): void {
  expect(arrivals.text).toContain('data: [DONE]');
  expect(arrivals.text.match(/"content":"[^"]/g)?.length).toBeGreaterThanOrEqual(options.events);
  expect(arrivals.contentReads.length).toBeGreaterThanOrEqual(options.minReads);
  expect(arrivals.contentReads.at(-1)! - arrivals.contentReads[0]!).toBeGreaterThan(options.minSpreadMs);
}
