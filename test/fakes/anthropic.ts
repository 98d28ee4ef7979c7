/**
 * A fake Anthropic Messages API speaking the real wire format: `POST /v1/messages` answering a
 * `message` object, or the named-event SSE sequence (message_start, content_block_start, ping,
 * content_block_delta, content_block_stop, message_delta, message_stop); errors as
 * `{"type":"error","error":{type,message},"request_id"}` with a `request-id` header. Shapes were
 * checked against @anthropic-ai/sdk 1.12 (types, Stream, MessageStream), the API docs and
 * recorded API traffic.
 */
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import {
  contentText,
  estimateTokens,
  findStop,
  isRecord,
  keyNumber,
  sampleArguments,
  splitIntoChunks,
  splitJson,
  tokenize,
} from './fake-answer.js';
import {
  cutStream,
  delay,
  openSse,
  randomId,
  sendJson,
  sendTruncatedJson,
  startFakeServer,
  scenarioForModel,
  writeSseEvents,
} from './fake-server.js';
import type { FakeExchange, FakeProvider, Scenario, SseEvent } from './fake-server.js';

export interface FakeAnthropicOptions {
  /** Keys the fake accepts; the answer names which one (1-based) served the call. */
  keys: readonly string[];
  /** Processing time before any response byte, for every accepted request. */
  latencyMs?: number;
  /** Pause between SSE events of ordinary streams (slow-stream scenarios set their own). */
  streamIntervalMs?: number;
  /** Listening port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
}

/**
 * `2023-06-01` is what most clients send; `2026-10-21` is what @anthropic-ai/sdk 1.x sends;
 * `2023-01-01` is the initial release. The API rejects any other value.
 */
export const ANTHROPIC_VERSIONS = ['2023-01-01', '2023-06-01', '2026-10-21'];

/** The deterministic answer, so tests can assert which of the user's keys served the call. */
export function anthropicAnswer(keyIndex: number): string {
  return `Hello from fake-anthropic (key #${keyIndex}).`;
}

export async function startFakeAnthropic(options: FakeAnthropicOptions): Promise<FakeProvider> {
  const server = await startFakeServer({
    port: options.port,
    readCredential: (headers) => readCredential(headers)?.value,
    handle: (exchange) => handleAnthropic(exchange, options),
  });
  // @anthropic-ai/sdk appends `/v1/messages` itself, so its base URL is the bare origin.
  return { baseUrl: server.origin, requests: server.requests, enqueue: server.enqueue, close: server.close };
}

interface Credential {
  /** The API accepts a key in `x-api-key` or, as SDK 1.x sends it, as `Authorization: Bearer`. */
  scheme: 'x-api-key' | 'bearer';
  value: string;
}

function readCredential(headers: IncomingHttpHeaders): Credential | undefined {
  const apiKey = headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey !== '') return { scheme: 'x-api-key', value: apiKey };
  const bearer = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? '')?.[1]?.trim();
  return bearer === undefined ? undefined : { scheme: 'bearer', value: bearer };
}

// ---------------------------------------------------------------------------------------------
// Routing and validation

async function handleAnthropic(exchange: FakeExchange, options: FakeAnthropicOptions): Promise<void> {
  const { request, res } = exchange;
  const requestId = `req_011C${randomId(20, BASE58)}`;
  const headers = responseHeaders(requestId);

  if (`${request.method} ${request.path}` !== 'POST /v1/messages') {
    sendError(res, 404, errorBody('not_found_error', 'Not Found', requestId), headers);
    return;
  }
  const credential = readCredential(request.headers);
  const key = keyNumber(options.keys, credential?.value);
  if (key === undefined) {
    sendError(res, 401, errorBody('authentication_error', authenticationMessage(credential), requestId), headers);
    return;
  }
  const versionProblem = checkVersion(request.headers['anthropic-version']);
  const parsed =
    versionProblem === undefined ? parseMessagesRequest(request.rawBody, request.body) : { error: versionProblem };
  if ('error' in parsed) {
    sendError(res, 400, errorBody('invalid_request_error', parsed.error, requestId), headers);
    return;
  }
  const scenario = exchange.takeScenario() ?? scenarioForModel(parsed.model);
  await delay(options.latencyMs);
  await answer({ res, request: parsed, key, scenario, headers, requestId, options });
}

function authenticationMessage(credential: Credential | undefined): string {
  if (credential === undefined) return 'x-api-key header is required';
  return credential.scheme === 'x-api-key' ? 'invalid x-api-key' : 'Invalid bearer token';
}

