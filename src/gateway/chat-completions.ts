/**
 * POST /v1/chat/completions: the gateway's request path.
 *
 *   parse + validate → resolve model → caller's integration (cached) → adapter builds the
 *   upstream request → pooled undici call with deadlines → translate JSON or SSE back →
 *   meter (tokens, cost, latency, TTFT) into the batched usage recorder.
 *
 * No database query happens here in steady state: credentials come from the vault's cache and
 * usage goes to an in-memory batch.
 */
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Context } from 'hono';
import type { AppEnv } from '../http/context.js';
import { respondDirectly } from '../http/direct-response.js';
import { readJsonObject } from '../http/json-body.js';
import { AppError, toAppError, toErrorBody } from '../platform/errors.js';
import type { ChatCompletionRequest, ChatFinishReason } from './chat-types.js';
import { CLIENT_CLOSED_STATUS, openRoutedCall, readErrorResponse, readJsonWithText, type GatewayDeps, type Outcome } from './gateway-call.js';
import type { ChatAdapter, NormalizedUsage, ServiceId, StreamTranslator } from './providers/provider.js';
import { deliveredTextChars, estimatePromptTokens, tokensForChars } from './limits/token-estimate.js';
import { SseParser, type SseEvent } from './sse.js';
import { classifyUpstreamFailure, type UpstreamResponse } from './upstream-client.js';
import { chatWorstCase } from '../metering/budgets/worst-case.js';

export interface ChatCompletionsDeps extends GatewayDeps {
  adapters: Partial<Record<ServiceId, ChatAdapter>>;
}

export function validateChatRequest(body: Record<string, unknown>): ChatCompletionRequest {
  if (typeof body.model !== 'string' || body.model.length === 0 || body.model.length > 256) {
    throw new AppError('invalid_request', { param: 'model', message: 'model is required: a string such as "openai/gpt-4o-mini".' });
  }
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    throw new AppError('invalid_request', { param: 'messages', message: 'messages must be a non-empty array.' });
  }
  for (const [index, message] of body.messages.entries()) {
    if (typeof message !== 'object' || message === null || typeof (message as { role?: unknown }).role !== 'string') {
      throw new AppError('invalid_request', { param: `messages[${index}]`, message: `messages[${index}] must be an object with a role.` });
    }
  }
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean') {
    throw new AppError('invalid_request', { param: 'stream', message: 'stream must be a boolean.' });
  }
  return body as ChatCompletionRequest;
}

export function createChatCompletionsHandler(deps: ChatCompletionsDeps) {
  return async function chatCompletions(c: Context<AppEnv>): Promise<Response> {
    const request = validateChatRequest(await readJsonObject(c));
    const isStream = request.stream === true;
    const call = await openRoutedCall(c, deps, {
      model: request.model,
      operation: 'chat',
      stream: isStream,
      estimate: { promptTokens: () => estimatePromptTokens(request), maxOutputTokens: request.max_completion_tokens ?? request.max_tokens },
      worstCase: () => chatWorstCase(request),
    });
    try {
      // One attempt per try of the fallback chain (retries, breakers: resilience/).
      const { adapter, credential, ctx, response } = await call.attempt(async () => {
        const adapter = deps.adapters[call.target.service];
        if (!adapter) {
          throw new AppError('invalid_request', {
            param: 'model',
            message: `Chat completions through "${call.target.service}" are not supported yet. Supported: ${Object.keys(deps.adapters).join(', ')}.`,
          });
        }
        const credential = await call.credential();
        const ctx = call.callContext(credential, { includeUsage: request.stream_options?.include_usage === true });
        const response = await call.send(adapter.buildChatRequest(request, ctx), credential);
        if (response.status >= 400) throw adapter.mapError(await readErrorResponse(response), ctx);
        return { adapter, credential, ctx, response };
      });

      if (!isStream) {
        const upstream = await readJsonWithText(response);
        const result = adapter.parseChatResponse(upstream.value, ctx);
        call.meter({ status: 200, usage: result.usage, finishReason: result.finishReason });
        // Passed through unchanged (OpenAI and compatible services): the provider's bytes as they came.
        // (A fresh header record: the response may keep the object it is given.)
        return result.body === upstream.value ? c.body(upstream.text, 200, { 'content-type': 'application/json' }) : c.json(result.body, 200);
      }
      const translator = adapter.createStreamTranslator(request, ctx);
      return streamResponse(c, call.servedBy(credential), translator, response, call.started, (outcome) => call.meter(outcome));
    } catch (error) {
      throw call.fail(error);
    }
  };
}

const encoder = new TextEncoder();
const DONE = 'data: [DONE]\n\n';

