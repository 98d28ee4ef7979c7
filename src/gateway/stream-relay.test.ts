/**
 * Backpressure of the SSE relay to a Node response (decision 0008), on a real loopback socket:
 * while the client does not read, the relay stops pulling from the upstream instead of buffering
 * the stream in memory; once the client reads again, every byte arrives and the stream is metered.
 */
import http, { type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { Context } from 'hono';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppEnv } from '../http/context.js';
import { createSseRelay, relayToNode } from './chat-completions.js';
import { openaiAdapter } from './providers/openai/openai.adapter.js';
import type { UpstreamResponse } from './upstream-client.js';

const EVENTS = 5000;
const CONTENT = 'x'.repeat(4000); // ~20 MB in all: more than loopback socket buffers hold
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let server: http.Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

describe('relayToNode', () => {
  it('stops reading the upstream while the client is not reading, then delivers everything', async () => {
    let pulled = 0;
    const upstreamBody = new Readable({
      read() {
        if (pulled < EVENTS) this.push(`data: {"choices":[{"index":0,"delta":{"content":"${CONTENT}"}}]}\n\n`);
        else if (pulled === EVENTS) {
          this.push('data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n');
          this.push(null);
        }
        pulled += 1;
      },
    });
    const upstream = { status: 200, headers: {}, body: upstreamBody } as unknown as UpstreamResponse;
    const c = { get: () => pino({ level: 'silent' }) } as unknown as Context<AppEnv>;
    const outcomes: Array<{ status: number }> = [];
    const relay = createSseRelay(
      c,
      openaiAdapter.createStreamTranslator(
        { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true },
        { model: 'gpt-4o-mini', apiKey: 'unused', baseUrl: 'http://unused', requestId: 'r', createdAt: 0, includeUsage: false },
      ),
      performance.now(),
      (outcome) => outcomes.push(outcome),
    );
    let relayed: Promise<number> | undefined;
    server = http.createServer((_req, res) => {
      relayed = relayToNode(res, 200, { 'content-type': 'text/event-stream' }, upstream, relay);
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;

    const response = await new Promise<IncomingMessage>((resolve) => http.get({ port, host: '127.0.0.1' }, resolve));
    response.pause();
    // The client reads nothing: the relay must stall well before the end of the upstream.
    let previous = -1;
    for (let i = 0; i < 40 && pulled !== previous; i += 1) {
      previous = pulled;
      await sleep(100);
    }
    expect(pulled).toBe(previous);
    expect(pulled).toBeLessThan(EVENTS / 2);

    let text = '';
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => (text += chunk));
    response.resume();
    await new Promise((resolve) => response.on('end', resolve));
    expect(await relayed).toBe(200);
    const contentEvents = text.split('\n\n').filter((event) => event.includes(CONTENT));
    expect(contentEvents).toHaveLength(EVENTS);
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
    expect(outcomes).toEqual([expect.objectContaining({ status: 200 })]);
  }, 30_000);
});
