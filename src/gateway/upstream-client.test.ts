import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../platform/errors.js';
import { createUpstreamClient, isAbort, UpstreamAbort } from './upstream-client.js';

const timeouts = { connectTimeoutMs: 2000, firstByteTimeoutMs: 2000, idleTimeoutMs: 2000 };
const server = createServer((_req, res) => res.end('ok'));
let url: string;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/x`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('upstream client: the guarded pool for user-supplied base URLs', () => {
  it('refuses a loopback address by default (upstream_not_allowed)', async () => {
    const client = createUpstreamClient(timeouts);
    try {
      const error = await client.send({ method: 'GET', url, headers: {} }, { guarded: true }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('upstream_not_allowed');
      const trusted = await client.send({ method: 'GET', url, headers: {} }, { guarded: false });
      expect(await trusted.body.text()).toBe('ok');
    } finally {
      await client.close();
    }
  });

  it('reaches it when private upstreams are allowed (SWITCHBOARD_ALLOW_PRIVATE_UPSTREAMS)', async () => {
    const client = createUpstreamClient(timeouts, { allowPrivate: true });
    try {
      const response = await client.send({ method: 'GET', url, headers: {} }, { guarded: true });
      expect(response.status).toBe(200);
      expect(await response.body.text()).toBe('ok');
    } finally {
      await client.close();
    }
  });
});

describe('upstream client: UpstreamAbort in place of an AbortSignal', () => {
  it('cancels a call still waiting for its headers, and one whose body is being read', async () => {
    const open = new Set<import('node:http').ServerResponse>();
    const slow = createServer((req, res) => {
      open.add(res);
      // /headers-then-wait: the head and one chunk, then nothing; /wait: nothing at all.
      if (req.url === '/headers-then-wait') res.writeHead(200, { 'content-type': 'text/plain' }).write('first');
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(slow.address() as AddressInfo).port}`;
    const client = createUpstreamClient(timeouts);
    try {
      const waiting = new UpstreamAbort();
      const pending = client.send({ method: 'GET', url: `${base}/wait`, headers: {} }, { guarded: false, signal: waiting });
      setTimeout(() => waiting.abort(), 50);
      const error = await pending.catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('provider_stream_interrupted');
      expect(isAbort((error as AppError).cause)).toBe(true);

      const reading = new UpstreamAbort();
      const response = await client.send({ method: 'GET', url: `${base}/headers-then-wait`, headers: {} }, { guarded: false, signal: reading });
      expect(response.status).toBe(200);
      const body = response.body.text();
      setTimeout(() => reading.abort(), 50);
      const bodyError = await body.catch((caught: unknown) => caught);
      expect(isAbort(bodyError)).toBe(true);

      // Already aborted: refused before anything is sent.
      const before = new UpstreamAbort();
      before.abort();
      const refused = await client.send({ method: 'GET', url: `${base}/wait`, headers: {} }, { guarded: false, signal: before }).catch((caught: unknown) => caught);
      expect((refused as AppError).code).toBe('provider_stream_interrupted');
    } finally {
      for (const res of open) res.destroy();
      await client.close();
      await new Promise<void>((resolve) => slow.close(() => resolve()));
    }
  });
});
