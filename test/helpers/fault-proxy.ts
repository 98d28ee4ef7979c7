/**
 * A fault-injecting HTTP proxy for resilience tests (issue 6, item 8): sits between Switchboard
 * and a fake provider on 127.0.0.1 and, per request, forwards faithfully or plays a fault —
 * added latency, an error status with the provider's body, a connection reset, a blackhole (accept
 * and never answer), a slow stream (each upstream chunk delayed) or a truncated stream (the socket
 * dies after N SSE events). Faults are set for every request (`always`) or queued one-shot
 * (`next`); `seen` counts requests, so tests can assert that an open breaker sends only probes.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export type Fault =
  | { kind: 'pass' }
  | { kind: 'latency'; ms: number }
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  | { kind: 'reset' }
  | { kind: 'blackhole' }
  /** Each SSE event is delayed by `chunkDelayMs` before it is passed on. */
  | { kind: 'slow-stream'; chunkDelayMs: number }
  | { kind: 'truncate-stream'; afterEvents: number };

export interface FaultProxy {
  /** Base URL to give Switchboard instead of the fake's (same path prefix appended by the caller). */
  origin: string;
  /** Every request gets this fault until changed (default `pass`). */
  always(fault: Fault): void;
  /** One-shot faults, taken in order before `always` applies. */
  next(...faults: Fault[]): void;
  /** Requests received so far (any outcome). */
  seen(): number;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host', 'content-length']);

export async function startFaultProxy(targetOrigin: string): Promise<FaultProxy> {
  const target = new URL(targetOrigin);
  let standing: Fault = { kind: 'pass' };
  const queue: Fault[] = [];
  let count = 0;
  const sockets = new Set<Socket>();
  const agent = new http.Agent({ keepAlive: true });

  const server = http.createServer(async (req, res) => {
    count += 1;
    const fault = queue.shift() ?? standing;
    const body = await readAll(req);
    if (fault.kind === 'blackhole') return; // the socket stays open, silent, until closed
    if (fault.kind === 'reset') return void req.socket.destroy();
    if (fault.kind === 'status') {
      const payload = typeof fault.body === 'string' ? fault.body : JSON.stringify(fault.body ?? { error: { message: `injected ${fault.status}`, type: 'server_error' } });
      res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
      return void res.end(payload);
    }
    if (fault.kind === 'latency') await sleep(fault.ms);

    const headers: http.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(name) && value !== undefined) headers[name] = value;
    headers['content-length'] = String(body.length);
    const upstream = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent }, async (answer) => {
      const out: http.OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(answer.headers)) if (!HOP_BY_HOP.has(name) && value !== undefined) out[name] = value;
      res.writeHead(answer.statusCode ?? 502, out);
      let events = 0;
      for await (const chunk of answer as AsyncIterable<Buffer>) {
        if (fault.kind === 'slow-stream') {
          // Every event of the chunk on its own, after the delay.
          let from = 0;
          for (let at = chunk.indexOf('\n\n'); at !== -1; at = chunk.indexOf('\n\n', from)) {
            await sleep(fault.chunkDelayMs);
            if (res.destroyed) return void answer.destroy();
            res.write(chunk.subarray(from, at + 2));
            from = at + 2;
          }
          if (from < chunk.length) res.write(chunk.subarray(from));
          continue;
        }
        if (fault.kind === 'truncate-stream') {
          // Whole events up to the limit, then the connection dies mid-stream.
          let cut = -1;
          for (let at = chunk.indexOf('\n\n'); at !== -1; at = chunk.indexOf('\n\n', at + 2)) {
            events += 1;
            if (events === fault.afterEvents) {
              cut = at + 2;
              break;
            }
          }
          if (cut !== -1) {
            answer.destroy();
            return void res.write(chunk.subarray(0, cut), () => res.socket?.destroy());
          }
        }
        if (res.destroyed) return void answer.destroy();
        res.write(chunk);
      }
      res.end();
    });
    upstream.on('error', () => res.destroy());
    upstream.end(body);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    always(fault) {
      standing = fault;
    },
    next(...faults) {
      queue.push(...faults);
    },
    seen: () => count,
    async close() {
      for (const socket of sockets) socket.destroy();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function readAll(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}
