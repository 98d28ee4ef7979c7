/**
 * Moving averages (EWMA) per `service/model`, in process: time to first byte of the answer
 * (the response headers; for streams that is when the first event can follow), output throughput
 * (tokens per second after the first byte) and error rate. They feed the `latency` strategy (a
 * model with no sample yet is "unknown" and sorts last) and GET /api/admin/health.
 */
export interface ModelStats {
  ttftMs: number | undefined;
  tokensPerSecond: number | undefined;
  errorRate: number;
  samples: number;
}

/** Answers shorter than this say nothing about a model's generation speed. */
const MIN_THROUGHPUT_TOKENS = 8;

const ALPHA = 0.2;

export function createLatencyStats() {
  const stats = new Map<string, ModelStats>();
  const get = (key: string) => {
    let entry = stats.get(key);
    if (!entry) {
      entry = { ttftMs: undefined, tokensPerSecond: undefined, errorRate: 0, samples: 0 };
      stats.set(key, entry);
    }
    return entry;
  };
  return {
    success(key: string, ttftMs: number) {
      const entry = get(key);
      entry.ttftMs = entry.ttftMs === undefined ? ttftMs : entry.ttftMs + ALPHA * (ttftMs - entry.ttftMs);
      entry.errorRate = entry.errorRate * (1 - ALPHA);
      entry.samples += 1;
    },
    /** A finished answer: `outputTokens` generated in `generationMs` (from first byte to end). */
    throughput(key: string, outputTokens: number, generationMs: number) {
      if (outputTokens < MIN_THROUGHPUT_TOKENS || generationMs <= 0) return;
      const entry = get(key);
      const rate = outputTokens / (generationMs / 1000);
      entry.tokensPerSecond = entry.tokensPerSecond === undefined ? rate : entry.tokensPerSecond + ALPHA * (rate - entry.tokensPerSecond);
    },
    failure(key: string) {
      const entry = get(key);
      entry.errorRate = entry.errorRate * (1 - ALPHA) + ALPHA;
      entry.samples += 1;
    },
    ttftOf(key: string): number | undefined {
      return stats.get(key)?.ttftMs;
    },
    list() {
      return [...stats.entries()].map(([model, entry]) => ({
        model,
        ttft_ms: entry.ttftMs === undefined ? null : Math.round(entry.ttftMs),
        tokens_per_second: entry.tokensPerSecond === undefined ? null : Math.round(entry.tokensPerSecond * 10) / 10,
        error_rate: Math.round(entry.errorRate * 1000) / 1000,
        samples: entry.samples,
      }));
    },
  };
}

export type LatencyStats = ReturnType<typeof createLatencyStats>;
