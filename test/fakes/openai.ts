/**
 * A fake OpenAI API speaking the real Chat Completions wire format: `chat.completion` JSON,
 * `chat.completion.chunk` SSE ending in `data: [DONE]`, the `{"error":{message,type,param,code}}`
 * error body, and the `x-request-id` / `openai-*` / `x-ratelimit-*` headers. Shapes were checked
 * against the openai-node 6.49 types and streaming parser and recorded API responses.
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
  scenarioForModel,
  sendJson,
  sendTruncatedJson,
  startFakeServer,
  writeSseEvents,
} from './fake-server.js';
import type { FakeExchange, FakeProvider, Scenario, SseEvent } from './fake-server.js';
import { embeddingsBody, parseEmbeddingsRequest } from './embeddings.js';

export interface FakeOpenAIOptions {
  /** Keys the fake accepts; the answer names which one (1-based) served the call. */
  keys: readonly string[];
  /** Processing time before any response byte, for every accepted request. */
  latencyMs?: number;
  /** Pause between SSE events of ordinary streams (slow-stream scenarios set their own). */
  streamIntervalMs?: number;
  /** Listening port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Ids listed by `GET /v1/models`. */
  models?: string[];
}

export const DEFAULT_OPENAI_MODELS = ['gpt-4o-mini', 'gpt-4o', 'gpt-4.1-nano'];

/** The deterministic answer, so tests can assert which of the user's keys served the call. */
export function openAIAnswer(keyIndex: number): string {
  return `Hello from fake-openai (key #${keyIndex}).`;
}

export async function startFakeOpenAI(options: FakeOpenAIOptions): Promise<FakeProvider> {
  const state: OpenAIState = { options, served: 0 };
  const server = await startFakeServer({
    port: options.port,
    readCredential: readBearer,
    handle: (exchange) => handleOpenAI(exchange, state),
  });
  return {
    baseUrl: `${server.origin}/v1`,
    requests: server.requests,
    enqueue: server.enqueue,
    close: server.close,
  };
}

interface OpenAIState {
  options: FakeOpenAIOptions;
  /** Accepted requests so far, so the x-ratelimit-remaining-* headers count down. */
  served: number;
}

function readBearer(headers: IncomingHttpHeaders): string | undefined {
  const match = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? '');
  return match?.[1]?.trim();
}

// ---------------------------------------------------------------------------------------------
// Routing and validation

async function handleOpenAI(exchange: FakeExchange, state: OpenAIState): Promise<void> {
  const { request, res } = exchange;
  const startedAt = Date.now();
  const requestId = `req_${randomId(32, '0123456789abcdef')}`;
  const headers = (): Record<string, string> => responseHeaders(requestId, startedAt, state);

  const route = `${request.method} ${request.path}`;
  if (route !== 'POST /v1/chat/completions' && route !== 'GET /v1/models' && route !== 'POST /v1/embeddings') {
    sendError(res, 404, invalidRequest(`Invalid URL (${request.method} ${request.path})`), headers());
    return;
  }
  const key = keyNumber(state.options.keys, request.credential);
  if (key === undefined) {
    const body = request.credential === undefined ? missingApiKey() : invalidApiKey(request.credential);
    sendError(res, 401, body, headers());
    return;
  }
  if (route === 'GET /v1/models') {
    sendJson(res, 200, modelList(state.options.models ?? DEFAULT_OPENAI_MODELS), headers());
    return;
  }
  if (route === 'POST /v1/embeddings') {
    await answerEmbeddings(exchange, state, headers, requestId);
    return;
  }

  const parsed = parseChatRequest(request.rawBody, request.body);
  if ('error' in parsed) {
    sendError(res, 400, parsed.error, headers());
    return;
  }
  state.served += 1;
  const scenario = exchange.takeScenario() ?? scenarioForModel(parsed.model);
  await delay(state.options.latencyMs);
  await answer({ res, chat: parsed, key, scenario, headers, requestId, options: state.options });
}

