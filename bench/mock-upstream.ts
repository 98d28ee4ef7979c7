/**
 * A mock OpenAI Chat Completions upstream for benchmarks, on 127.0.0.1 only.
 *
 *   POST /v1/chat/completions   JSON (`chat.completion`) or SSE (`chat.completion.chunk` … `[DONE]`)
 *   GET  /_mock/settings        current settings; PUT merges a JSON patch (used by stream-memory)
 *   GET  /_mock/stats           requests served, streams open now and at peak; DELETE resets the peak
 *
 * Timing (the `pacing` setting):
 * - JSON: the whole body is sent `delayMs` after the request arrived.
 * - SSE, `paced` (default): headers, the role chunk and the first content chunk go out at once,
 *   the other `chunks - 1` content chunks are spread evenly over `delayMs`, and the finish chunk,
 *   the usage chunk (with `stream_options.include_usage`) and `data: [DONE]` follow the last one.
 *   A stream therefore lasts as long as a JSON answer takes, and time to first token measured
 *   through a gateway is the gateway's own overhead, free of the mock's timer jitter.
 * - SSE, `burst`: every event is written `delayMs` after the request arrived (first token = delay).
 *
 * Requests need `Authorization: Bearer <anything>` (so a gateway that drops the key fails).
 * Bodies are built from precomputed JSON fragments: the mock must stay cheap next to the load
 * generator on its core.
 *
 *   npx tsx bench/mock-upstream.ts [--port 0] [--delay-ms 50] [--chunks 20] [--pacing paced|burst]
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { parseArgs } from 'node:util';
import { announceAndServe, listenOnLoopback } from './lib/child-lifecycle.js';
import { isMain } from './lib/is-main.js';

export type Pacing = 'paced' | 'burst';

export interface MockSettings {
  delayMs: number;
  chunks: number;
  pacing: Pacing;
}

const ANSWER =
  'Thanks for reaching out, and sorry for the double charge. The second payment on March 4th was a ' +
  'duplicate authorisation from our billing provider. It has already been flagged and will be refunded ' +
  'automatically to the same card. Refunds usually appear within three to five business days, depending ' +
  'on your bank. You do not need to do anything else, but reply here if it has not arrived by next Friday.';

const SYSTEM_FINGERPRINT = '"fp_b3f1157249"';

interface Prepared {
  /** JSON-encoded content pieces, one per chunk. */
  pieces: string[];
  /** The whole answer, JSON-encoded. */
  content: string;
  completionTokens: number;
}

function prepare(settings: MockSettings): Prepared {
  const words = ANSWER.split(/(?=\s)/);
  const chunks = Math.max(1, settings.chunks);
  while (words.length < chunks) words.push(...ANSWER.split(/(?=\s)/));
  const pieces: string[] = [];
  for (let i = 0; i < chunks; i += 1) {
    const start = Math.floor((i * words.length) / chunks);
    const end = Math.floor(((i + 1) * words.length) / chunks);
    pieces.push(words.slice(start, end).join(''));
  }
  const text = pieces.join('');
  return { pieces: pieces.map((piece) => JSON.stringify(piece)), content: JSON.stringify(text), completionTokens: Math.ceil(text.length / 4) };
}

interface ChatCall {
  model: string;
  stream: boolean;
  includeUsage: boolean;
  promptTokens: number;
}

function parseCall(raw: string): ChatCall | string {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return 'We could not parse the JSON body of your request.';
  }
  if (typeof body !== 'object' || body === null) return 'The request body must be a JSON object.';
  const record = body as Record<string, unknown>;
  if (typeof record.model !== 'string' || record.model === '') return 'you must provide a model parameter';
  if (!Array.isArray(record.messages)) return "Missing required parameter: 'messages'.";
  let characters = 0;
  for (const message of record.messages) {
    const content = (message as { content?: unknown } | null)?.content;
    characters += typeof content === 'string' ? content.length : JSON.stringify(content ?? '').length;
  }
  const options = record.stream_options as { include_usage?: unknown } | undefined;
  return {
    model: record.model,
    stream: record.stream === true,
    includeUsage: options?.include_usage === true,
    // ~4 characters per token, plus OpenAI's per-message and reply-priming overhead.
    promptTokens: Math.ceil(characters / 4) + 3 * record.messages.length + 3,
  };
}