function checkVersion(version: string | string[] | undefined): string | undefined {
  if (version === undefined || version === '') return 'anthropic-version: header is required';
  const value = Array.isArray(version) ? version.join(', ') : version;
  return ANTHROPIC_VERSIONS.includes(value) ? undefined : `anthropic-version: "${value}" is not a valid version`;
}

interface MessagesRequest {
  model: string;
  stream: boolean;
  maxTokens: number;
  stopSequences: string[];
  tool: { name: string; schema: unknown; forced: boolean } | undefined;
  inputTokens: number;
}

function parseMessagesRequest(rawBody: string, body: unknown): MessagesRequest | { error: string } {
  if (!isRecord(body)) {
    return { error: rawBody === '' ? 'model: Field required' : 'There was an error parsing the body: invalid JSON' };
  }
  for (const field of ['model', 'messages', 'max_tokens']) {
    if (body[field] === undefined) return { error: `${field}: Field required` };
  }
  if (typeof body['model'] !== 'string') return { error: 'model: Input should be a valid string' };
  if (!Array.isArray(body['messages'])) return { error: 'messages: Input should be a valid list' };
  const maxTokens = body['max_tokens'];
  if (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens) || maxTokens < 1) {
    return { error: 'max_tokens: Input should be a valid integer greater than or equal to 1' };
  }
  const system = body['system'];
  if (system !== undefined && typeof system !== 'string' && !Array.isArray(system)) {
    return { error: 'system: Input should be a valid string or a list of text blocks' };
  }
  const stops = body['stop_sequences'];
  return {
    model: body['model'],
    stream: body['stream'] === true,
    maxTokens,
    stopSequences: Array.isArray(stops) ? stops.filter((s): s is string => typeof s === 'string') : [],
    tool: chosenTool(body['tools'], body['tool_choice']),
    inputTokens: inputTokens(body['messages'], system, body['tools']),
  };
}

/** `auto` (the default) and `any` pick the first tool, `tool` the named one, `none` none. */
function chosenTool(tools: unknown, toolChoice: unknown): MessagesRequest['tool'] {
  if (!Array.isArray(tools) || tools.length === 0) return undefined;
  const choice = isRecord(toolChoice) ? toolChoice : { type: 'auto' };
  if (choice['type'] === 'none') return undefined;
  const named = tools.filter(
    (tool): tool is Record<string, unknown> => isRecord(tool) && typeof tool['name'] === 'string',
  );
  const tool = named.find((candidate) => candidate['name'] === choice['name']) ?? named[0];
  if (tool === undefined) return undefined;
  return { name: tool['name'] as string, schema: tool['input_schema'], forced: choice['type'] !== 'auto' };
}

/** `system` counts too, so a test can see it reached the provider through the usage. */
function inputTokens(messages: unknown[], system: unknown, tools: unknown): number {
  const texts = messages.map((message) => (isRecord(message) ? contentText(message['content']) : ''));
  const toolTokens = Array.isArray(tools) && tools.length > 0 ? estimateTokens(JSON.stringify(tools)) : 0;
  const messageTokens = texts.reduce((sum, text) => sum + 3 + estimateTokens(text), 0);
  return messageTokens + estimateTokens(contentText(system)) + toolTokens;
}

// ---------------------------------------------------------------------------------------------
// Answers

interface AnswerContext {
  res: ServerResponse;
  request: MessagesRequest;
  key: number;
  scenario: Scenario | undefined;
  headers: Record<string, string>;
  requestId: string;
  options: FakeAnthropicOptions;
}

type Block =
  | { type: 'text'; pieces: string[] }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

interface Reply {
  blocks: Block[];
  stopReason: 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use';
  stopSequence: string | null;
  outputTokens: number;
}

async function answer(ctx: AnswerContext): Promise<void> {
  const { res, scenario } = ctx;
  if (scenario?.kind === 'hang') return;
  if (scenario?.kind === 'error') {
    const body = scenario.body ?? defaultErrorBody(scenario.status, ctx);
    sendError(res, scenario.status, body, ctx.headers, scenario.headers);
    return;
  }
  const reply = buildReply(ctx.request, ctx.key, scenario);
  if (ctx.request.stream) {
    await streamReply(ctx, reply);
    return;
  }
  if (scenario?.kind === 'slow-stream') await delay(scenario.chunks * scenario.intervalMs);
  if (scenario?.kind === 'stream-cut') {
    sendTruncatedJson(res, messageBody(ctx.request, reply), ctx.headers);
  } else if (scenario?.kind === 'stream-error') {
    sendError(res, 529, errorBody('overloaded_error', 'Overloaded', ctx.requestId), ctx.headers);
  } else {
    sendJson(res, 200, messageBody(ctx.request, reply), ctx.headers);
  }
}

