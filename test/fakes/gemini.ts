/**
 * A fake Google Gemini API speaking the real wire format, checked against the Gemini API reference
 * (ai.google.dev/api: models.generateContent, models.streamGenerateContent, models.batchEmbedContents,
 * models.list), the @google/genai SDK and recorded error bodies:
 * - `POST /v1beta/models/{model}:generateContent` → a GenerateContentResponse (candidates[].content
 *   .parts, finishReason, index; usageMetadata; modelVersion; responseId). Zero counters are left
 *   out, as proto3 JSON does.
 * - `POST /v1beta/models/{model}:streamGenerateContent?alt=sse` → `data: <chunk>\r\n\r\n` events,
 *   each a GenerateContentResponse; the last carries finishReason; the stream just ends.
 * - `POST /v1beta/models/{model}:batchEmbedContents` → `{embeddings: [{values}]}`.
 * - `GET /v1beta/models` → `{models: [{name, displayName, supportedGenerationMethods, …}]}`.
 * - Errors `{"error":{"code","message","status","details"?}}`: an unknown key is a 400
 *   INVALID_ARGUMENT with an ErrorInfo reason API_KEY_INVALID; no key a 403 PERMISSION_DENIED;
 *   unknown JSON fields a 400 `Invalid JSON payload received. Unknown name …`.
 * The key is read from `x-goog-api-key` (what the SDK sends) or the `key` query parameter.
 */
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { estimateTokens, findStop, isRecord, keyNumber, sampleArguments, splitIntoChunks, tokenize } from './fake-answer.js';
import { cutStream, delay, randomId, scenarioForModel, sendJson, sendTruncatedJson, startFakeServer } from './fake-server.js';
import type { FakeExchange, FakeProvider, RecordedRequest, Scenario } from './fake-server.js';

export interface FakeGeminiOptions {
  keys: readonly string[];
  latencyMs?: number;
  streamIntervalMs?: number;
  port?: number;
}

export function geminiAnswer(keyIndex: number): string {
  return `Hello from fake-gemini (key #${keyIndex}).`;
}

export const GEMINI_MODELS = ['gemini-2.5-pro', 'gemini-2.5-flash', 'gemini-2.5-flash-lite', 'gemini-2.0-flash', 'gemini-embedding-001', 'text-embedding-004'];

export async function startFakeGemini(options: FakeGeminiOptions): Promise<FakeProvider> {
  const server = await startFakeServer({
    port: options.port,
    readCredential: (headers) => {
      const key = headers['x-goog-api-key'];
      return typeof key === 'string' && key !== '' ? key : undefined;
    },
    handle: (exchange) => handleGemini(exchange, options),
  });
  return { baseUrl: server.origin, requests: server.requests, enqueue: server.enqueue, close: server.close };
}

function credentialOf(request: RecordedRequest): string | undefined {
  return request.credential ?? request.query.get('key') ?? undefined;
}

const TOP_LEVEL_FIELDS = new Set(['contents', 'systemInstruction', 'tools', 'toolConfig', 'generationConfig', 'safetySettings', 'cachedContent']);
const GENERATION_FIELDS = new Set([
  'stopSequences', 'responseMimeType', 'responseSchema', 'responseJsonSchema', 'responseModalities', 'candidateCount',
  'maxOutputTokens', 'temperature', 'topP', 'topK', 'seed', 'presencePenalty', 'frequencyPenalty', 'responseLogprobs',
  'logprobs', 'thinkingConfig',
]);
const EMBED_FIELDS = new Set(['model', 'content', 'taskType', 'title', 'outputDimensionality']);

async function handleGemini(exchange: FakeExchange, options: FakeGeminiOptions): Promise<void> {
  const { request, res } = exchange;
  const route = /^\/v1beta\/models\/([^/:]+):(generateContent|streamGenerateContent|batchEmbedContents)$/.exec(request.path);
  const isList = request.method === 'GET' && request.path === '/v1beta/models';
  if (!isList && (request.method !== 'POST' || route === null)) {
    sendGoogleError(res, 404, 'NOT_FOUND', `Requested entity was not found.`);
    return;
  }
  const credential = credentialOf(request);
  if (credential === undefined) {
    sendGoogleError(res, 403, 'PERMISSION_DENIED', "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.");
    return;
  }
  const key = keyNumber(options.keys, credential);
  if (key === undefined) {
    sendJson(res, 400, invalidKeyBody());
    return;
  }
  if (isList) {
    sendJson(res, 200, { models: GEMINI_MODELS.map(modelInfo) });
    return;
  }
  const model = decodeURIComponent(route![1]!);
  const method = route![2]!;
  if (!GEMINI_MODELS.includes(model) && scenarioForModel(model) === undefined) {
    sendGoogleError(res, 404, 'NOT_FOUND', `models/${model} is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.`);
    return;
  }
  if (method === 'batchEmbedContents') {
    await embed(exchange, model, options);
    return;
  }
  const problem = validateGenerate(request.body);
  if (problem !== undefined) {
    sendGoogleError(res, 400, 'INVALID_ARGUMENT', problem);
    return;
  }
  const scenario = exchange.takeScenario() ?? scenarioForModel(model);
  await delay(options.latencyMs);
  const stream = method === 'streamGenerateContent';
  if (stream && request.query.get('alt') !== 'sse') {
    sendGoogleError(res, 400, 'INVALID_ARGUMENT', 'This fake only streams with alt=sse.');
    return;
  }
  await answer(res, request.body as Record<string, unknown>, model, key, scenario, stream, options);
}