/** `POST /v1/embeddings`: float or base64 vectors, usage, and OpenAI's errors (incl. `dimensions` on ada-002). */
async function answerEmbeddings(exchange: FakeExchange, state: OpenAIState, headers: () => Record<string, string>, requestId: string): Promise<void> {
  const { request, res } = exchange;
  const parsed = parseEmbeddingsRequest(request.body);
  if ('problem' in parsed) {
    sendError(res, parsed.problem.status, invalidRequest(parsed.problem.message, parsed.problem.param), headers());
    return;
  }
  if (parsed.dimensions !== undefined && parsed.model === 'text-embedding-ada-002') {
    sendError(res, 400, invalidRequest('This model does not support specifying dimensions.', 'dimensions'), headers());
    return;
  }
  state.served += 1;
  const scenario = exchange.takeScenario() ?? scenarioForModel(parsed.model);
  await delay(state.options.latencyMs);
  if (scenario?.kind === 'hang') return;
  if (scenario?.kind === 'error') {
    const body = scenario.body ?? (scenario.status >= 500 ? serverError(requestId) : scenario.status === 429 ? rateLimited(parsed.model) : invalidRequest('Invalid request.'));
    sendError(res, scenario.status, body, headers(), scenario.headers);
    return;
  }
  sendJson(res, 200, embeddingsBody(parsed, { base64: true, usage: true, dimensions: true }), headers());
}

interface ChatRequest {
  model: string;
  stream: boolean;
  includeUsage: boolean;
  includeObfuscation: boolean;
  tool: ToolSpec | undefined;
  maxTokens: number | undefined;
  stops: string[];
  promptTokens: number;
}

interface ToolSpec {
  name: string;
  parameters: unknown;
}

function parseChatRequest(rawBody: string, body: unknown): ChatRequest | { error: OpenAIErrorBody } {
  if (!isRecord(body)) {
    return { error: invalidRequest(rawBody === '' ? 'you must provide a model parameter' : unparsableJson()) };
  }
  if (typeof body['model'] !== 'string' || body['model'] === '') {
    return { error: invalidRequest('you must provide a model parameter') };
  }
  if (!Array.isArray(body['messages'])) {
    const message = "Missing required parameter: 'messages'.";
    return { error: invalidRequest(message, 'messages', 'missing_required_parameter') };
  }
  const streamOptions = isRecord(body['stream_options']) ? body['stream_options'] : {};
  const maxTokens = body['max_completion_tokens'] ?? body['max_tokens'];
  return {
    model: body['model'],
    stream: body['stream'] === true,
    includeUsage: streamOptions['include_usage'] === true,
    includeObfuscation: streamOptions['include_obfuscation'] !== false,
    tool: chosenTool(body['tools'], body['tool_choice']),
    maxTokens: typeof maxTokens === 'number' ? maxTokens : undefined,
    stops: stopList(body['stop']),
    promptTokens: promptTokens(body['messages'], body['tools']),
  };
}

/** The tool the model "decides" to call: the forced one, else the first, never with `none`. */
export function chosenTool(tools: unknown, toolChoice: unknown): ToolSpec | undefined {
  if (!Array.isArray(tools) || tools.length === 0 || toolChoice === 'none') return undefined;
  const functions = tools
    .map((tool) => (isRecord(tool) && isRecord(tool['function']) ? tool['function'] : undefined))
    .filter((fn): fn is Record<string, unknown> => fn !== undefined && typeof fn['name'] === 'string');
  const forced =
    isRecord(toolChoice) && isRecord(toolChoice['function']) ? toolChoice['function']['name'] : undefined;
  const fn = functions.find((candidate) => candidate['name'] === forced) ?? functions[0];
  return fn === undefined ? undefined : { name: fn['name'] as string, parameters: fn['parameters'] };
}

function stopList(stop: unknown): string[] {
  if (typeof stop === 'string') return [stop];
  return Array.isArray(stop) ? stop.filter((s): s is string => typeof s === 'string') : [];
}

