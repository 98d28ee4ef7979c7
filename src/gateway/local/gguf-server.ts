/**
 * The in-process local model (SWITCHBOARD_LOCAL_MODEL_PATH): a GGUF file run by node-llama-cpp,
 * exposed as a small OpenAI-compatible HTTP server on 127.0.0.1 (random port, bearer token made
 * per boot), so the gateway reaches it through its ordinary path (OpenAI wire format, pooled
 * client, metering, error mapping) exactly as it reaches Ollama or llama.cpp's server.
 *
 * Wire format (checked against OpenAI's API reference for chat completions and the `openai` SDK's
 * ChatCompletion / ChatCompletionChunk types in node_modules/openai/resources/chat/completions):
 * a `chat.completion` object, or `chat.completion.chunk` SSE events (role first, then content
 * deltas, then the finish reason, then, with stream_options.include_usage, a usage chunk with
 * empty choices) ended by `data: [DONE]`; errors as `{"error":{message,type,param,code}}`.
 *
 * The model is loaded once, on first use; one context sequence serves one request at a time and
 * up to `maxQueue` more wait; beyond that the server answers 503 (the gateway: provider_overloaded).
 * Usage is real token counts: the prompt as the chat template renders it, tokenized by the model,
 * and the sequence's token meter for the generated tokens.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppError } from '../../platform/errors.js';
import type { Logger } from '../../platform/logger.js';
import { loadNodeLlamaCpp, type LlamaChatInstance, type LlamaContextSequence, type NodeLlamaCpp } from './llama-runtime.js';
import { LocalRequestError, toLocalChatRequest, type LocalChatRequest } from './local-chat-request.js';

export interface GgufServerOptions {
  modelPath: string;
  /** The name the model answers as (`local/<name>`). */
  name: string;
  contextSize: number | undefined;
  threads: number | undefined;
  maxQueue: number;
  maxTokens: number;
  logger: Logger;
  /** For tests: a runtime other than the installed node-llama-cpp. */
  loadRuntime?: () => Promise<NodeLlamaCpp>;
}

export interface GgufServer {
  /** Starts the HTTP server and loads the model (once; a failed load is retried next time). */
  start(): Promise<{ baseUrl: string; apiKey: string }>;
  close(): Promise<void>;
}

interface LoadedModel {
  chat: LlamaChatInstance;
  sequence: LlamaContextSequence;
  tokenizer: unknown;
  dispose(): Promise<void>;
}

const MAX_BODY_BYTES = 4 * 1024 * 1024;

