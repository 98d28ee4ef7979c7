/**
 * Models served by Anthropic take the Messages request natively: the body goes as the client sent
 * it (only `model` becomes Anthropic's own id), so everything Anthropic supports (cache_control,
 * thinking, server tools, betas, …) keeps working. Pure translation, no I/O: the handler sends.
 *
 * Checked against the Messages API reference (headers `x-api-key`, `anthropic-version`,
 * `anthropic-beta`; the SSE event sequence) and @anthropic-ai/sdk 1.12 src/core/streaming.ts.
 */
import { createAnthropicStreamTranslator } from '../providers/anthropic/from-anthropic-response.js';
import { ANTHROPIC_VERSION } from '../providers/anthropic/to-anthropic-request.js';
import type { SseClientEncoder } from '../chat-completions.js';
import type { CallContext, StreamTranslator, UpstreamRequest } from '../providers/provider.js';
import type { SseEvent } from '../sse.js';
import { anthropicErrorEvent } from './from-chat-response.js';

export interface NativeHeaders {
  /** The client's `anthropic-version`: its body is written for that version. */
  version: string | undefined;
  /** The client's `anthropic-beta`: the features its body uses. */
  beta: string | undefined;
}

/** A header value fit to forward: one line of printable ASCII (no header injection). */
const SAFE_HEADER_VALUE = /^[\x20-\x7e]{1,1024}$/;

export function buildNativeRequest(body: Record<string, unknown>, ctx: CallContext, client: NativeHeaders): UpstreamRequest {
  const headers: Record<string, string> = {
    'x-api-key': ctx.apiKey,
    'anthropic-version': client.version !== undefined && SAFE_HEADER_VALUE.test(client.version) ? client.version : ANTHROPIC_VERSION,
    'content-type': 'application/json',
    accept: body.stream === true ? 'text/event-stream' : 'application/json',
  };
  if (client.beta !== undefined && SAFE_HEADER_VALUE.test(client.beta)) headers['anthropic-beta'] = client.beta;
  return {
    method: 'POST',
    url: `${ctx.baseUrl}/v1/messages`,
    headers,
    body: JSON.stringify({ ...body, model: ctx.model }),
  };
}

/** Re-frames one upstream event; `data` is relayed exactly as Anthropic sent it. */
function frame(event: SseEvent): string {
  const name = event.event === undefined ? '' : `event: ${event.event}\n`;
  return `${name}data: ${event.data.split('\n').join('\ndata: ')}\n\n`;
}

/**
 * Relays Anthropic's events unchanged while the adapter's translator reads them for metering
 * (usage from message_start and message_delta), error events and a stream cut before
 * message_stop; its chat chunk output is discarded.
 */
export function createNativeStreamTranslator(ctx: CallContext): StreamTranslator {
  const reader = createAnthropicStreamTranslator({ ...ctx, includeUsage: false });
  return {
    onEvent(event) {
      reader.onEvent(event);
      return [frame(event)];
    },
    onEnd() {
      reader.onEnd();
      return [];
    },
    usage: () => reader.usage(),
    finishReason: () => reader.finishReason(),
  };
}

/** Payloads are already framed events; errors end the stream with Anthropic's error event. */
export const nativeSseEncoder: SseClientEncoder = {
  encode: (payloads) => payloads.join(''),
  end: (payloads) => payloads.join(''),
  error: anthropicErrorEvent,
};