/** Per-message overhead of 3 plus 3 for the reply priming, as OpenAI's counting guide does. */
function promptTokens(messages: unknown[], tools: unknown): number {
  const toolTokens = Array.isArray(tools) && tools.length > 0 ? estimateTokens(JSON.stringify(tools)) : 0;
  const messageTokens = messages.reduce<number>(
    (sum, message) => sum + 3 + estimateTokens(isRecord(message) ? contentText(message['content']) : ''),
    0,
  );
  return messageTokens + 3 + toolTokens;
}

// ---------------------------------------------------------------------------------------------
// Answers

interface AnswerContext {
  res: ServerResponse;
  chat: ChatRequest;
  key: number;
  scenario: Scenario | undefined;
  headers: () => Record<string, string>;
  requestId: string;
  options: FakeOpenAIOptions;
}

type Completion =
  | { kind: 'text'; pieces: string[]; finishReason: 'stop' | 'length'; completionTokens: number }
  | { kind: 'tool'; callId: string; name: string; arguments: string; completionTokens: number };

async function answer(ctx: AnswerContext): Promise<void> {
  const { res, scenario } = ctx;
  if (scenario?.kind === 'hang') return;
  if (scenario?.kind === 'error') {
    const body = scenario.body ?? errorBodyFor(scenario.status, ctx);
    sendError(res, scenario.status, body, ctx.headers(), scenario.headers);
    return;
  }
  const completion = buildCompletion(ctx.chat, ctx.key, scenario);
  if (ctx.chat.stream) {
    await streamCompletion(ctx, completion);
    return;
  }
  if (scenario?.kind === 'slow-stream') await delay(scenario.chunks * scenario.intervalMs);
  const body = completionBody(ctx.chat, completion);
  if (scenario?.kind === 'stream-cut') {
    sendTruncatedJson(res, body, ctx.headers());
  } else if (scenario?.kind === 'stream-error') {
    sendError(res, 500, serverError(ctx.requestId), ctx.headers());
  } else {
    // As api.openai.com answers: the completion pretty-printed, two spaces per level.
    sendJson(res, 200, body, ctx.headers(), 2);
  }
}

function buildCompletion(chat: ChatRequest, key: number, scenario: Scenario | undefined): Completion {
  if (chat.tool !== undefined) {
    const args = JSON.stringify(sampleArguments(chat.tool.parameters));
    return {
      kind: 'tool',
      callId: `call_${randomId(24)}`,
      name: chat.tool.name,
      arguments: args,
      completionTokens: estimateTokens(args) + 5,
    };
  }
  let text = openAIAnswer(key);
  let finishReason: 'stop' | 'length' = 'stop';
  const stop = findStop(text, chat.stops);
  if (stop !== undefined) text = text.slice(0, stop.index);
  if (chat.maxTokens !== undefined && tokenize(text).length > chat.maxTokens) {
    text = tokenize(text).slice(0, chat.maxTokens).join('');
    finishReason = 'length';
  }
  const pieces = scenario?.kind === 'slow-stream' ? splitIntoChunks(text, scenario.chunks) : tokenize(text);
  return { kind: 'text', pieces, finishReason, completionTokens: tokenize(pieces.join('')).length };
}

