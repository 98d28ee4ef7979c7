/**
 * A request's worst-case usage, priced before the call to reserve against budgets: prompt tokens
 * estimated from the request's size (one token per 3 bytes of its JSON: above the ~4 of English
 * text, so the estimate errs high), plus the output cap (`max_completion_tokens`, `max_tokens`,
 * else DEFAULT_MAX_OUTPUT_TOKENS); images n × per-image; video seconds × per-second.
 */
import type { NormalizedUsage } from '../../gateway/providers/provider.js';
import type { PriceCatalog } from '../price-catalog.js';

/** The output cap assumed for a chat request that sets none. */
export const DEFAULT_MAX_OUTPUT_TOKENS = 4096;

const promptTokens = (...parts: unknown[]) => Math.ceil(parts.reduce<number>((sum, part) => sum + (part === undefined ? 0 : Buffer.byteLength(JSON.stringify(part))), 0) / 3);
const positive = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined);

export function chatWorstCase(request: { messages?: unknown; tools?: unknown; system?: unknown; max_tokens?: unknown; max_completion_tokens?: unknown; n?: unknown }): NormalizedUsage {
  const choices = positive(request.n) ?? 1;
  return {
    inputTokens: promptTokens(request.messages, request.tools, request.system),
    outputTokens: (positive(request.max_completion_tokens) ?? positive(request.max_tokens) ?? DEFAULT_MAX_OUTPUT_TOKENS) * choices,
  };
}

export function embeddingsWorstCase(request: { input?: unknown }): NormalizedUsage {
  return { inputTokens: promptTokens(request.input), outputTokens: 0 };
}

export function imagesWorstCase(request: { n?: unknown; size?: unknown; quality?: unknown }): NormalizedUsage {
  const size = typeof request.size === 'string' ? request.size : undefined;
  const quality = typeof request.quality === 'string' ? request.quality : undefined;
  const variant = size && quality ? `${size}/${quality}` : size;
  return { images: positive(request.n) ?? 1, ...(variant ? { imageVariant: variant } : {}) };
}

/** The length a video request without `seconds` is reserved for (providers default to 4–8 s). */
export const DEFAULT_VIDEO_SECONDS = 10;

export function videoWorstCase(request: { seconds?: unknown }): NormalizedUsage {
  const seconds = Number(request.seconds);
  return { videoSeconds: Number.isFinite(seconds) && seconds > 0 ? seconds : DEFAULT_VIDEO_SECONDS };
}

/** Micro-dollars; 0 for an unpriced model or a local one (let through, see docs/decisions). */
export function worstCaseMicros(catalog: Pick<PriceCatalog, 'costOf'>, service: string, model: string, usage: NormalizedUsage | undefined): number {
  if (!usage || service === 'local') return 0;
  return catalog.costOf(service, model, usage).costMicros ?? 0;
}
