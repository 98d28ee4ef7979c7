/**
 * Shared plumbing for the fake provider servers: a loopback-only node:http server that records
 * every request, hands each one the next queued one-shot scenario, and can write paced SSE.
 * Provider wire formats live in `openai.ts` and `anthropic.ts`; nothing here knows them.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** Fakes listen here and nowhere else: tests must never send traffic off this machine. */
export const LOOPBACK_HOST = '127.0.0.1';

export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. `/v1/chat/completions`. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body; `undefined` when the body was empty or not JSON (see `rawBody`). */
  body: unknown;
  rawBody: string;
  /** The API key or token the request carried, as the provider reads it. */
  credential: string | undefined;
  receivedAt: number;
}

/**
 * One-shot behaviours, queued with `enqueue` and taken in order by the next generation request
 * (chat completion / message) that passes authentication and validation. Errors carry the
 * provider's real body for `status` unless `body` is given.
 */
export type Scenario =
  | { kind: 'error'; status: number; body?: unknown; headers?: Record<string, string> }
  /** Accept the request and never answer: for client and gateway timeouts. */
  | { kind: 'hang' }
  /** Start a 200 SSE stream, send `afterEvents` events (default 2), then destroy the socket. */
  | { kind: 'stream-cut'; afterEvents?: number }
  /** Stream the answer in exactly `chunks` content chunks, `intervalMs` apart. */
  | { kind: 'slow-stream'; chunks: number; intervalMs: number }
  /** Start a 200 SSE stream, then send the provider's in-stream error event and end. */
  | { kind: 'stream-error'; afterEvents?: number };

/**
 * Model names that trigger a scenario, so failures can be provoked through a gateway that
 * doesn't expose the fake's queue: `fake-error-<status>`, `fake-hang`, `fake-stream-cut`,
 * `fake-stream-error`.
 */
export function scenarioForModel(model: string): Scenario | undefined {
  const error = /^fake-error-(\d{3})$/.exec(model);
  if (error?.[1] !== undefined) return { kind: 'error', status: Number(error[1]) };
  if (model === 'fake-hang') return { kind: 'hang' };
  if (model === 'fake-stream-cut') return { kind: 'stream-cut' };
  if (model === 'fake-stream-error') return { kind: 'stream-error' };
  return undefined;
}

export interface FakeExchange {
  request: RecordedRequest;
  res: ServerResponse;
  /** Takes the next queued scenario. Call it once the request is known to be well-formed. */
  takeScenario(): Scenario | undefined;
}

export interface FakeServerOptions {
  port?: number;
  readCredential(headers: IncomingHttpHeaders): string | undefined;
  handle(exchange: FakeExchange): Promise<void>;
}

/** What `startFakeOpenAI` and `startFakeAnthropic` return. */
export interface FakeProvider {
  /** The base URL in the form the provider's official SDK takes it. */
  baseUrl: string;
  requests: RecordedRequest[];
  enqueue(scenario: Scenario): void;
  close(): Promise<void>;
}

export interface FakeServer {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  origin: string;
  port: number;
  requests: RecordedRequest[];
  enqueue(scenario: Scenario): void;
  close(): Promise<void>;
}

export async function startFakeServer(options: FakeServerOptions): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  const scenarios: Scenario[] = [];
  const sockets = new Set<Socket>();

  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      const request = await recordRequest(req, options.readCredential);
      requests.push(request);
      await options.handle({ request, res, takeScenario: () => scenarios.shift() });
    } catch (error) {
      failLoudly(res, error);
    }
  };
  const server = createServer((req, res) => void serve(req, res));
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, LOOPBACK_HOST, () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    origin: `http://${LOOPBACK_HOST}:${port}`,
    port,
    requests,
    enqueue: (scenario) => scenarios.push(scenario),
    close: () => closeServer(server, sockets),
  };
}