function usageBody(chat: ChatRequest, completion: Completion): Record<string, unknown> {
  return {
    prompt_tokens: chat.promptTokens,
    completion_tokens: completion.completionTokens,
    total_tokens: chat.promptTokens + completion.completionTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

const SYSTEM_FINGERPRINT = 'fp_fake0openai';

function finishReason(completion: Completion): 'stop' | 'length' | 'tool_calls' {
  return completion.kind === 'text' ? completion.finishReason : 'tool_calls';
}

function completionBody(chat: ChatRequest, completion: Completion): Record<string, unknown> {
  const message =
    completion.kind === 'text'
      ? { role: 'assistant', content: completion.pieces.join(''), refusal: null, annotations: [] }
      : {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: completion.callId,
              type: 'function',
              function: { name: completion.name, arguments: completion.arguments },
            },
          ],
          refusal: null,
          annotations: [],
        };
  return {
    id: `chatcmpl-${randomId(29)}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: chat.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason(completion) }],
    usage: usageBody(chat, completion),
    service_tier: 'default',
    system_fingerprint: SYSTEM_FINGERPRINT,
  };
}

// ---------------------------------------------------------------------------------------------
// Streaming

async function streamCompletion(ctx: AnswerContext, completion: Completion): Promise<void> {
  const { res, scenario } = ctx;
  const events = streamEvents(ctx.chat, completion);
  openSse(res, ctx.headers());
  const intervalMs = scenario?.kind === 'slow-stream' ? scenario.intervalMs : ctx.options.streamIntervalMs;

  if (scenario?.kind === 'stream-cut' || scenario?.kind === 'stream-error') {
    const sent = await writeSseEvents(res, events.slice(0, scenario.afterEvents ?? 2), { intervalMs });
    if (!sent) return;
    if (scenario.kind === 'stream-cut') {
      cutStream(res);
      return;
    }
    // OpenAI reports failures after the 200 as a `data:` payload whose only key is `error`.
    await writeSseEvents(res, [{ data: JSON.stringify({ error: serverError(ctx.requestId).error }) }]);
    res.end();
    return;
  }
  if (await writeSseEvents(res, events, { intervalMs })) res.end();
}

function streamEvents(chat: ChatRequest, completion: Completion): SseEvent[] {
  const id = `chatcmpl-${randomId(29)}`;
  const created = Math.floor(Date.now() / 1000);
  const chunk = (choices: unknown[], usage: unknown = null): SseEvent => ({
    data: JSON.stringify({
      id,
      object: 'chat.completion.chunk',
      created,
      model: chat.model,
      service_tier: 'default',
      system_fingerprint: SYSTEM_FINGERPRINT,
      choices,
      // With include_usage every chunk carries `usage`, null until the final usage-only chunk.
      ...(chat.includeUsage ? { usage } : {}),
      ...(chat.includeObfuscation ? { obfuscation: randomId(8) } : {}),
    }),
  });
  const choice = (delta: unknown, finishReason: string | null = null): unknown => ({
    index: 0,
    delta,
    logprobs: null,
    finish_reason: finishReason,
  });

  const events =
    completion.kind === 'text'
      ? [
          chunk([choice({ role: 'assistant', content: '', refusal: null })]),
          ...completion.pieces.map((piece) => chunk([choice({ content: piece })])),
          chunk([choice({}, finishReason(completion))]),
        ]
      : [
          chunk([
            choice({
              role: 'assistant',
              content: null,
              tool_calls: [
                {
                  index: 0,
                  id: completion.callId,
                  type: 'function',
                  function: { name: completion.name, arguments: '' },
                },
              ],
              refusal: null,
            }),
          ]),
          ...splitJson(completion.arguments).map((piece) =>
            chunk([choice({ tool_calls: [{ index: 0, function: { arguments: piece } }] })]),
          ),
          chunk([choice({}, finishReason(completion))]),
        ];
  if (chat.includeUsage) events.push(chunk([], usageBody(chat, completion)));
  events.push({ data: '[DONE]' });
  return events;
}

// ---------------------------------------------------------------------------------------------
// Errors and headers

export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

function errorBody(message: string, type: string, param: string | null, code: string | null): OpenAIErrorBody {
  return { error: { message, type, param, code } };
}

function invalidRequest(message: string, param: string | null = null, code: string | null = null): OpenAIErrorBody {
  return errorBody(message, 'invalid_request_error', param, code);
}

function unparsableJson(): string {
  return (
    'We could not parse the JSON body of your request. (HINT: This likely means you aren\'t using your ' +
    'HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)'
  );
}

function missingApiKey(): OpenAIErrorBody {
  return invalidRequest(
    "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer " +
      'auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you\'re ' +
      'accessing the API from your browser and are prompted for a username and password. You can obtain an API ' +
      'key from https://platform.openai.com/account/api-keys.',
  );
}

/** OpenAI shows the first 8 and last 4 characters of a rejected key, starring the rest. */
export function maskKey(key: string): string {
  if (key.length <= 12) return key;
  return `${key.slice(0, 8)}${'*'.repeat(key.length - 12)}${key.slice(-4)}`;
}

function invalidApiKey(key: string): OpenAIErrorBody {
  return invalidRequest(
    `Incorrect API key provided: ${maskKey(key)}. ` +
      'You can find your API key at https://platform.openai.com/account/api-keys.',
    null,
    'invalid_api_key',
  );
}

export function rateLimited(model: string): OpenAIErrorBody {
  return errorBody(
    `Rate limit reached for ${model} in organization org-fake on requests per min (RPM): Limit 3, Used 3, ` +
      'Requested 1. Please try again in 1s. Visit https://platform.openai.com/account/rate-limits to learn more.',
    'requests',
    null,
    'rate_limit_exceeded',
  );
}

/** A 429 that retrying cannot fix; enqueue it as `{ kind: 'error', status: 429, body: insufficientQuota() }`. */
export function insufficientQuota(): OpenAIErrorBody {
  return errorBody(
    'You exceeded your current quota, please check your plan and billing details. For more information on ' +
      'this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.',
    'insufficient_quota',
    null,
    'insufficient_quota',
  );
}

function serverError(requestId: string): OpenAIErrorBody {
  return errorBody(
    'The server had an error processing your request. Sorry about that! You can retry your request, or ' +
      'contact us through our help center at help.openai.com if you keep seeing this error. (Please include ' +
      `the request ID ${requestId} in your email.)`,
    'server_error',
    null,
    null,
  );
}

function errorBodyFor(status: number, ctx: AnswerContext): OpenAIErrorBody {
  switch (status) {
    case 401:
      return invalidApiKey(ctx.options.keys[ctx.key - 1] ?? '');
    case 403:
      return errorBody(
        'Country, region, or territory not supported',
        'request_forbidden',
        null,
        'unsupported_country_region_territory',
      );
    case 404:
      return invalidRequest(
        `The model \`${ctx.chat.model}\` does not exist or you do not have access to it.`,
        null,
        'model_not_found',
      );
    case 429:
      return rateLimited(ctx.chat.model);
    case 503:
      return errorBody('The server is overloaded or not ready yet.', 'server_error', null, null);
    default:
      return status >= 500 ? serverError(ctx.requestId) : invalidRequest('Invalid request.');
  }
}

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