export function createGgufServer(options: GgufServerOptions): GgufServer {
  const apiKey = `sb-local-${randomBytes(24).toString('base64url')}`;
  const logger = options.logger;
  const modelId = `local/${options.name}`;
  let started: Promise<{ baseUrl: string; apiKey: string }> | undefined;
  let server: Server | undefined;
  let loaded: Promise<LoadedModel> | undefined;
  let running = false;
  const waiting: Array<() => void> = [];
  let closed = false;

  function load(): Promise<LoadedModel> {
    loaded ??= (async () => {
      const begin = performance.now();
      const runtime = await (options.loadRuntime ?? loadNodeLlamaCpp)();
      const llama = await runtime.getLlama({
        gpu: 'auto',
        build: 'never',
        logLevel: 'error',
        ...(options.threads !== undefined ? { maxThreads: options.threads } : {}),
      });
      const model = await llama.loadModel({ modelPath: options.modelPath });
      const context = await model.createContext({
        sequences: 1,
        ...(options.contextSize !== undefined ? { contextSize: options.contextSize } : {}),
        ...(options.threads !== undefined ? { threads: options.threads } : {}),
      });
      const sequence = context.getSequence();
      logger.info({ model: modelId, load_ms: Math.round(performance.now() - begin) }, 'local model loaded');
      return {
        chat: new runtime.LlamaChat({ contextSequence: sequence }),
        sequence,
        tokenizer: model.tokenizer,
        async dispose() {
          await context.dispose();
          await model.dispose();
          await llama.dispose();
        },
      };
    })();
    // A failed load is retried by the next request rather than cached forever.
    loaded.catch(() => {
      loaded = undefined;
    });
    return loaded;
  }

  /** One generation at a time; `maxQueue` may wait. Resolves with a release function, or undefined when full. */
  function acquire(): Promise<(() => void) | undefined> {
    const release = () => {
      const next = waiting.shift();
      if (next) next();
      else running = false;
    };
    if (!running) {
      running = true;
      return Promise.resolve(release);
    }
    if (waiting.length >= options.maxQueue) return Promise.resolve(undefined);
    return new Promise((resolve) => waiting.push(() => resolve(release)));
  }

  function sendError(res: ServerResponse, status: number, code: string, message: string, param: string | null = null, headers: Record<string, string> = {}) {
    const type = status === 401 ? 'authentication_error' : status >= 500 ? 'server_error' : 'invalid_request_error';
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify({ error: { message, type, param, code } }));
  }

  async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
    let size = 0;
    const chunks: Buffer[] = [];
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) throw new LocalRequestError(413, 'payload_too_large', null, 'The request body is too large.');
      chunks.push(chunk as Buffer);
    }
    try {
      const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    } catch {
      // answered below
    }
    throw new LocalRequestError(400, 'invalid_json', null, 'The request body is not a JSON object.');
  }

  async function generate(model: LoadedModel, request: LocalChatRequest, signal: AbortSignal, onText: (text: string) => void) {
    const promptTokens = model.chat.chatWrapper
      .generateContextState({ chatHistory: [...request.history, { type: 'model', response: [] }] })
      .contextText.tokenize(model.tokenizer).length;
    const before = model.sequence.tokenMeter.getState();
    const result = await model.chat.generateResponse(request.history, {
      onTextChunk: onText,
      signal,
      stopOnAbortSignal: true,
      maxTokens: request.maxTokens,
      ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
      ...(request.topP !== undefined ? { topP: request.topP } : {}),
      ...(request.seed !== undefined ? { seed: request.seed } : {}),
      ...(request.stop ? { customStopTriggers: request.stop } : {}),
    });
    const completionTokens = model.sequence.tokenMeter.getState().usedOutputTokens - before.usedOutputTokens;
    return {
      text: result.response,
      finishReason: result.metadata.stopReason === 'maxTokens' ? 'length' : 'stop',
      usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    if (req.method !== 'POST' || (req.url !== '/v1/chat/completions' && req.url !== '/chat/completions')) {
      sendError(res, 404, 'not_found', `Unknown route ${req.method} ${req.url}.`);
      return;
    }
    if (req.headers.authorization !== `Bearer ${apiKey}`) {
      sendError(res, 401, 'invalid_api_key', 'This local model server only answers Switchboard.');
      return;
    }
    let request: LocalChatRequest;
    try {
      request = toLocalChatRequest(await readBody(req), { maxTokens: options.maxTokens });
    } catch (error) {
      if (error instanceof LocalRequestError) sendError(res, error.status, error.code, error.message, error.param);
      else throw error;
      return;
    }
    const release = await acquire();
    if (!release) {
      sendError(res, 503, 'local_busy', `The local model is busy (${options.maxQueue} requests already waiting). Retry shortly.`, null, { 'retry-after': '1' });
      return;
    }
    const abort = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    try {
      if (abort.signal.aborted) return;
      const model = await load();
      const id = `chatcmpl-local-${randomBytes(12).toString('hex')}`;
      const created = Math.floor(Date.now() / 1000);
      if (!request.stream) {
        const result = await generate(model, request, abort.signal, () => {});
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            id,
            object: 'chat.completion',
            created,
            model: modelId,
            system_fingerprint: null,
            choices: [{ index: 0, message: { role: 'assistant', content: result.text, refusal: null }, logprobs: null, finish_reason: result.finishReason }],
            usage: result.usage,
          }),
        );
        return;
      }
      const chunk = (choices: unknown[], usage: unknown = null) =>
        `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: modelId, system_fingerprint: null, choices, ...(request.includeUsage ? { usage } : {}) })}\n\n`;
      const delta = (value: Record<string, unknown>, finishReason: string | null = null) => [{ index: 0, delta: value, logprobs: null, finish_reason: finishReason }];
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
      res.write(chunk(delta({ role: 'assistant', content: '', refusal: null })));
      try {
        const result = await generate(model, request, abort.signal, (text) => {
          if (text !== '') res.write(chunk(delta({ content: text })));
        });
        res.write(chunk(delta({}, result.finishReason)));
        if (request.includeUsage) res.write(chunk([], result.usage));
        res.end('data: [DONE]\n\n');
      } catch (error) {
        logger.warn({ err: error, model: modelId }, 'local generation failed mid-stream');
        res.end(`data: ${JSON.stringify({ error: { message: 'The local model failed while generating.', type: 'server_error', param: null, code: 'local_generation_failed' } })}\n\n`);
      }
    } finally {
      release();
    }
  }

  return {
    async start() {
      if (closed) throw new AppError('local_unavailable', { message: 'The server is shutting down.' });
      started ??= new Promise((resolve, reject) => {
        const http = createServer((req, res) => {
          handle(req, res).catch((error: unknown) => {
            logger.error({ err: error, model: modelId }, 'local model request failed');
            if (!res.headersSent) sendError(res, 500, 'local_model_failed', 'The local model could not answer; see the server log.');
            else res.end();
          });
        });
        http.keepAliveTimeout = 60_000;
        http.once('error', reject);
        http.listen(0, '127.0.0.1', () => {
          server = http;
          const port = (http.address() as AddressInfo).port;
          resolve({ baseUrl: `http://127.0.0.1:${port}/v1`, apiKey });
        });
      });
      const address = await started;
      try {
        await load();
      } catch (error) {
        if (error instanceof AppError) throw error;
        logger.error({ err: error, model: modelId }, 'local model could not be loaded');
        throw new AppError('local_unavailable', {
          message: 'The local model (SWITCHBOARD_LOCAL_MODEL_PATH) could not be loaded; the server log says why.',
          cause: error,
        });
      }
      return address;
    },
    async close() {
      closed = true;
      if (server) {
        const http = server;
        await new Promise<void>((resolve) => {
          http.close(() => resolve());
          http.closeAllConnections();
        });
      }
      const model = await loaded?.catch(() => undefined);
      await model?.dispose();
    },
  };
}
