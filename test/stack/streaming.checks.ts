/**
 * OPS.md check 11 on the loopback stack: nginx adds next to nothing to a stream and does not buffer
 * it. Over 20 streams each way (interleaved, so both see the same machine), the median time to the
 * first chunk through nginx is at most 5 ms above the median straight to a replica; and a 10-event
 * stream the fake spreads over 1 s arrives through nginx as ≥ 10 separate reads.
 */
import { describe, expect, it } from 'vitest';
import type { Scenario } from '../fakes/fake-server.js';
import { expectChunked, readArrivals } from '../helpers/stream-arrivals.js';
import { chatBody, REPLICAS, type StackContext } from './harness.js';

const STREAMS = 20;
const MAX_ADDED_MS = 5;

const median = (values: number[]): number => {
  const sorted = [...values].sort((x, y) => x - y);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/** A short stream the fake sends at once: what is timed is the path, not the provider's pace. */
const QUICK: Scenario = { kind: 'slow-stream', chunks: 2, intervalMs: 0 };

/**
 * A streamed chat through `base`, the fake answering it with `scenario`: milliseconds from sending it
 * to the first bytes of the body, and what arrived when.
 */
async function stream(ctx: StackContext, base: string, scenario: Scenario) {
  const { stack, owner } = ctx;
  stack.openai.enqueue(scenario);
  const started = performance.now();
  const response = await fetch(`${base}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${owner.token}` },
    body: chatBody({ stream: true }),
  });
  expect(response.status).toBe(200);
  const arrivals = await readArrivals(response);
  expect(arrivals.text).toContain('data: [DONE]');
  return { firstChunkMs: arrivals.firstReadAt - started, arrivals };
}

export function streamingChecks(ctx: () => StackContext): void {
  describe('streaming through nginx (check 11)', () => {
    it(`adds ≤ ${MAX_ADDED_MS} ms to the median time to first chunk over ${STREAMS} streams`, async () => {
      const { stack } = ctx();
      // Warm connections (client → nginx, nginx → each replica, client → each replica) first.
      for (const base of [stack.edge, stack.edge, ...REPLICAS.map((name) => stack.replica[name])]) await stream(ctx(), base, QUICK);
      const viaNginx: number[] = [];
      const direct: number[] = [];
      for (let i = 0; i < STREAMS; i += 1) {
        // Alternate which goes first, and which replica is the direct one.
        const replica = stack.replica[REPLICAS[i % REPLICAS.length]!];
        const pair = i % 2 === 0 ? [stack.edge, replica] : [replica, stack.edge];
        for (const base of pair) (base === stack.edge ? viaNginx : direct).push((await stream(ctx(), base, QUICK)).firstChunkMs);
      }
      const added = median(viaNginx) - median(direct);
      console.info(`[stack] time to first chunk: median ${median(viaNginx).toFixed(1)} ms through nginx, ${median(direct).toFixed(1)} ms direct (+${added.toFixed(1)} ms)`);
      expect(added).toBeLessThanOrEqual(MAX_ADDED_MS);
    });

    it('passes a 10-event stream spread over 1 s as ≥ 10 separate chunks', async () => {
      const { stack } = ctx();
      const { arrivals } = await stream(ctx(), stack.edge, { kind: 'slow-stream', chunks: 10, intervalMs: 100 });
      expectChunked(arrivals, { events: 10, minReads: 10, minSpreadMs: 800 });
    });
  });
}