function buildReply(request: MessagesRequest, key: number, scenario: Scenario | undefined): Reply {
  const text = answerText(request, key);
  const pieces = scenario?.kind === 'slow-stream' ? splitIntoChunks(text.text, scenario.chunks) : tokenize(text.text);
  const blocks: Block[] = [];
  // Claude writes a sentence before an optional tool call; a forced call (`any`/`tool`) has none.
  if (request.tool === undefined || !request.tool.forced) blocks.push({ type: 'text', pieces });
  if (request.tool !== undefined && text.stopReason === 'end_turn') {
    const input = sampleArguments(request.tool.schema);
    blocks.push({ type: 'tool_use', id: `toolu_01${randomId(22, BASE58)}`, name: request.tool.name, input });
  }
  const toolTokens = blocks.some((block) => block.type === 'tool_use') ? 20 : 0;
  return {
    blocks,
    stopReason: toolTokens > 0 ? 'tool_use' : text.stopReason,
    stopSequence: text.stopSequence,
    outputTokens: tokenize(pieces.join('')).length + toolTokens,
  };
}

interface AnswerText {
  text: string;
  stopReason: Reply['stopReason'];
  stopSequence: string | null;
}

function answerText(request: MessagesRequest, key: number): AnswerText {
  let text = request.tool === undefined ? anthropicAnswer(key) : `I'll call ${request.tool.name} (key #${key}).`;
  const stop = findStop(text, request.stopSequences);
  if (stop !== undefined) {
    return { text: text.slice(0, stop.index), stopReason: 'stop_sequence', stopSequence: stop.sequence };
  }
  if (tokenize(text).length > request.maxTokens) {
    text = tokenize(text).slice(0, request.maxTokens).join('');
    return { text, stopReason: 'max_tokens', stopSequence: null };
  }
  return { text, stopReason: 'end_turn', stopSequence: null };
}

function blockBody(block: Block): Record<string, unknown> {
  if (block.type === 'text') return { type: 'text', text: block.pieces.join('') };
  return { type: 'tool_use', id: block.id, name: block.name, input: block.input, caller: { type: 'direct' } };
}

function usage(request: MessagesRequest, outputTokens: number): Record<string, unknown> {
  return {
    input_tokens: request.inputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
    output_tokens: outputTokens,
    service_tier: 'standard',
    inference_geo: 'not_available',
  };
}

function messageBody(request: MessagesRequest, reply: Reply): Record<string, unknown> {
  return {
    model: request.model,
    id: `msg_01${randomId(22, BASE58)}`,
    type: 'message',
    role: 'assistant',
    content: reply.blocks.map(blockBody),
    stop_reason: reply.stopReason,
    stop_sequence: reply.stopSequence,
    stop_details: null,
    usage: usage(request, reply.outputTokens),
  };
}

// ---------------------------------------------------------------------------------------------
// Streaming

async function streamReply(ctx: AnswerContext, reply: Reply): Promise<void> {
  const { res, scenario } = ctx;
  const events = streamEvents(ctx.request, reply);
  openSse(res, ctx.headers);
  const intervalMs = scenario?.kind === 'slow-stream' ? scenario.intervalMs : ctx.options.streamIntervalMs;

  if (scenario?.kind === 'stream-cut' || scenario?.kind === 'stream-error') {
    const sent = await writeSseEvents(res, events.slice(0, scenario.afterEvents ?? 2), { intervalMs });
    if (!sent) return;
    if (scenario.kind === 'stream-cut') {
      cutStream(res);
      return;
    }
    // After the 200 an overload arrives as an `error` event, where it would have been a 529.
    const error = { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } };
    await writeSseEvents(res, [{ event: 'error', data: JSON.stringify(error) }]);
    res.end();
    return;
  }
  if (await writeSseEvents(res, events, { intervalMs })) res.end();
}

function streamEvents(request: MessagesRequest, reply: Reply): SseEvent[] {
  const event = (type: string, payload: Record<string, unknown> = {}): SseEvent => ({
    event: type,
    data: JSON.stringify({ type, ...payload }),
  });
  // message_start reports the input and an output count of 1; message_delta the cumulative total.
  const start = { ...messageBody(request, { ...reply, blocks: [] }), stop_reason: null, stop_sequence: null };
  const messageStart = event('message_start', { message: { ...start, usage: usage(request, 1) } });
  // The API sends its first ping right after the first content_block_start.
  const [firstBlockStart, ...blockRest] = reply.blocks.flatMap((block, index) => blockEvents(block, index, event));
  const opening = firstBlockStart === undefined ? [event('ping')] : [firstBlockStart, event('ping')];
  const finalUsage = {
    input_tokens: request.inputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    output_tokens: reply.outputTokens,
  };
  const messageDelta = event('message_delta', {
    delta: { stop_reason: reply.stopReason, stop_sequence: reply.stopSequence, stop_details: null },
    usage: finalUsage,
  });
  return [messageStart, ...opening, ...blockRest, messageDelta, event('message_stop')];
}

