/**
 * The practical lower bound for a Node gateway: a pass-through proxy that does nothing but
 * forward. node:http in front, one pooled keep-alive undici Agent behind, the request body and the
 * response body streamed through untouched (SSE chunks are relayed as they arrive). Only
 * hop-by-hop headers are dropped. No auth, no parsing, no logging. A client that leaves mid-body
 * ends the upstream body through `pipeline`.
 *
 *   npx tsx bench/bare-proxy.ts --upstream http://127.0.0.1:PORT [--port 0]
 *
 * BENCH_BARE_BURN_US=N (a diagnostic, off by default): the proxy spins N µs of CPU on every request
 * before forwarding it — a bare proxy that costs what Switchboard costs per request, to tell how
 * much of Switchboard's requests/s and p99 gap follows from CPU per request alone (bench/README.md).
 */
import http from 'node:http';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';
import { announceAndServe, listenOnLoopback } from './lib/child-lifecycle.js';
import { isMain } from './lib/is-main.js';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host']);

function forwardable(headers: http.IncomingHttpHeaders | Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const kept: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) kept[name] = value;
  }
  return kept;
}

export interface BareProxy {
  url: string;
  close(): Promise<void>;
}

export async function startBareProxy(upstream: string, port = 0): Promise<BareProxy> {
  const agent = new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 600_000 });

  const burnMs = Number(process.env.BENCH_BARE_BURN_US ?? 0) / 1000;
  const server = http.createServer(async (req, res) => {
    if (burnMs > 0) {
      const until = performance.now() + burnMs;
      while (performance.now() < until);
    }
    try {
      const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
      const answer = await request(`${upstream}${req.url ?? '/'}`, {
        method: req.method as 'POST',
        headers: forwardable(req.headers),
        body: hasBody ? req : null,
        dispatcher: agent,
      });
      res.writeHead(answer.statusCode, forwardable(answer.headers));
      await pipeline(answer.body, res);
    } catch {
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end('{"error":{"message":"upstream failed","type":"bad_gateway"}}');
      } else {
        res.destroy();
      }
    }
  });
  const listening = await listenOnLoopback(server, port);
  return {
    url: listening.url,
    close: async () => {
      await listening.close();
      await agent.close();
    },
  };
}

async function main() {
  const { values } = parseArgs({
    options: {
      upstream: { type: 'string' },
      port: { type: 'string', default: '0' },
      'exit-with-stdin': { type: 'boolean', default: false },
    },
  });
  if (!values.upstream) throw new Error('--upstream http://127.0.0.1:PORT is required');
  const proxy = await startBareProxy(values.upstream.replace(/\/+$/, ''), Number(values.port));
  announceAndServe(proxy.url, () => proxy.close(), values['exit-with-stdin'] === true);
}

if (isMain(import.meta.url)) await main();
