/**
 * Completion webhooks, signed the Standard Webhooks way (standardwebhooks.com): headers
 * `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature: v1,<base64 HMAC-SHA256
 * of "<id>.<timestamp>.<body>">`. A secret written `whsec_<base64>` is used as its decoded bytes
 * (the Standard Webhooks convention); any other secret as its UTF-8 bytes.
 *
 * Delivery goes through the pooled upstream client: its guarded pool refuses private and loopback
 * addresses on the resolved address, so a webhook URL cannot reach inside the network (unless the
 * operator allows it). Non-2xx answers and transport failures are retried with exponential backoff.
 */
import { createHmac } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { UpstreamClient } from '../gateway/upstream-client.js';
import { isPrivateAddress } from '../gateway/upstream-guard.js';
import { AppError } from '../platform/errors.js';
import type { Logger } from '../platform/logger.js';

export function webhookKey(secret: string): Buffer {
  return secret.startsWith('whsec_') ? Buffer.from(secret.slice('whsec_'.length), 'base64') : Buffer.from(secret, 'utf8');
}

export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  return `v1,${createHmac('sha256', webhookKey(secret)).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

const isLocalHostname = (hostname: string) =>
  hostname === 'localhost' || hostname.endsWith('.localhost') || hostname.endsWith('.internal') || hostname.endsWith('.local');

/** Checks a webhook URL when a job is created; a 400 naming `webhook_url` when it cannot be used. */
export function checkWebhookUrl(raw: string, options: { allowPrivate: boolean; secretConfigured: boolean }): string {
  if (!options.secretConfigured) {
    throw new AppError('unsupported_parameter', {
      param: 'webhook_url',
      message: 'This server has no webhook secret configured (SWITCHBOARD_WEBHOOK_SECRET), so it cannot send signed webhooks.',
    });
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AppError('invalid_request', { param: 'webhook_url', message: 'webhook_url must be an absolute http(s) URL.' });
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password || raw.length > 2048) {
    throw new AppError('invalid_request', { param: 'webhook_url', message: 'webhook_url must be an http(s) URL without credentials, at most 2048 characters.' });
  }
  const host = url.hostname.replace(/^\[|\]$/g, '').replace(/\.+$/, '').toLowerCase();
  if (!options.allowPrivate && (isPrivateAddress(host) || isLocalHostname(host))) {
    throw new AppError('upstream_not_allowed', {
      param: 'webhook_url',
      message: 'webhook_url points to a private or loopback address, which this server does not allow (SWITCHBOARD_WEBHOOK_ALLOW_PRIVATE).',
    });
  }
  return url.toString();
}

export interface WebhookSenderDeps {
  upstream: Pick<UpstreamClient, 'send'>;
  secret: string | undefined;
  allowPrivate: boolean;
  maxAttempts: number;
  retryBaseMs: number;
  logger: Logger;
}

export interface WebhookDelivery {
  delivered: boolean;
  attempts: number;
  lastStatus?: number;
}

export function createWebhookSender(deps: WebhookSenderDeps) {
  return {
    /** Sends one event until a 2xx answer or the attempts run out; never throws. */
    async send(url: string, event: { id: string; type: string; data: unknown }, signal?: AbortSignal): Promise<WebhookDelivery> {
      const secret = deps.secret;
      if (!secret) return { delivered: false, attempts: 0 };
      let lastStatus: number | undefined;
      for (let attempt = 1; attempt <= deps.maxAttempts; attempt += 1) {
        if (signal?.aborted) return { delivered: false, attempts: attempt - 1, ...(lastStatus ? { lastStatus } : {}) };
        const timestamp = Math.floor(Date.now() / 1000);
        const body = JSON.stringify({ type: event.type, timestamp: new Date(timestamp * 1000).toISOString(), data: event.data });
        try {
          const response = await deps.upstream.send(
            {
              method: 'POST',
              url,
              headers: {
                'content-type': 'application/json',
                'user-agent': 'Switchboard-Webhooks/1',
                'webhook-id': event.id,
                'webhook-timestamp': String(timestamp),
                'webhook-signature': signWebhook(secret, event.id, timestamp, body),
              },
              body,
            },
            { guarded: !deps.allowPrivate, ...(signal ? { signal } : {}) },
          );
          lastStatus = response.status;
          response.body.resume();
          if (response.status >= 200 && response.status < 300) return { delivered: true, attempts: attempt, lastStatus };
          deps.logger.warn({ webhook_id: event.id, status: response.status, attempt }, 'webhook answered with an error status');
        } catch (error) {
          deps.logger.warn({ webhook_id: event.id, attempt, code: (error as AppError).code }, 'webhook delivery failed');
        }
        if (attempt < deps.maxAttempts) {
          try {
            await sleep(deps.retryBaseMs * 2 ** (attempt - 1), undefined, signal ? { signal } : {});
          } catch {
            return { delivered: false, attempts: attempt, ...(lastStatus ? { lastStatus } : {}) };
          }
        }
      }
      return { delivered: false, attempts: deps.maxAttempts, ...(lastStatus ? { lastStatus } : {}) };
    },
  };
}

export type WebhookSender = ReturnType<typeof createWebhookSender>;