/**
 * How the relay writes for its client: chat chunk payloads (what adapters' stream translators
 * produce) in, the client's SSE text out. Chat completions write each payload as a `data:` line;
 * `/v1/messages` re-encodes them as Anthropic events. `encode` runs once per upstream chunk, so an
 * encoder for the chat hot path must not parse payloads.
 */
export interface SseClientEncoder {
  /** Text for the payloads of one upstream chunk ('' when there is nothing to send). */
  encode(payloads: string[]): string;
  /** The upstream ended cleanly: text for its trailing payloads, with the stream's terminator. */
  end(payloads: string[], summary: { usage: NormalizedUsage; finishReason: ChatFinishReason | undefined }): string;
  /** The event that ends a stream failing after its first byte. */
  error(error: AppError, requestId: string): string;
}

function encodeChatPayloads(payloads: string[]): string {
  let text = '';
  for (const payload of payloads) text += `data: ${payload}\n\n`;
  return text;
}

/** OpenAI Chat Completions SSE: every payload as `data:`, `data: [DONE]` last, errors in our error shape. */
export const chatSseEncoder: SseClientEncoder = {
  encode: encodeChatPayloads,
  end: (payloads) => encodeChatPayloads(payloads) + DONE,
  error: (error) => `data: ${JSON.stringify(toErrorBody(error))}\n\n`,
};

const STREAM_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  'x-accel-buffering': 'no',
};

/**
 * The translation half of the SSE relay, shared by both ways of writing it out: upstream bytes in,
 * client SSE text out (every event of one upstream chunk in one string), metering once at the end.
 */
export function createSseRelay(
  c: Context<AppEnv>,
  translator: StreamTranslator,
  started: number,
  finish: (outcome: Outcome) => void,
  client: SseClientEncoder = chatSseEncoder,
) {
  const parser = new SseParser();
  let ttftMs: number | undefined;
  let settled = false;
  // Text delivered so far: what an interrupted stream is billed for (see token-estimate.ts).
  let deliveredChars = 0;
  const encode = (payloads: string[]): string => {
    if (payloads.length === 0) return '';
    ttftMs ??= Math.round(performance.now() - started);
    for (const payload of payloads) deliveredChars += deliveredTextChars(payload);
    return client.encode(payloads);
  };
  /**
   * A stream that ended early is billed the prompt (the gateway fills in its estimate when the
   * provider never reported it) plus the delivered text, unless the provider's own counts are
   * already at least that; either estimate marks the usage `estimated`.
   */
  const interruptedUsage = (): { usage: NormalizedUsage; estimated: boolean } => {
    const usage = { ...translator.usage() };
    const delivered = tokensForChars(deliveredChars);
    let estimated = usage.inputTokens === undefined;
    if (usage.outputTokens === undefined || usage.outputTokens < delivered) {
      usage.outputTokens = delivered;
      estimated = true;
    }
    return { usage, estimated };
  };
  const translate = (events: SseEvent[]): string[] => {
    if (events.length === 1) return translator.onEvent(events[0]!);
    const payloads: string[] = [];
    for (const event of events) payloads.push(...translator.onEvent(event));
    return payloads;
  };
  const relay = {
    /** The client text for one upstream chunk ('' when it completed no event). Throws on an upstream error event. */
    chunk: (bytes: Uint8Array): string => encode(translate(parser.push(bytes))),
    /** Upstream ended: trailing events and `[DONE]`. Throws when the upstream ended early. */
    end: (): string => {
      const tail = translate(parser.end());
      tail.push(...translator.onEnd());
      if (tail.length > 0) ttftMs ??= Math.round(performance.now() - started);
      return client.end(tail, { usage: translator.usage(), finishReason: translator.finishReason() });
    },
    /** A failure after the first byte: the error event (in the client encoder's shape) that ends the stream. */
    fail: (error: unknown): { text: string; status: number } => {
      const appError = toAppError(error instanceof AppError ? error : classifyUpstreamFailure(error));
      c.get('logger').warn({ code: appError.code, source: appError.source }, 'stream ended with an error');
      relay.settle({ status: appError.status, error: appError });
      return { text: client.error(appError, c.get('requestId')), status: appError.status };
    },
    settle: (outcome: Omit<Outcome, 'usage' | 'ttftMs'>) => {
      if (settled) return;
      settled = true;
      const counts = outcome.status === 200 ? { usage: translator.usage(), finishReason: translator.finishReason() } : interruptedUsage();
      finish({ ...outcome, ...counts, ...(ttftMs !== undefined ? { ttftMs } : {}) });
    },
    get settled() {
      return settled;
    },
  };
  return relay;
}