const REQUEST_LIMIT = 5000;
const TOKEN_LIMIT = 4_000_000;

function responseHeaders(requestId: string, startedAt: number, state: OpenAIState): Record<string, string> {
  return {
    'x-request-id': requestId,
    'openai-version': '2020-10-01',
    'openai-organization': 'fake-org',
    'openai-processing-ms': String(Date.now() - startedAt),
    'x-ratelimit-limit-requests': String(REQUEST_LIMIT),
    'x-ratelimit-limit-tokens': String(TOKEN_LIMIT),
    'x-ratelimit-remaining-requests': String(Math.max(0, REQUEST_LIMIT - state.served)),
    'x-ratelimit-remaining-tokens': String(TOKEN_LIMIT - 20 * state.served),
    'x-ratelimit-reset-requests': '12ms',
    'x-ratelimit-reset-tokens': '0s',
  };
}

/** Short waits so a gateway that honours `retry-after` does not stall the test suite. */
function rateLimitedHeaders(): Record<string, string> {
  return {
    'retry-after': '1',
    'x-ratelimit-remaining-requests': '0',
    'x-ratelimit-reset-requests': '1s',
  };
}

function modelList(models: readonly string[]): unknown {
  return {
    object: 'list',
    data: models.map((id) => ({ id, object: 'model', created: 1721172741, owned_by: 'system' })),
  };
}