function modelInfo(model: string): Record<string, unknown> {
  const embedding = model.includes('embedding');
  return {
    name: `models/${model}`,
    version: '001',
    displayName: model,
    inputTokenLimit: embedding ? 2048 : 1048576,
    outputTokenLimit: embedding ? 1 : 65536,
    supportedGenerationMethods: embedding ? ['embedContent', 'batchEmbedContents'] : ['generateContent', 'countTokens'],
  };
}

function invalidKeyBody(): unknown {
  const message = 'API key not valid. Please pass a valid API key.';
  return {
    error: {
      code: 400,
      message,
      status: 'INVALID_ARGUMENT',
      details: [
        { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com', metadata: { service: 'generativelanguage.googleapis.com' } },
        { '@type': 'type.googleapis.com/google.rpc.LocalizedMessage', locale: 'en-US', message },
      ],
    },
  };
}

export function googleErrorBody(status: number, rpcStatus: string, message: string): unknown {
  return { error: { code: status, message, status: rpcStatus } };
}

function sendGoogleError(res: ServerResponse, status: number, rpcStatus: string, message: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, googleErrorBody(status, rpcStatus, message), { 'content-type': 'application/json; charset=UTF-8', ...headers });
}

function defaultErrorBody(status: number): unknown {
  switch (status) {
    case 400:
      return googleErrorBody(400, 'INVALID_ARGUMENT', 'Request contains an invalid argument.');
    case 403:
      return googleErrorBody(403, 'PERMISSION_DENIED', 'The caller does not have permission');
    case 404:
      return googleErrorBody(404, 'NOT_FOUND', 'Requested entity was not found.');
    case 429:
      return {
        error: {
          code: 429,
          message: 'You exceeded your current quota, please check your plan and billing details.',
          status: 'RESOURCE_EXHAUSTED',
          details: [
            { '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: [{ quotaMetric: 'generativelanguage.googleapis.com/generate_content_paid_tier_input_token_count', quotaId: 'GenerateContentPaidTierInputTokensPerModelPerMinute' }] },
            { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '7s' },
          ],
        },
      };
    case 503:
      return googleErrorBody(503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.');
    case 504:
      return googleErrorBody(504, 'DEADLINE_EXCEEDED', 'Deadline expired before operation could complete.');
    default:
      return googleErrorBody(status, 'INTERNAL', 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting');
  }
}

function validateGenerate(body: unknown): string | undefined {
  if (!isRecord(body)) return 'Invalid JSON payload received.';
  for (const field of Object.keys(body)) {
    if (!TOP_LEVEL_FIELDS.has(field)) return `Invalid JSON payload received. Unknown name "${field}": Cannot find field.`;
  }
  const config = body['generationConfig'];
  if (isRecord(config)) {
    for (const field of Object.keys(config)) {
      if (!GENERATION_FIELDS.has(field)) return `Invalid JSON payload received. Unknown name "${field}" at 'generation_config': Cannot find field.`;
    }
  }
  const contents = body['contents'];
  if (!Array.isArray(contents) || contents.length === 0) return '* GenerateContentRequest.contents: contents is not specified';
  for (const [i, content] of contents.entries()) {
    if (!isRecord(content) || !Array.isArray(content['parts']) || content['parts'].length === 0) {
      return `* GenerateContentRequest.contents[${i}].parts: contents.parts must not be empty.`;
    }
    if (content['role'] !== 'user' && content['role'] !== 'model') return `Please use a valid role: user, model.`;
    for (const part of content['parts'] as unknown[]) {
      if (isRecord(part) && isRecord(part['functionResponse']) && typeof part['functionResponse']['name'] !== 'string') {
        return `* GenerateContentRequest.contents[${i}].parts: function_response.name: Name cannot be empty.`;
      }
    }
  }
  return undefined;
}

interface Reply {
  parts: Array<Record<string, unknown>>;
  pieces: string[];
  finishReason: 'STOP' | 'MAX_TOKENS';
  promptTokens: number;
  outputTokens: number;
}

/** The first declared function, unless tools are off (NONE) or the last turn answers a call. */
function chosenFunction(body: Record<string, unknown>): { name: string; schema: unknown } | undefined {
  const declarations = (Array.isArray(body['tools']) ? body['tools'] : [])
    .flatMap((tool) => (isRecord(tool) && Array.isArray(tool['functionDeclarations']) ? tool['functionDeclarations'] : []))
    .filter((d): d is Record<string, unknown> => isRecord(d) && typeof d['name'] === 'string');
  if (declarations.length === 0) return undefined;
  const config = isRecord(body['toolConfig']) && isRecord(body['toolConfig']['functionCallingConfig']) ? body['toolConfig']['functionCallingConfig'] : {};
  if (config['mode'] === 'NONE') return undefined;
  const contents = body['contents'] as Array<Record<string, unknown>>;
  const lastParts = (contents.at(-1)?.['parts'] ?? []) as unknown[];
  if (lastParts.some((part) => isRecord(part) && part['functionResponse'] !== undefined)) return undefined;
  const allowed = Array.isArray(config['allowedFunctionNames']) ? config['allowedFunctionNames'] : [];
  const declaration = declarations.find((d) => allowed.includes(d['name'])) ?? declarations[0]!;
  return { name: declaration['name'] as string, schema: declaration['parametersJsonSchema'] ?? declaration['parameters'] };
}

function buildReply(body: Record<string, unknown>, key: number, scenario: Scenario | undefined): Reply {
  const config = isRecord(body['generationConfig']) ? body['generationConfig'] : {};
  const promptTokens = estimateTokens(JSON.stringify(body['contents']) + JSON.stringify(body['systemInstruction'] ?? ''));
  const fn = chosenFunction(body);
  if (fn !== undefined) {
    return { parts: [{ functionCall: { name: fn.name, args: sampleArguments(fn.schema) } }], pieces: [], finishReason: 'STOP', promptTokens, outputTokens: 12 };
  }
  let text = config['responseMimeType'] === 'application/json' ? '{"answer":"fake-gemini"}' : geminiAnswer(key);
  let finishReason: Reply['finishReason'] = 'STOP';
  const stops = Array.isArray(config['stopSequences']) ? config['stopSequences'].filter((s): s is string => typeof s === 'string') : [];
  const stop = findStop(text, stops);
  if (stop !== undefined) text = text.slice(0, stop.index);
  let tokens = tokenize(text);
  const max = config['maxOutputTokens'];
  if (typeof max === 'number' && tokens.length > max) {
    tokens = tokens.slice(0, max);
    finishReason = 'MAX_TOKENS';
  }
  const pieces = scenario?.kind === 'slow-stream' ? splitIntoChunks(tokens.join(''), scenario.chunks) : tokens;
  return { parts: [{ text: tokens.join('') }], pieces, finishReason, promptTokens, outputTokens: tokens.length };
}

function usageMetadata(promptTokens: number, outputTokens: number): Record<string, unknown> {
  return {
    promptTokenCount: promptTokens,
    ...(outputTokens > 0 && { candidatesTokenCount: outputTokens }),
    totalTokenCount: promptTokens + outputTokens,
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: promptTokens }],
  };
}

async function answer(
  res: ServerResponse,
  body: Record<string, unknown>,
  model: string,
  key: number,
  scenario: Scenario | undefined,
  stream: boolean,
  options: FakeGeminiOptions,
): Promise<void> {
  if (scenario?.kind === 'hang') return;
  if (scenario?.kind === 'error') {
    sendJson(res, scenario.status, scenario.body ?? defaultErrorBody(scenario.status), { 'content-type': 'application/json; charset=UTF-8', ...scenario.headers });
    return;
  }
  const reply = buildReply(body, key, scenario);
  const responseId = randomId(22);
  const modelVersion = model;
  const full = {
    candidates: [{ content: { parts: reply.parts, role: 'model' }, finishReason: reply.finishReason, index: 0 }],
    usageMetadata: usageMetadata(reply.promptTokens, reply.outputTokens),
    modelVersion,
    responseId,
  };
  if (!stream) {
    if (scenario?.kind === 'stream-cut') sendTruncatedJson(res, full, {});
    else if (scenario?.kind === 'stream-error') sendJson(res, 503, defaultErrorBody(503));
    else sendJson(res, 200, full);
    return;
  }
  const chunks = streamChunks(reply, modelVersion, responseId);
  res.writeHead(200, { 'content-type': 'text/event-stream', 'x-content-type-options': 'nosniff' });
  res.flushHeaders();
  const intervalMs = scenario?.kind === 'slow-stream' ? scenario.intervalMs : options.streamIntervalMs ?? 0;
  const cutAfter = scenario?.kind === 'stream-cut' || scenario?.kind === 'stream-error' ? scenario.afterEvents ?? 1 : undefined;
  for (const [index, chunk] of chunks.entries()) {
    if (cutAfter !== undefined && index === cutAfter) {
      if (scenario?.kind === 'stream-error') {
        await write(res, `data: ${JSON.stringify(defaultErrorBody(503))}\r\n\r\n`);
        res.end();
      } else cutStream(res);
      return;
    }
    if (index > 0 && intervalMs > 0) await delay(intervalMs);
    if (res.destroyed || res.writableEnded) return;
    await write(res, `data: ${JSON.stringify(chunk)}\r\n\r\n`);
  }
  res.end();
}

/** Text is streamed a few tokens per chunk; a function call arrives whole in one chunk, as Gemini sends it. */
function streamChunks(reply: Reply, modelVersion: string, responseId: string): unknown[] {
  const pieces: Array<Array<Record<string, unknown>>> = reply.pieces.length > 0 ? reply.pieces.map((text) => [{ text }]) : [reply.parts];
  let emitted = 0;
  return pieces.map((parts, i) => {
    const last = i === pieces.length - 1;
    emitted = last ? reply.outputTokens : emitted + tokenize(String(parts[0]?.['text'] ?? '')).length;
    return {
      candidates: [{ content: { parts, role: 'model' }, ...(last && { finishReason: reply.finishReason }), index: 0 }],
      usageMetadata: usageMetadata(reply.promptTokens, emitted),
      modelVersion,
      responseId,
    };
  });
}

function write(res: ServerResponse, text: string): Promise<void> {
  return new Promise((resolve) => res.write(text, () => resolve()));
}

/** Deterministic unit-length-ish vector from the text, so equal inputs embed equally. */
export function fakeEmbedding(text: string, dimensions: number): number[] {
  const values: number[] = [];
  let block = createHash('sha256').update(text).digest();
  for (let i = 0; i < dimensions; i += 1) {
    if (i % 32 === 0 && i > 0) block = createHash('sha256').update(block).digest();
    values.push(Math.round(((block[i % 32]! / 255) * 2 - 1) * 1e6) / 1e6);
  }
  return values;
}

async function embed(exchange: FakeExchange, model: string, options: FakeGeminiOptions): Promise<void> {
  const { request, res } = exchange;
  const body = request.body;
  if (!isRecord(body) || !Array.isArray(body['requests']) || body['requests'].length === 0) {
    sendGoogleError(res, 400, 'INVALID_ARGUMENT', '* BatchEmbedContentsRequest.requests: requests is not specified');
    return;
  }
  const requests = body['requests'] as unknown[];
  if (requests.length > 100) {
    sendGoogleError(res, 400, 'INVALID_ARGUMENT', '* BatchEmbedContentsRequest.requests: at most 100 requests can be in one batch');
    return;
  }
  const texts: Array<{ text: string; dimensions: number }> = [];
  for (const [i, item] of requests.entries()) {
    if (!isRecord(item)) return sendGoogleError(res, 400, 'INVALID_ARGUMENT', `* BatchEmbedContentsRequest.requests[${i}]: invalid`);
    for (const field of Object.keys(item)) {
      if (!EMBED_FIELDS.has(field)) return sendGoogleError(res, 400, 'INVALID_ARGUMENT', `Invalid JSON payload received. Unknown name "${field}" at 'requests[${i}]': Cannot find field.`);
    }
    if (item['model'] !== `models/${model}`) {
      return sendGoogleError(res, 400, 'INVALID_ARGUMENT', `* BatchEmbedContentsRequest.requests[${i}].model: The model in the request must match the model in the URL.`);
    }
    const parts = isRecord(item['content']) && Array.isArray(item['content']['parts']) ? item['content']['parts'] : [];
    const text = parts.map((p) => (isRecord(p) && typeof p['text'] === 'string' ? p['text'] : '')).join('');
    if (text === '') return sendGoogleError(res, 400, 'INVALID_ARGUMENT', `* BatchEmbedContentsRequest.requests[${i}].content.parts: contents.parts must not be empty.`);
    const dims = typeof item['outputDimensionality'] === 'number' ? item['outputDimensionality'] : model === 'gemini-embedding-001' ? 3072 : 768;
    texts.push({ text, dimensions: dims });
  }
  const scenario = exchange.takeScenario();
  await delay(options.latencyMs);
  if (scenario?.kind === 'hang') return;
  if (scenario?.kind === 'error') {
    sendJson(res, scenario.status, scenario.body ?? defaultErrorBody(scenario.status));
    return;
  }
  sendJson(res, 200, { embeddings: texts.map(({ text, dimensions }) => ({ values: fakeEmbedding(text, dimensions) })) });
}