function usageJson(call: ChatCall, prepared: Prepared): string {
  const total = call.promptTokens + prepared.completionTokens;
  return (
    `{"prompt_tokens":${call.promptTokens},"completion_tokens":${prepared.completionTokens},"total_tokens":${total},` +
    '"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},' +
    '"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}'
  );
}

const completionId = () => `chatcmpl-${randomBytes(22).toString('base64url').slice(0, 29)}`;

function responseHeaders(contentType: string, started: number, served: number): http.OutgoingHttpHeaders {
  return {
    'content-type': contentType,
    'x-request-id': `req_${randomBytes(16).toString('hex')}`,
    'openai-organization': 'bench-org',
    'openai-version': '2020-10-01',
    'openai-processing-ms': String(Math.round(performance.now() - started)),
    'x-ratelimit-limit-requests': '30000',
    'x-ratelimit-remaining-requests': String(Math.max(0, 29_999 - (served % 30_000))),
    'x-ratelimit-reset-requests': '2ms',
  };
}

export interface MockServer {
  url: string;
  close(): Promise<void>;
}

export function startMockUpstream(initial: MockSettings, port = 0): Promise<MockServer> {
  let settings = { ...initial };
  let prepared = prepare(settings);
  const stats = { requests: 0, openStreams: 0, peakOpenStreams: 0 };

  function sendJson(res: http.ServerResponse, status: number, body: string, headers: http.OutgoingHttpHeaders = {}) {
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers });
    res.end(body);
  }

  function sendError(res: http.ServerResponse, status: number, message: string, code: string | null = null) {
    const body = { error: { message, type: 'invalid_request_error', param: null, code } };
    sendJson(res, status, JSON.stringify(body));
  }

  function answerJson(res: http.ServerResponse, call: ChatCall, started: number) {
    const body =
      `{"id":"${completionId()}","object":"chat.completion","created":${Math.floor(Date.now() / 1000)},` +
      `"model":${JSON.stringify(call.model)},"choices":[{"index":0,"message":{"role":"assistant","content":${prepared.content},` +
      `"refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],"usage":${usageJson(call, prepared)},` +
      `"service_tier":"default","system_fingerprint":${SYSTEM_FINGERPRINT}}`;
    sendJson(res, 200, body, responseHeaders('application/json', started, stats.requests));
  }

  function streamEvents(call: ChatCall): { first: string; middle: string[]; last: string } {
    const head =
      `data: {"id":"${completionId()}","object":"chat.completion.chunk","created":${Math.floor(Date.now() / 1000)},` +
      `"model":${JSON.stringify(call.model)},"service_tier":"default","system_fingerprint":${SYSTEM_FINGERPRINT},"choices":[`;
    const usageNull = call.includeUsage ? ',"usage":null' : '';
    const choice = (delta: string, finish = 'null') => `${head}{"index":0,"delta":${delta},"logprobs":null,"finish_reason":${finish}}]${usageNull}}\n\n`;
    const content = prepared.pieces.map((piece) => choice(`{"content":${piece}}`));
    const finish = choice('{}', '"stop"');
    const usage = call.includeUsage ? `${head}],"usage":${usageJson(call, prepared)}}\n\n` : '';
    return {
      first: choice('{"role":"assistant","content":"","refusal":null}') + content[0],
      middle: content.slice(1),
      last: `${finish}${usage}data: [DONE]\n\n`,
    };
  }

  function answerStream(res: http.ServerResponse, call: ChatCall, started: number) {
    const events = streamEvents(call);
    const { delayMs, pacing } = settings;
    let timer: NodeJS.Timeout | undefined;
    stats.openStreams += 1;
    stats.peakOpenStreams = Math.max(stats.peakOpenStreams, stats.openStreams);
    res.once('close', () => {
      stats.openStreams -= 1;
      clearTimeout(timer);
    });
    const open = () => {
      res.writeHead(200, { ...responseHeaders('text/event-stream; charset=utf-8', started, stats.requests), 'cache-control': 'no-cache' });
    };
    if (pacing === 'burst') {
      timer = setTimeout(() => {
        open();
        res.write(events.first);
        for (const event of events.middle) res.write(event);
        res.end(events.last);
      }, delayMs);
      return;
    }
    open();
    res.write(events.first);
    if (events.middle.length === 0) {
      timer = setTimeout(() => res.end(events.last), delayMs);
      return;
    }
    // Absolute due times, so late timers under load do not stretch the stream cumulatively.
    const begin = performance.now();
    const step = delayMs / events.middle.length;
    let next = 0;
    const tick = () => {
      const event = events.middle[next]!;
      next += 1;
      if (next === events.middle.length) {
        res.end(event + events.last);
        return;
      }
      res.write(event);
      timer = setTimeout(tick, Math.max(0, begin + step * (next + 1) - performance.now()));
    };
    timer = setTimeout(tick, step);
  }

  function handleChat(req: http.IncomingMessage, res: http.ServerResponse, raw: string) {
    const started = performance.now();
    if (!/^Bearer\s+\S+/i.test(req.headers.authorization ?? '')) {
      sendError(res, 401, "You didn't provide an API key.", 'missing_api_key');
      return;
    }
    const call = parseCall(raw);
    if (typeof call === 'string') {
      sendError(res, 400, call);
      return;
    }
    stats.requests += 1;
    if (call.stream) {
      answerStream(res, call, started);
      return;
    }
    const timer = setTimeout(() => answerJson(res, call, started), settings.delayMs);
    res.once('close', () => clearTimeout(timer));
  }

  function handleAdmin(req: http.IncomingMessage, res: http.ServerResponse, raw: string) {
    const route = `${req.method} ${req.url}`;
    if (route === 'PUT /_mock/settings') {
      const patch = JSON.parse(raw || '{}') as Partial<MockSettings>;
      settings = { ...settings, ...patch };
      prepared = prepare(settings);
    }
    if (route === 'DELETE /_mock/stats') stats.peakOpenStreams = stats.openStreams;
    if (req.url === '/_mock/settings') return sendJson(res, 200, JSON.stringify(settings));
    if (req.url === '/_mock/stats') return sendJson(res, 200, JSON.stringify(stats));
    sendError(res, 404, `Invalid URL (${req.method} ${req.url})`);
  }

  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (chunk: Buffer) => parts.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(parts).toString('utf8');
      if (req.method === 'POST' && req.url === '/v1/chat/completions') handleChat(req, res, raw);
      else handleAdmin(req, res, raw);
    });
  });
  return listenOnLoopback(server, port);
}

export const defaultMockSettings: MockSettings = { delayMs: 50, chunks: 20, pacing: 'paced' };

async function main() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      'delay-ms': { type: 'string', default: String(defaultMockSettings.delayMs) },
      chunks: { type: 'string', default: String(defaultMockSettings.chunks) },
      pacing: { type: 'string', default: defaultMockSettings.pacing },
      'exit-with-stdin': { type: 'boolean', default: false },
    },
  });
  const pacing = values.pacing === 'burst' ? 'burst' : 'paced';
  const mock = await startMockUpstream(
    { delayMs: Number(values['delay-ms']), chunks: Number(values.chunks), pacing },
    Number(values.port),
  );
  announceAndServe(mock.url, () => mock.close(), values['exit-with-stdin'] === true);
}

if (isMain(import.meta.url)) await main();
