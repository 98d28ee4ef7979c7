/**
 * Pooled HTTP client for provider calls (undici Agent: keep-alive pools per origin). Two pools:
 * `trusted` for operator-configured base URLs and `guarded` for user-supplied ones, whose
 * connector refuses private and loopback addresses, checked on the resolved address so that DNS
 * cannot smuggle an internal target past the save-time check.
 *
 * Deadlines: connect, first byte (response headers), and idle time between body chunks. Failures
 * are classified into AppErrors attributed to the provider (or the user, for a refused address).
 */
import dns from 'node:dns';
import { EventEmitter } from 'node:events';
import { isIP, type LookupFunction } from 'node:net';
import { Agent, buildConnector, errors as undiciErrors, type Dispatcher } from 'undici';
import { AppError } from '../platform/errors.js';
import type { UpstreamRequest } from './providers/provider.js';
import { isPrivateAddress } from './upstream-guard.js';

export interface UpstreamTimeouts {
  connectTimeoutMs: number;
  firstByteTimeoutMs: number;
  idleTimeoutMs: number;
}

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Dispatcher.ResponseData['body'];
}

class BlockedAddressError extends Error {
  readonly code = 'SWITCHBOARD_BLOCKED_ADDRESS';
}

const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, '', 0);
    const list = addresses as dns.LookupAddress[];
    const blocked = list.find((entry) => isPrivateAddress(entry.address));
    if (blocked || list.length === 0) {
      return callback(new BlockedAddressError(`${hostname} resolves to a non-public address`), '', 0);
    }
    if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
    const first = list[0]!;
    return callback(null, first.address, first.family);
  });
};

function createAgent(timeouts: UpstreamTimeouts, guarded: boolean): Agent {
  const base = buildConnector({ timeout: timeouts.connectTimeoutMs, ...(guarded ? { lookup: guardedLookup } : {}) });
  const connect: buildConnector.connector = guarded
    ? (options, callback) => {
        const host = options.hostname.replace(/^\[|\]$/g, '');
        if (isIP(host) !== 0 && isPrivateAddress(host)) {
          callback(new BlockedAddressError(`${host} is a non-public address`), null);
          return;
        }
        base(options, callback);
      }
    : base;
  return new Agent({
    connect,
    // No per-origin cap: every user of a provider shares its origin, and the number of open
    // upstream requests is already bounded by the clients' own concurrency.
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 600_000,
    headersTimeout: timeouts.firstByteTimeoutMs,
    bodyTimeout: timeouts.idleTimeoutMs,
  });
}

/**
 * A one-shot abort for one provider call, which undici takes in place of an AbortSignal (its
 * `signal` option is "an EventEmitter or EventTarget"): it reads `aborted`, listens for `abort`,
 * and with no `reason` fails the request, or destroys the body being read, with
 * RequestAbortedError (`isAbort` below). Made once per attempt on the hot path: an
 * AbortController costs several times an EventEmitter in Node 20 (issue 3: ~2 % of a proxied
 * request's CPU).
 */
export class UpstreamAbort extends EventEmitter {
  aborted = false;
  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.emit('abort');
  }
}

/** URL → what a dispatcher takes, remembered (as undici's `request(url)` would compute it, once per URL, not per call). */
const targets = new Map<string, { origin: string; path: string }>();
const MAX_REMEMBERED_TARGETS = 1_000;

function targetOf(url: string): { origin: string; path: string } {
  let target = targets.get(url);
  if (target === undefined) {
    const parsed = new URL(url);
    target = { origin: parsed.origin, path: parsed.pathname + parsed.search };
    // Provider URLs are few (base URLs × the models some put in the path); a flood of distinct ones starts over.
    if (targets.size >= MAX_REMEMBERED_TARGETS) targets.clear();
    targets.set(url, target);
  }
  return target;
}

export function createUpstreamClient(timeouts: UpstreamTimeouts, options: { allowPrivate?: boolean } = {}) {
  const trusted = createAgent(timeouts, false);
  // SWITCHBOARD_ALLOW_PRIVATE_UPSTREAMS: a private base_url accepted at save time is reachable too.
  const guarded = options.allowPrivate === true ? trusted : createAgent(timeouts, true);

  return {
    async send(upstream: UpstreamRequest, options: { signal?: AbortSignal | UpstreamAbort; guarded: boolean }): Promise<UpstreamResponse> {
      try {
        const { origin, path } = targetOf(upstream.url);
        const response = await (options.guarded ? guarded : trusted).request({
          origin,
          path,
          method: upstream.method,
          headers: upstream.headers,
          body: upstream.body ?? null,
          signal: options.signal,
        });
        return { status: response.statusCode, headers: response.headers, body: response.body };
      } catch (error) {
        throw classifyUpstreamFailure(error);
      }
    },
    async close(): Promise<void> {
      await Promise.all(guarded === trusted ? [trusted.close()] : [trusted.close(), guarded.close()]);
    },
  };
}

export type UpstreamClient = ReturnType<typeof createUpstreamClient>;

/** Map a transport failure (before or during the body) to an attributed AppError. */
export function classifyUpstreamFailure(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const root = (error as { cause?: unknown })?.cause ?? error;
  if (error instanceof BlockedAddressError || root instanceof BlockedAddressError) {
    return new AppError('upstream_not_allowed', {
      message: 'The integration base_url resolves to a private or loopback address, which this server does not allow.',
    });
  }
  if (error instanceof undiciErrors.HeadersTimeoutError) {
    return new AppError('provider_timeout', { message: 'The provider did not start answering in time.', cause: error });
  }
  if (error instanceof undiciErrors.BodyTimeoutError) {
    return new AppError('provider_timeout', { message: 'The provider stopped sending data.', cause: error });
  }
  if (error instanceof undiciErrors.ConnectTimeoutError) {
    return new AppError('provider_unreachable', { message: 'Connecting to the provider timed out.', cause: error });
  }
  if (isAbort(error)) return new AppError('provider_stream_interrupted', { message: 'The request was cancelled.', cause: error });
  return new AppError('provider_unreachable', { cause: error });
}

export const isAbort = (error: unknown): boolean =>
  (error as { name?: string })?.name === 'AbortError' || error instanceof undiciErrors.RequestAbortedError;
