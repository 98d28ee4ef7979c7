/**
 * A fake Cohere v2 API speaking the real wire format: `POST /v2/chat` answering a v2 chat response
 * (`{id, finish_reason, message: {role, content | tool_plan + tool_calls}, usage: {billed_units,
 * tokens}}`) or the typed SSE sequence (`event: <type>` + `data: {"type": <type>, ...}`:
 * message-start, content-start, content-delta, content-end, tool-plan-delta, tool-call-start,
 * tool-call-delta, tool-call-end, message-end with finish_reason and usage), and `POST /v2/embed`
 * answering `{id, embeddings: {float}, texts, meta: {billed_units}, response_type}`. Errors are
 * `{"id", "message"}` with the status. Shapes were checked against Cohere's API reference
 * (docs.cohere.com/v2/reference/chat, chat-stream, embed, errors), its streaming and tool-use
 * guides, and the cohere-ai TypeScript SDK types.
 */
import { randomUUID, createHash } from 'node:crypto';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { contentText, estimateTokens, findStop, isRecord, keyNumber, sampleArguments, splitIntoChunks, splitJson, tokenize } from './fake-answer.js';
import { cutStream, delay, openSse, randomId, sendJson, sendTruncatedJson, scenarioForModel, startFakeServer, writeSseEvents } from './fake-server.js';
import type { FakeExchange, FakeProvider, Scenario, SseEvent } from './fake-server.js';

export interface FakeCohereOptions {
  /** Keys the fake accepts; the answer names which one (1-based) served the call. */
  keys: readonly string[];
  latencyMs?: number;
  streamIntervalMs?: number;
  port?: number;
}

export function cohereAnswer(keyIndex: number): string {
  return `Hello from fake-cohere (key #${keyIndex}).`;
}

/** Tokens Cohere adds around the prompt itself (preamble, special tokens): counted, not billed. */
const UNBILLED_PROMPT_TOKENS = 200;
const ROLES = new Set(['system', 'user', 'assistant', 'tool']);
const INPUT_TYPES = new Set(['search_document', 'search_query', 'classification', 'clustering', 'image']);

export async function startFakeCohere(options: FakeCohereOptions): Promise<FakeProvider> {
  const server = await startFakeServer({
    port: options.port,
    readCredential,
    handle: (exchange) => handleCohere(exchange, options),
  });
  // The cohere-ai SDK takes the bare origin and appends `/v2/chat` itself.
  return { baseUrl: server.origin, requests: server.requests, enqueue: server.enqueue, close: server.close };
}

function readCredential(headers: IncomingHttpHeaders): string | undefined {
  return /^Bearer\s+(.+)$/i.exec(headers.authorization ?? '')?.[1]?.trim();
}

async function handleCohere(exchange: FakeExchange, options: FakeCohereOptions): Promise<void> {
  const { request, res } = exchange;
  const route = `${request.method} ${request.path}`;
  if (route !== 'POST /v2/chat' && route !== 'POST /v2/embed') {
    sendError(res, 404, `404 page not found`);
    return;
  }
  const credential = readCredential(request.headers);
  const key = keyNumber(options.keys, credential);
  if (key === undefined) {
    sendError(res, 401, credential === undefined ? 'no api key supplied' : 'invalid api token');
    return;
  }
  if (route === 'POST /v2/embed') {
    await handleEmbed(exchange, options);
    return;
  }
  const parsed = parseChatRequest(request.body);
  if ('error' in parsed) {
    sendError(res, 400, parsed.error);
    return;
  }
  const scenario = exchange.takeScenario() ?? scenarioForModel(parsed.model);
  await delay(options.latencyMs);
  await answer({ res, request: parsed, key, scenario, options });
}

// ---------------------------------------------------------------------------------------------
// Chat

interface ChatRequest {
  model: string;
  stream: boolean;
  maxTokens: number | undefined;
  stopSequences: string[];
  /** The tool the model calls, when it calls one. */
  tool: { name: string; schema: unknown } | undefined;
  /** The last message was a tool result: the model answers from it. */
  toolResult: string | undefined;
  inputTokens: number;
}