async function recordRequest(
  req: IncomingMessage,
  readCredential: FakeServerOptions['readCredential'],
): Promise<RecordedRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const rawBody = Buffer.concat(chunks).toString('utf8');
  const url = new URL(req.url ?? '/', `http://${LOOPBACK_HOST}`);
  return {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: url.searchParams,
    headers: req.headers,
    body: parseJson(rawBody),
    rawBody,
    credential: readCredential(req.headers),
    receivedAt: Date.now(),
  };
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A bug in a fake must fail the test that hit it, not look like a provider outage. */
function failLoudly(res: ServerResponse, error: unknown): void {
  const message = error instanceof Error ? error.stack ?? error.message : String(error);
  if (!res.headersSent) {
    res.writeHead(599, { 'content-type': 'text/plain' });
    res.end(`fake server bug: ${message}`);
  } else {
    res.destroy();
  }
}

/** `server.close()` alone waits for keep-alive and hung sockets; destroy them so tests end. */
async function closeServer(server: ReturnType<typeof createServer>, sockets: Set<Socket>): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  for (const socket of sockets) socket.destroy();
  await closed;
}

// ---------------------------------------------------------------------------------------------
// Responses

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
  /** Indentation, for providers whose API pretty-prints its JSON (OpenAI's indents by 2). */
  indent?: number,
): void {
  const text = JSON.stringify(body, null, indent);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

/** Sends headers and half of a JSON body, then kills the socket: a response cut mid-body. */
export function sendTruncatedJson(res: ServerResponse, body: unknown, headers: Record<string, string>): void {
  const text = JSON.stringify(body);
  res.writeHead(200, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  // Destroy only once the half body has reached the socket, or the client would see nothing.
  res.write(text.slice(0, Math.floor(text.length / 2)), () => res.socket?.destroy());
}

export interface SseEvent {
  /** SSE `event:` field; omitted when undefined (OpenAI sends bare `data:` lines). */
  event?: string;
  data: string;
}

export function openSse(res: ServerResponse, headers: Record<string, string>): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    ...headers,
  });
  // Headers go out now so a client sees the 200 before the first (possibly delayed) event.
  res.flushHeaders();
}

export function formatSse(event: SseEvent): string {
  const name = event.event === undefined ? '' : `event: ${event.event}\n`;
  return `${name}data: ${event.data}\n\n`;
}

export interface SsePacing {
  /** Pause before every event after the first, so tests can measure time-to-first-token. */
  intervalMs?: number;
}

/**
 * Writes events in order, waiting `intervalMs` between them. Returns false, having stopped early,
 * when the client went away, so a cancelled stream doesn't keep a timer loop running.
 */
export async function writeSseEvents(
  res: ServerResponse,
  events: readonly SseEvent[],
  pacing: SsePacing = {},
): Promise<boolean> {
  const intervalMs = pacing.intervalMs ?? 0;
  for (const [index, event] of events.entries()) {
    if (index > 0 && intervalMs > 0) await sleep(intervalMs);
    if (res.destroyed || res.writableEnded) return false;
    await write(res, formatSse(event));
  }
  return true;
}

/** Resolves once the text is handed to the socket, so a following cut can't swallow it. */
function write(res: ServerResponse, text: string): Promise<void> {
  return new Promise((resolve) => res.write(text, () => resolve()));
}

/** Stops the stream abruptly without the provider's terminator, as a dropped connection would. */
export function cutStream(res: ServerResponse): void {
  res.socket?.destroy();
}

// ---------------------------------------------------------------------------------------------
// Timing and ids

export async function delay(ms: number | undefined): Promise<void> {
  if (ms !== undefined && ms > 0) await sleep(ms);
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Random id characters, the way providers' opaque ids look (`chatcmpl-…`, `msg_01…`). */
export function randomId(length: number, alphabet = ALPHANUMERIC): string {
  const bytes = randomBytes(length);
  let id = '';
  for (const byte of bytes) id += alphabet[byte % alphabet.length];
  return id;
}
