import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../platform/errors.js';
import { createUpstreamClient } from './upstream-client.js';

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