function parseChatRequest(body: unknown): ChatRequest | { error: string } {
  if (!isRecord(body)) return { error: 'invalid request: body must be a JSON object' };
  if (typeof body.model !== 'string' || body.model === '') return { error: 'invalid request: model must be specified' };
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) return { error: 'invalid request: messages must not be empty' };
  for (const [index, message] of messages.entries()) {
    if (!isRecord(message) || typeof message.role !== 'string' || !ROLES.has(message.role)) {
      return { error: `invalid request: messages[${index}].role must be one of system, user, assistant, tool` };
    }
    if (message.role === 'tool' && typeof message.tool_call_id !== 'string') {
      return { error: `invalid request: messages[${index}].tool_call_id is required for tool messages` };
    }
  }
  const tools = Array.isArray(body.tools) ? body.tools.filter(isRecord) : [];
  if (body.tool_choice !== undefined && body.tool_choice !== 'REQUIRED' && body.tool_choice !== 'NONE') {
    return { error: 'invalid request: tool_choice must be one of REQUIRED, NONE' };
  }
  if (body.tool_choice !== undefined && tools.length === 0) return { error: 'invalid request: tool_choice requires tools to be specified' };
  for (const penalty of ['frequency_penalty', 'presence_penalty']) {
    const value = body[penalty];
    if (value !== undefined && (typeof value !== 'number' || value < 0 || value > 1)) {
      return { error: `invalid request: ${penalty} must be between 0 and 1` };
    }
  }
  if (body.p !== undefined && (typeof body.p !== 'number' || body.p < 0.01 || body.p > 0.99)) {
    return { error: 'invalid request: p must be between 0.01 and 0.99' };
  }
  const last = messages[messages.length - 1] as Record<string, unknown>;
  const toolResult = last.role === 'tool' ? contentText(last.content) : undefined;
  const first = tools[0];
  const fn = first !== undefined && isRecord(first.function) ? first.function : undefined;
  const callsTool = fn !== undefined && body.tool_choice !== 'NONE' && toolResult === undefined;
  const texts = messages.map((m) => {
    const record = m as Record<string, unknown>;
    return contentText(record.content) + (typeof record.tool_plan === 'string' ? record.tool_plan : '');
  });
  return {
    model: body.model,
    stream: body.stream === true,
    maxTokens: typeof body.max_tokens === 'number' ? body.max_tokens : undefined,
    stopSequences: Array.isArray(body.stop_sequences) ? body.stop_sequences.filter((s): s is string => typeof s === 'string') : [],
    tool: callsTool ? { name: String(fn.name), schema: fn.parameters } : undefined,
    toolResult,
    inputTokens: texts.reduce((sum, text) => sum + 3 + estimateTokens(text), 0) + (tools.length > 0 ? estimateTokens(JSON.stringify(tools)) : 0),
  };
}

interface AnswerContext {
  res: ServerResponse;
  request: ChatRequest;
  key: number;
  scenario: Scenario | undefined;
  options: FakeCohereOptions;
}

interface Reply {
  id: string;
  /** Text answer pieces, or the tool plan pieces when calling a tool. */
  pieces: string[];
  toolCall: { id: string; name: string; arguments: string } | undefined;
  finishReason: 'COMPLETE' | 'MAX_TOKENS' | 'STOP_SEQUENCE' | 'TOOL_CALL';
  outputTokens: number;
}

function buildReply(request: ChatRequest, key: number, scenario: Scenario | undefined): Reply {
  const id = randomUUID();
  if (request.tool !== undefined) {
    const plan = `I will call ${request.tool.name} (key #${key}).`;
    const args = JSON.stringify(sampleArguments(request.tool.schema));
    const toolCall = { id: `${request.tool.name}_${randomId(12, 'abcdefghijklmnopqrstuvwxyz0123456789')}`, name: request.tool.name, arguments: args };
    return { id, pieces: tokenize(plan), toolCall, finishReason: 'TOOL_CALL', outputTokens: tokenize(plan).length + 20 };
  }
  let text = request.toolResult !== undefined ? `The tool said: ${request.toolResult} (key #${key}).` : cohereAnswer(key);
  let finishReason: Reply['finishReason'] = 'COMPLETE';
  const stop = findStop(text, request.stopSequences);
  if (stop !== undefined) {
    text = text.slice(0, stop.index);
    finishReason = 'STOP_SEQUENCE';
  } else if (request.maxTokens !== undefined && tokenize(text).length > request.maxTokens) {
    text = tokenize(text).slice(0, request.maxTokens).join('');
    finishReason = 'MAX_TOKENS';
  }
  const pieces = scenario?.kind === 'slow-stream' ? splitIntoChunks(text, scenario.chunks) : tokenize(text);
  return { id, pieces, toolCall: undefined, finishReason, outputTokens: tokenize(text).length };
}

