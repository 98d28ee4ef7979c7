/**
 * A fake OpenAI-compatible server (the `openai_compatible` service: Ollama `/v1`, vLLM, llama.cpp
 * server, …) with their real quirks, built on the same pieces as the OpenAI fake. References
 * checked (via `search`): Ollama's OpenAI-compatibility doc (`/v1/chat/completions`,
 * `/v1/embeddings`, key "required but ignored"), Ollama's native error body `{"error": "…"}`,
 * vLLM's `ErrorResponse` (`{"object": "error", "message", "type", "param", "code"}`), FastAPI's
 * `{"detail": …}` (llama-cpp-python server), llama.cpp server issues #12102/#16048 (a usage chunk
 * sent even when not asked for).
 *
 * Quirks, each switchable: no `id`/`created`/`system_fingerprint`; `usage` never, only on request,
 * or always; a final usage chunk without a `choices` key; a non-OpenAI finish reason; a server that
 * rejects `stream_options` (old vLLM, pydantic `extra_forbidden`); embeddings always as floats,
 * `dimensions` ignored, `usage` optional.
 */
import type { ServerResponse } from 'node:http';
import { estimateTokens, isRecord, sampleArguments, splitJson, tokenize } from './fake-answer.js';
import { cutStream, delay, openSse, randomId, scenarioForModel, sendJson, startFakeServer, writeSseEvents } from './fake-server.js';
import type { FakeExchange, FakeProvider, Scenario, SseEvent } from './fake-server.js';
import { embeddingsBody, parseEmbeddingsRequest } from './embeddings.js';
import { chosenTool } from './openai.js';

export type ErrorStyle = 'ollama' | 'vllm' | 'fastapi';

export interface FakeCompatibleOptions {
  /** Keys the server accepts; undefined accepts any (Ollama ignores the key). */
  keys?: readonly string[];
  /** Models it serves; others answer 404 in the server's error style. */
  models: readonly string[];
  errorStyle: ErrorStyle;
  /** `never` (default), `on-request` (stream_options.include_usage / always for JSON), `always`. */
  usage?: 'never' | 'on-request' | 'always';
  /** Leave out id, created, object and system_fingerprint. */
  omitIds?: boolean;
  /** The usage chunk has no `choices` key at all. */
  usageChunkWithoutChoices?: boolean;
  /** Finish reason for text answers (e.g. Together's `eos`); tool answers always use `tool_calls`. */
  finishReason?: string;
  /** Answer 400 to any request with `stream_options`. */
  rejectStreamOptions?: boolean;
  /** Honour `dimensions` for embeddings (default false: ignored). */
  honourDimensions?: boolean;
  port?: number;
}

export function compatibleAnswer(): string {
  return 'Hello from fake-compatible.';
}

export async function startFakeCompatible(options: FakeCompatibleOptions): Promise<FakeProvider> {
  const server = await startFakeServer({
    port: options.port,
    readCredential: (headers) => /^Bearer\s+(.+)$/i.exec(headers.authorization ?? '')?.[1]?.trim(),
    handle: (exchange) => handle(exchange, options),
  });
  return { baseUrl: `${server.origin}/v1`, requests: server.requests, enqueue: server.enqueue, close: server.close };
}

/** The server's error body for a status and message, in its own style. */
export function compatibleError(style: ErrorStyle, status: number, message: string): unknown {
  if (style === 'ollama') return { error: message };
  if (style === 'fastapi') return { detail: message };
  const type = status === 404 ? 'NotFoundError' : status === 401 ? 'AuthenticationError' : status >= 500 ? 'InternalServerError' : 'BadRequestError';
  return { object: 'error', message, type, param: null, code: status };
}

async function handle(exchange: FakeExchange, options: FakeCompatibleOptions): Promise<void> {
  const { request, res } = exchange;
  const fail = (status: number, message: string) => sendJson(res, status, compatibleError(options.errorStyle, status, message));
  const route = `${request.method} ${request.path}`;
  if (route !== 'POST /v1/chat/completions' && route !== 'POST /v1/embeddings') return fail(404, '404 page not found');
  if (options.keys !== undefined && !options.keys.includes(request.credential ?? '')) return fail(401, 'Unauthorized: invalid api key');
  const body = request.body;
  if (!isRecord(body) || typeof body['model'] !== 'string') return fail(400, 'model is required');
  const model = body['model'];
  if (options.rejectStreamOptions && body['stream_options'] !== undefined) {
    // What old vLLM (pydantic extra="forbid") answered, as a FastAPI validation error.
    sendJson(res, 400, {
      object: 'error',
      message: "[{'type': 'extra_forbidden', 'loc': ('body', 'stream_options'), 'msg': 'Extra inputs are not permitted'}]",
      type: 'BadRequestError',
      param: null,
      code: 400,
    });
    return;
  }
  const scenario = exchange.takeScenario() ?? scenarioForModel(model);
  if (scenario?.kind === 'hang') return;
  if (scenario?.kind === 'error') return fail(scenario.status, `fake failure ${scenario.status}`);
  if (!options.models.includes(model)) return fail(404, `model "${model}" not found, try pulling it first`);

  if (route === 'POST /v1/embeddings') {
    const parsed = parseEmbeddingsRequest(body);
    if ('problem' in parsed) return fail(parsed.problem.status, parsed.problem.message);
    sendJson(res, 200, embeddingsBody(parsed, { base64: false, usage: options.usage !== 'never', minimal: options.omitIds === true, dimensions: options.honourDimensions === true }));
    return;
  }
  if (!Array.isArray(body['messages'])) return fail(400, 'messages is required');
  await answerChat(res, body, model, scenario, options);
}