export type SseRelay = ReturnType<typeof createSseRelay>;

/**
 * Relay an upstream SSE stream through the adapter's translator. Failures after the first byte
 * cannot change the HTTP status any more, so they end the stream with an error event in our error
 * shape (which the OpenAI SDKs raise as an APIError).
 *
 * With a Node response (the server) the bytes go straight to it (decision 0008); under
 * `app.request()` through a web ReadableStream.
 */
export function streamResponse(
  c: Context<AppEnv>,
  servedBy: Record<string, string>,
  translator: StreamTranslator,
  upstream: UpstreamResponse,
  started: number,
  finish: (outcome: Outcome) => void,
  client?: { encoder: SseClientEncoder; headers?: Record<string, string> },
): Response {
  const relay = createSseRelay(c, translator, started, finish, client?.encoder);
  const headers = { ...STREAM_HEADERS, 'x-request-id': c.get('requestId'), ...servedBy, ...client?.headers };
  if (c.env?.outgoing) {
    return respondDirectly(c, 200, headers, {
      start: (outgoing, status, finalHeaders) => relayToNode(outgoing, status, finalHeaders, upstream, relay),
      cancel: () => {
        upstream.body.destroy();
        relay.settle({ status: CLIENT_CLOSED_STATUS, errorCode: 'client_closed_request' });
      },
    });
  }
  return new Response(relayToWebStream(upstream, relay), { status: 200, headers });
}

/**
 * Upstream chunks → one `write()` each on the Node response, paused while the client's socket is
 * full. Resolves with the status the stream ended with (200, the error's, or 499) for the access log.
 */
export function relayToNode(
  outgoing: ServerResponse,
  status: number,
  headers: OutgoingHttpHeaders,
  upstream: UpstreamResponse,
  relay: SseRelay,
): Promise<number> {
  const body = upstream.body;
  return new Promise<number>((resolve) => {
    let ended = false;
    let wrote = false;
    let finalStatus = 200;
    const done = () => {
      ended = true;
      body.off('data', onData);
      body.off('end', onEnd);
      outgoing.off('drain', onDrain);
      resolve(finalStatus);
    };
    const failWith = (error: unknown) => {
      if (ended) return;
      const { text, status: errorStatus } = relay.fail(error);
      finalStatus = errorStatus;
      body.destroy();
      outgoing.end(text);
      done();
    };
    const onData = (chunk: Uint8Array) => {
      if (ended) return;
      let text: string;
      try {
        text = relay.chunk(chunk);
      } catch (error) {
        failWith(error);
        return;
      }
      if (text === '') return;
      wrote = true;
      if (!outgoing.write(text)) body.pause();
    };
    const onDrain = () => {
      if (!ended) body.resume();
    };
    const onEnd = () => {
      if (ended) return;
      let text: string;
      try {
        text = relay.end();
      } catch (error) {
        failWith(error);
        return;
      }
      outgoing.end(text);
      relay.settle({ status: 200 });
      done();
    };
    const onClose = () => {
      if (ended || outgoing.writableFinished) return;
      finalStatus = CLIENT_CLOSED_STATUS;
      body.destroy();
      relay.settle({ status: CLIENT_CLOSED_STATUS, errorCode: 'client_closed_request' });
      done();
    };

    outgoing.once('close', onClose);
    if (outgoing.destroyed) {
      onClose();
      return;
    }
    outgoing.writeHead(status, headers);
    // Headers go out with the first write; if the first event is not already here, send them now,
    // as a client may be waiting on them.
    setImmediate(() => {
      if (!wrote && !ended && !outgoing.destroyed) outgoing.flushHeaders();
    });
    outgoing.on('drain', onDrain);
    body.on('error', failWith);
    body.on('end', onEnd);
    body.on('data', onData);
  });
}

function relayToWebStream(upstream: UpstreamResponse, relay: SseRelay): ReadableStream<Uint8Array> {
  const chunks = upstream.body[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        for (;;) {
          const next = await chunks.next();
          if (next.done) {
            controller.enqueue(encoder.encode(relay.end()));
            controller.close();
            relay.settle({ status: 200 });
            return;
          }
          const text = relay.chunk(next.value as Uint8Array);
          if (text !== '') {
            controller.enqueue(encoder.encode(text));
            return;
          }
        }
      } catch (error) {
        controller.enqueue(encoder.encode(relay.fail(error).text));
        controller.close();
        upstream.body.destroy();
      }
    },
    cancel() {
      upstream.body.destroy();
      relay.settle({ status: CLIENT_CLOSED_STATUS, errorCode: 'client_closed_request' });
    },
  });
}