function usage(request: ChatRequest, reply: Reply): Record<string, unknown> {
  return {
    billed_units: { input_tokens: request.inputTokens, output_tokens: reply.outputTokens },
    tokens: { input_tokens: request.inputTokens + UNBILLED_PROMPT_TOKENS, output_tokens: reply.outputTokens + 2 },
  };
}

function chatBody(request: ChatRequest, reply: Reply): Record<string, unknown> {
  const text = reply.pieces.join('');
  const message =
    reply.toolCall === undefined
      ? { role: 'assistant', content: [{ type: 'text', text }] }
      : {
          role: 'assistant',
          tool_plan: text,
          tool_calls: [{ id: reply.toolCall.id, type: 'function', function: { name: reply.toolCall.name, arguments: reply.toolCall.arguments } }],
        };
  return { id: reply.id, message, finish_reason: reply.finishReason, usage: usage(request, reply) };
}

async function answer(ctx: AnswerContext): Promise<void> {
  const { res, scenario } = ctx;
  if (scenario?.kind === 'hang') return;
  if (scenario?.kind === 'error') {
    if (scenario.body !== undefined) sendJson(res, scenario.status, scenario.body, { ...traceHeaders(), ...scenario.headers });
    else sendError(res, scenario.status, ERROR_MESSAGES[scenario.status] ?? defaultMessage(scenario.status), scenario.headers);
    return;
  }
  const reply = buildReply(ctx.request, ctx.key, scenario);
  if (ctx.request.stream) {
    await streamReply(ctx, reply);
    return;
  }
  if (scenario?.kind === 'slow-stream') await delay(scenario.chunks * scenario.intervalMs);
  if (scenario?.kind === 'stream-cut') sendTruncatedJson(res, chatBody(ctx.request, reply), traceHeaders());
  else if (scenario?.kind === 'stream-error') sendError(res, 500, ERROR_MESSAGES[500] ?? 'internal server error');
  else sendJson(res, 200, chatBody(ctx.request, reply), traceHeaders());
}

async function streamReply(ctx: AnswerContext, reply: Reply): Promise<void> {
  const { res, scenario } = ctx;
  const events = streamEvents(ctx.request, reply);
  openSse(res, traceHeaders());
  const intervalMs = scenario?.kind === 'slow-stream' ? scenario.intervalMs : ctx.options.streamIntervalMs;
  if (scenario?.kind === 'stream-cut' || scenario?.kind === 'stream-error') {
    if (!(await writeSseEvents(res, events.slice(0, scenario.afterEvents ?? 2), { intervalMs }))) return;
    if (scenario.kind === 'stream-cut') {
      cutStream(res);
      return;
    }
    // After the 200, a failed generation ends with finish_reason ERROR and the error text.
    await writeSseEvents(res, [event('message-end', { delta: { finish_reason: 'ERROR', error: ERROR_MESSAGES[500] } })]);
    res.end();
    return;
  }
  if (await writeSseEvents(res, events, { intervalMs })) res.end();
}

function event(type: string, payload: Record<string, unknown> = {}): SseEvent {
  return { event: type, data: JSON.stringify({ type, ...payload }) };
}

function streamEvents(request: ChatRequest, reply: Reply): SseEvent[] {
  const start = event('message-start', {
    id: reply.id,
    delta: { message: { role: 'assistant', content: [], tool_plan: '', tool_calls: [], citations: [] } },
  });
  const end = event('message-end', { delta: { finish_reason: reply.finishReason, usage: usage(request, reply) } });
  const call = reply.toolCall;
  if (call === undefined) {
    const message = (content: Record<string, unknown>) => ({ message: { content } });
    return [
      start,
      event('content-start', { index: 0, delta: message({ type: 'text', text: '' }) }),
      ...reply.pieces.map((text) => event('content-delta', { index: 0, delta: message({ text }) })),
      event('content-end', { index: 0 }),
      end,
    ];
  }
  return [
    start,
    ...reply.pieces.map((tool_plan) => event('tool-plan-delta', { delta: { message: { tool_plan } } })),
    event('tool-call-start', {
      index: 0,
      delta: { message: { tool_calls: { id: call.id, type: 'function', function: { name: call.name, arguments: '' } } } },
    }),
    ...splitJson(call.arguments).map((args) =>
      event('tool-call-delta', { index: 0, delta: { message: { tool_calls: { function: { arguments: args } } } } }),
    ),
    event('tool-call-end', { index: 0 }),
    end,
  ];
}