function blockEvents(
  block: Block,
  index: number,
  event: (type: string, payload?: Record<string, unknown>) => SseEvent,
): SseEvent[] {
  if (block.type === 'text') {
    return [
      event('content_block_start', { index, content_block: { type: 'text', text: '' } }),
      ...block.pieces.map((text) => event('content_block_delta', { index, delta: { type: 'text_delta', text } })),
      event('content_block_stop', { index }),
    ];
  }
  const start = { type: 'tool_use', id: block.id, name: block.name, input: {}, caller: { type: 'direct' } };
  // The API opens tool input with an empty partial_json, then streams the JSON text in pieces.
  const pieces = ['', ...splitJson(JSON.stringify(block.input))];
  return [
    event('content_block_start', { index, content_block: start }),
    ...pieces.map((partial_json) =>
      event('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json } }),
    ),
    event('content_block_stop', { index }),
  ];
}

// ---------------------------------------------------------------------------------------------
// Errors and headers

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

export interface AnthropicErrorBody {
  type: 'error';
  error: { type: string; message: string };
  request_id: string;
}

function errorBody(type: string, message: string, requestId: string): AnthropicErrorBody {
  return { type: 'error', error: { type, message }, request_id: requestId };
}

/** The bodies the API documents per status (docs "Errors": 400/401/402/403/404/413/429/500/529). */
function defaultErrorBody(status: number, ctx: AnswerContext): AnthropicErrorBody {
  const fallback = ERRORS_BY_STATUS[status >= 500 ? 500 : 400] ?? ['api_error', 'Internal server error'];
  const [type, message] = ERRORS_BY_STATUS[status] ?? fallback;
  return errorBody(type, status === 404 ? `model: ${ctx.request.model}` : message, ctx.requestId);
}

const ERRORS_BY_STATUS: Record<number, [string, string]> = {
  400: ['invalid_request_error', 'Invalid request'],
  401: ['authentication_error', 'invalid x-api-key'],
  402: [
    'billing_error',
    'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or ' +
      'purchase credits.',
  ],
  403: ['permission_error', 'Your API key does not have permission to use the specified resource.'],
  404: ['not_found_error', 'Not Found'],
  413: ['request_too_large', 'Request exceeds the maximum allowed number of bytes.'],
  429: [
    'rate_limit_error',
    'This request would exceed the rate limit for your organization of 50 requests per minute. For details, ' +
      'refer to: https://docs.anthropic.com/en/api/rate-limits. You can see the response headers for current ' +
      'usage. Please reduce the prompt length or the maximum tokens requested, or try again later.',
  ],
  500: ['api_error', 'Internal server error'],
  529: ['overloaded_error', 'Overloaded'],
};

function sendError(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string>,
  overrides: Record<string, string> = {},
): void {
  const limited = status === 429 ? rateLimitedHeaders() : {};
  sendJson(res, status, body, { ...headers, ...limited, ...overrides });
}

const ORGANIZATION_ID = '00000000-0000-4000-8000-00000000fa4e';

function responseHeaders(requestId: string): Record<string, string> {
  const reset = new Date(Date.now() + 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    'request-id': requestId,
    'anthropic-organization-id': ORGANIZATION_ID,
    'anthropic-ratelimit-requests-limit': '50',
    'anthropic-ratelimit-requests-remaining': '49',
    'anthropic-ratelimit-requests-reset': reset,
    'anthropic-ratelimit-input-tokens-limit': '30000',
    'anthropic-ratelimit-input-tokens-remaining': '30000',
    'anthropic-ratelimit-input-tokens-reset': reset,
    'anthropic-ratelimit-output-tokens-limit': '8000',
    'anthropic-ratelimit-output-tokens-remaining': '8000',
    'anthropic-ratelimit-output-tokens-reset': reset,
    'anthropic-ratelimit-tokens-limit': '38000',
    'anthropic-ratelimit-tokens-remaining': '38000',
    'anthropic-ratelimit-tokens-reset': reset,
  };
}

/** Short wait so a gateway that honours `retry-after` does not stall the test suite. */
function rateLimitedHeaders(): Record<string, string> {
  return { 'retry-after': '1', 'anthropic-ratelimit-requests-remaining': '0' };
}
