/**
 * POST /v1/messages: the Anthropic-compatible surface, so tools built on Anthropic's API (Claude
 * Code, @anthropic-ai/sdk) work against Switchboard with any chat provider behind it.
 *
 *   validate (Anthropic's rules) → resolve model → anthropic: forward natively (body as sent)
 *                                               → else: Messages → chat request → the provider's
 *                                                 chat adapter → chat result/stream → Messages
 *   → meter once (operation `messages`).
 *
 * Errors, auth failures included, render in Anthropic's shape on this path (http/error-handler.ts).
 */
import type { Context } from 'hono';
import type { AppEnv } from '../../http/context.js';
import { readJsonObject } from '../../http/json-body.js';
import { AppError } from '../../platform/errors.js';
import { streamResponse } from '../chat-completions.js';
import { openRoutedCall, readErrorResponse, readJson, type GatewayCall, type GatewayDeps } from '../gateway-call.js';
import { toNormalizedUsage, type AnthropicUsage } from '../providers/anthropic/from-anthropic-response.js';
import { mapAnthropicError } from '../providers/anthropic/map-anthropic-error.js';
import type { ChatAdapter, ServiceId } from '../providers/provider.js';
import { estimatePromptTokens } from '../limits/token-estimate.js';
import { isAbort } from '../upstream-client.js';
import { createMessagesStreamEncoder, toMessagesResponse } from './from-chat-response.js';
import { buildNativeRequest, createNativeStreamTranslator, nativeSseEncoder } from './native-anthropic.js';
import { toChatRequest } from './to-chat-request.js';
import { validateMessagesRequest, type MessagesRequest } from './validate-messages.js';
import { chatWorstCase } from '../../metering/budgets/worst-case.js';
import { requestHeader } from '../../http/node-headers.js';

export interface MessagesDeps extends GatewayDeps {
  /** Chat adapters by service; `anthropic`'s is used only for the shape of its errors. */
  adapters: Partial<Record<ServiceId, ChatAdapter>>;
}

export function createMessagesHandler(deps: MessagesDeps) {
  return async function messages(c: Context<AppEnv>): Promise<Response> {
    const body = await readJsonObject(c);
    const request = validateMessagesRequest(body);
    const isStream = request.stream === true;
    const call = await openRoutedCall(c, deps, {
      model: request.model,
      operation: 'messages',
      stream: isStream,
      estimate: { promptTokens: () => estimatePromptTokens(request), maxOutputTokens: request.max_tokens },
      worstCase: () => chatWorstCase(body),
    });
    c.header('request-id', call.requestId);
    try {
      // One attempt per try of the fallback chain (retries, breakers: resilience/); each candidate
      // is forwarded natively (Anthropic) or translated, by its service.
      const sent = await call.attempt(async () =>
        call.target.service === 'anthropic' ? ({ native: true, ...(await sendNatively(c, call, body)) } as const) : ({ native: false, ...(await sendTranslated(deps, call, request)) } as const),
      );
      if (sent.native) return await answerNatively(c, call, sent, isStream);
      return await answerTranslated(c, call, sent, isStream);
    } catch (error) {
      throw call.fail(error);
    }
  };
}

async function sendNatively(c: Context<AppEnv>, call: GatewayCall, body: Record<string, unknown>) {
  const credential = await call.credential();
  const ctx = call.callContext(credential);
  const upstreamRequest = buildNativeRequest(body, ctx, {
    version: requestHeader(c, 'anthropic-version'),
    beta: requestHeader(c, 'anthropic-beta'),
  });
  const response = await call.send(upstreamRequest, credential);
  if (response.status >= 400) throw mapAnthropicError(await readErrorResponse(response), ctx);
  return { credential, ctx, response };
}

async function answerNatively(
  c: Context<AppEnv>,
  call: GatewayCall,
  { credential, ctx, response }: Awaited<ReturnType<typeof sendNatively>>,
  isStream: boolean,
): Promise<Response> {
  if (isStream) {
    return streamResponse(c, call.servedBy(credential), createNativeStreamTranslator(ctx), response, call.started, (outcome) => call.meter(outcome), {
      encoder: nativeSseEncoder,
      headers: { 'request-id': call.requestId },
    });
  }
  const text = await readText(response);
  let usage: AnthropicUsage | undefined;
  try {
    usage = (JSON.parse(text) as { usage?: AnthropicUsage }).usage;
  } catch {
    throw new AppError('provider_error', { message: 'anthropic: the response is not valid JSON.' });
  }
  call.meter({ status: 200, usage: toNormalizedUsage(usage) });
  return c.body(text, 200, { 'content-type': 'application/json' });
}

async function sendTranslated(deps: MessagesDeps, call: GatewayCall, request: MessagesRequest) {
  const service = call.target.service;
  const adapter = deps.adapters[service];
  if (!adapter) {
    const supported = ['anthropic', ...Object.keys(deps.adapters).filter((s) => s !== 'anthropic')];
    throw new AppError('invalid_request', {
      param: 'model',
      message: `model: messages through "${service}" are not supported. Supported services: ${supported.join(', ')}.`,
    });
  }
  // Refusals of untranslatable parameters come before the key is even looked up.
  const chatRequest = toChatRequest(request, service);
  const credential = await call.credential();
  const ctx = call.callContext(credential);
  const response = await call.send(adapter.buildChatRequest(chatRequest, ctx), credential);
  if (response.status >= 400) throw adapter.mapError(await readErrorResponse(response), ctx);
  return { adapter, chatRequest, credential, ctx, response };
}

async function answerTranslated(
  c: Context<AppEnv>,
  call: GatewayCall,
  { adapter, chatRequest, credential, ctx, response }: Awaited<ReturnType<typeof sendTranslated>>,
  isStream: boolean,
): Promise<Response> {
  if (isStream) {
    const translator = adapter.createStreamTranslator(chatRequest, ctx);
    return streamResponse(c, call.servedBy(credential), translator, response, call.started, (outcome) => call.meter(outcome), {
      encoder: createMessagesStreamEncoder({ requestId: call.requestId, model: ctx.model }),
      headers: { 'request-id': call.requestId },
    });
  }
  const result = adapter.parseChatResponse(await readJson(response), ctx);
  const message = toMessagesResponse(result, call.requestId, ctx.model);
  call.meter({ status: 200, usage: result.usage });
  return c.json(message, 200);
}

async function readText(response: { body: { text(): Promise<string> } }): Promise<string> {
  try {
    return await response.body.text();
  } catch (error) {
    if (isAbort(error)) throw error;
    throw new AppError('provider_unreachable', { message: 'anthropic: the response broke off.', cause: error });
  }
}