// ---------------------------------------------------------------------------------------------
// Embed

async function handleEmbed(exchange: FakeExchange, options: FakeCohereOptions): Promise<void> {
  const { request, res } = exchange;
  const body = request.body;
  if (!isRecord(body) || typeof body.model !== 'string' || body.model === '') {
    sendError(res, 400, 'invalid request: model must be specified');
    return;
  }
  const texts = body.texts;
  if (!Array.isArray(texts) || texts.length === 0 || !texts.every((t) => typeof t === 'string')) {
    sendError(res, 400, 'invalid request: texts must be a non-empty list of strings');
    return;
  }
  if (texts.length > 96) {
    sendError(res, 400, `invalid request: total number of texts must be at most 96 - received ${texts.length}`);
    return;
  }
  if (typeof body.input_type !== 'string' || !INPUT_TYPES.has(body.input_type)) {
    sendError(res, 400, 'invalid request: valid input_type must be provided with the provided model');
    return;
  }
  if (!Array.isArray(body.embedding_types) || body.embedding_types.length === 0) {
    sendError(res, 400, 'invalid request: embedding_types is required for embed models v3 and higher');
    return;
  }
  const v4 = body.model.startsWith('embed-v4');
  const dimension = body.output_dimension;
  if (dimension !== undefined && (!v4 || ![256, 512, 1024, 1536].includes(dimension as number))) {
    sendError(res, 400, 'invalid request: output_dimension is not supported for this model or value');
    return;
  }
  const scenario = exchange.takeScenario() ?? scenarioForModel(body.model);
  await delay(options.latencyMs);
  if (scenario?.kind === 'hang') return;
  if (scenario?.kind === 'error') {
    sendError(res, scenario.status, ERROR_MESSAGES[scenario.status] ?? defaultMessage(scenario.status), scenario.headers);
    return;
  }
  const size = typeof dimension === 'number' ? dimension : v4 ? 1536 : 1024;
  const strings = texts as string[];
  sendJson(
    res,
    200,
    {
      id: randomUUID(),
      embeddings: { float: strings.map((text) => vectorFor(text, size)) },
      texts: strings.map((text) => text.toLowerCase()),
      meta: { api_version: { version: '2' }, billed_units: { input_tokens: strings.reduce((sum, text) => sum + estimateTokens(text), 0) } },
      response_type: 'embeddings_by_type',
    },
    traceHeaders(),
  );
}

/** Deterministic, text-dependent values that survive a float32 round trip exactly (multiples of 1/1024). */
export function vectorFor(text: string, size: number): number[] {
  const digest = createHash('sha256').update(text).digest();
  return Array.from({ length: size }, (_, i) => ((digest[i % digest.length] ?? 0) - 128 + (i % 7)) / 1024);
}

// ---------------------------------------------------------------------------------------------
// Errors and headers

const ERROR_MESSAGES: Record<number, string> = {
  400: 'invalid request: message must be at least 1 token long or tool results must be specified.',
  401: 'invalid api token',
  402: 'Please add a payment method to continue using the API.',
  403: 'You do not have access to this resource.',
  404: "model 'fake-error-404' not found, make sure the correct model ID was used and that you have access to the model.",
  422: 'No valid tool call or response generated',
  429: "You are using a Trial key, which is limited to 20 API calls / minute. You can continue to use the Trial key for free or upgrade to a Production key with higher rate limits at 'https://dashboard.cohere.com/api-keys'.",
  498: 'invalid token',
  500: 'internal server error, this has been reported to our developers',
  503: 'service unavailable',
  504: 'gateway timeout',
};

function defaultMessage(status: number): string {
  return status >= 500 ? 'internal server error, this has been reported to our developers' : 'invalid request';
}

function traceHeaders(): Record<string, string> {
  return { 'x-debug-trace-id': randomId(32, '0123456789abcdef') };
}

function sendError(res: ServerResponse, status: number, message: string, overrides: Record<string, string> = {}): void {
  sendJson(res, status, { id: randomUUID(), message }, { ...traceHeaders(), ...overrides });
}