interface Answer {
  text?: string;
  tool?: { id: string; name: string; arguments: string };
  finishReason: string;
  promptTokens: number;
  completionTokens: number;
}

function buildAnswer(body: Record<string, unknown>, options: FakeCompatibleOptions): Answer {
  const promptTokens = (body['messages'] as unknown[]).reduce<number>((sum, m) => sum + 3 + estimateTokens(JSON.stringify(isRecord(m) ? m['content'] : '')), 3);
  const tool = chosenTool(body['tools'], body['tool_choice']);
  if (tool) {
    const args = JSON.stringify(sampleArguments(tool.parameters));
    return { tool: { id: `call_${randomId(9)}`, name: tool.name, arguments: args }, finishReason: 'tool_calls', promptTokens, completionTokens: estimateTokens(args) };
  }
  const text = compatibleAnswer();
  return { text, finishReason: options.finishReason ?? 'stop', promptTokens, completionTokens: tokenize(text).length };
}

function usageOf(answer: Answer) {
  return { prompt_tokens: answer.promptTokens, completion_tokens: answer.completionTokens, total_tokens: answer.promptTokens + answer.completionTokens };
}

async function answerChat(res: ServerResponse, body: Record<string, unknown>, model: string, scenario: Scenario | undefined, options: FakeCompatibleOptions): Promise<void> {
  const answer = buildAnswer(body, options);
  const ids = options.omitIds ? {} : { id: `chatcmpl-${randomId(12)}`, object: 'chat.completion', created: Math.floor(Date.now() / 1000), system_fingerprint: 'b4567-fake' };
  const usageMode = options.usage ?? 'never';
  if (body['stream'] !== true) {
    const message = answer.tool
      ? { role: 'assistant', content: '', tool_calls: [{ id: answer.tool.id, type: 'function', function: { name: answer.tool.name, arguments: answer.tool.arguments } }] }
      : { role: 'assistant', content: answer.text };
    sendJson(res, 200, {
      ...ids,
      model,
      choices: [{ index: 0, message, finish_reason: answer.finishReason }],
      ...(usageMode !== 'never' ? { usage: usageOf(answer) } : {}),
    });
    return;
  }
  const streamOptions = isRecord(body['stream_options']) ? body['stream_options'] : {};
  const sendUsage = usageMode === 'always' || (usageMode === 'on-request' && streamOptions['include_usage'] === true);
  const chunkIds = options.omitIds ? {} : { ...ids, object: 'chat.completion.chunk' };
  const chunk = (delta: unknown, finish: string | null = null): SseEvent => ({
    data: JSON.stringify({ ...chunkIds, model, choices: [{ index: 0, delta, finish_reason: finish }] }),
  });
  const events: SseEvent[] = [];
  if (answer.tool) {
    events.push(chunk({ role: 'assistant', tool_calls: [{ index: 0, id: answer.tool.id, type: 'function', function: { name: answer.tool.name, arguments: '' } }] }));
    for (const piece of splitJson(answer.tool.arguments)) events.push(chunk({ tool_calls: [{ index: 0, function: { arguments: piece } }] }));
  } else {
    events.push(chunk({ role: 'assistant', content: '' }));
    for (const piece of tokenize(answer.text ?? '')) events.push(chunk({ content: piece }));
  }
  events.push(chunk({}, answer.finishReason));
  if (sendUsage) {
    events.push({
      data: JSON.stringify({ ...chunkIds, model, ...(options.usageChunkWithoutChoices ? {} : { choices: [] }), usage: usageOf(answer), timings: { prompt_n: answer.promptTokens, predicted_n: answer.completionTokens } }),
    });
  }
  events.push({ data: '[DONE]' });
  openSse(res, {});
  if (scenario?.kind === 'stream-cut') {
    if (await writeSseEvents(res, events.slice(0, scenario.afterEvents ?? 2))) cutStream(res);
    return;
  }
  await delay(0);
  if (await writeSseEvents(res, events)) res.end();
}
