/**
 * Integration health: is a stored provider key usable? Checked on save (create, and a PATCH that
 * replaces api_key or base_url), on `POST …/integrations/:id/test`, and learnt from traffic (a
 * provider 401/403 marks the integration `invalid`).
 *
 * A check sends the service's cheapest authenticated call (providers/<service>/*.key-check.ts)
 * through the pooled, SSRF-guarded upstream client under a short deadline, and stores the verdict:
 * `status` active | invalid | quota_exceeded | unreachable, `last_error` (our own short text,
 * never provider text, which may echo the key) and `last_checked_at`; a successful check also
 * stores the provider's model list (integrations.models). A check that cannot run (unreachable)
 * blocks nothing: the integration is saved and still used, its status says what happened.
 *
 * Every verdict is published on the `integration` topic, so every replica drops its cached
 * directory (which carries the status) and its /v1/models lists. Traffic rejections are also
 * counted by the auto-disable policy (integration-recovery.ts).
 */
import { and, eq, ne, sql } from 'drizzle-orm';
import type { KeyCheck, KeyCheckVerdict } from '../gateway/providers/key-check.js';
import { classifyCheckError } from '../gateway/providers/key-check.js';
import type { ServiceId } from '../gateway/providers/provider.js';
import { readErrorResponse } from '../gateway/gateway-call.js';
import type { UpstreamClient } from '../gateway/upstream-client.js';
import { AppError, isAppError } from '../platform/errors.js';
import type { InvalidationBus } from '../platform/invalidation.js';
import type { Logger } from '../platform/logger.js';
import type { NoticeOwner, OwnerNotices } from '../platform/owner-notices.js';
import type { Database } from '../store/db.js';
import { integrations } from '../store/schema.js';
import type { OwnerRef } from './envelope.js';
import { toIntegrationView, type IntegrationsService, type IntegrationView } from './integrations.service.js';
import { ownerOfRow, publishIntegrationChange, type IntegrationRow } from './integrations.store.js';

/** The most model ids stored per integration. */
const MAX_MODELS = 2_000;
/** Traffic verdicts are written in small batches this often, off the request path. */
const TRAFFIC_FLUSH_MS = 100;

export interface IntegrationHealthDeps {
  db: Database;
  integrations: Pick<IntegrationsService, 'credentialOf'>;
  upstream: Pick<UpstreamClient, 'send'>;
  checks: Partial<Record<ServiceId, KeyCheck>>;
  providerBaseUrls: Record<ServiceId, string | undefined>;
  bus: InvalidationBus;
  logger: Logger;
  timeoutMs: number;
  /** Check keys when they are saved (off in tests that must not reach a provider). */
  checkOnSave: boolean;
  /** Tells an integration's owner (a team's owners and admins) that the provider rejected its key. */
  notices?: Pick<OwnerNotices, 'send'>;
  /** For the link in the notice. */
  publicUrl?: string;
  /** Told of every stored verdict (the live `integration.status` event). */
  onStatus?: (row: IntegrationRow) => void;
  /** Told how many traffic rejections an integration had in a batch (the auto-disable policy counts them). */
  onRejections?: (integrationId: string, count: number) => Promise<void>;
}

export interface CheckResult {
  integration: IntegrationView;
  /** The provider's model list as stored (null: never listed). */
  models: string[] | null;
  /** False when the service has no key check (the integration is unchanged). */
  checked: boolean;
  latency_ms: number | null;
}

/** What an owner notice about an integration names. */
export type NoticeSubject = Pick<IntegrationRow, 'id' | 'name' | 'service' | 'ownerUserId' | 'ownerTeamId'>;

/** Who a notice about the integration goes to, and its API path (for the notice's link). */
export function noticeTargetOf(row: NoticeSubject): { owner: NoticeOwner; path: string } {
  return row.ownerUserId
    ? { owner: { userId: row.ownerUserId }, path: `/api/integrations/${row.id}` }
    : { owner: { teamId: row.ownerTeamId! }, path: `/api/teams/${row.ownerTeamId}/integrations/${row.id}` };
}

export function createIntegrationHealth(deps: IntegrationHealthDeps) {
  const { db, bus, logger } = deps;
  const publish = (owner: OwnerRef, id: string) => publishIntegrationChange(bus, owner, id);

  async function runCheck(check: KeyCheck, row: Pick<IntegrationRow, 'service' | 'baseUrl'>, apiKey: string): Promise<KeyCheckVerdict> {
    const baseUrl = row.baseUrl ?? deps.providerBaseUrls[row.service as ServiceId];
    if (!baseUrl) return { status: 'unreachable', error: `The ${row.service} integration has no base_url.` };
    const signal = AbortSignal.timeout(deps.timeoutMs);
    try {
      const response = await deps.upstream.send(check.buildCheckRequest({ apiKey, baseUrl }), { signal, guarded: row.baseUrl !== null });
      if (response.status >= 200 && response.status < 300) {
        let body: unknown;
        try {
          body = await response.body.json();
        } catch {
          if (signal.aborted) throw signal.reason;
          return { status: 'unreachable', error: `The provider answered ${check.call} with a body that is not JSON; check base_url.` };
        }
        return check.parseCheckResponse(body);
      }
      return classifyCheckError(check, await readErrorResponse(response));
    } catch (error) {
      if (signal.aborted) return { status: 'unreachable', error: `The provider did not answer ${check.call} within ${deps.timeoutMs} ms.` };
      if (isAppError(error) && error.code === 'upstream_not_allowed') {
        return { status: 'unreachable', error: 'The base_url resolves to a private or loopback address, which this server does not allow.' };
      }
      return { status: 'unreachable', error: `The provider could not be reached for ${check.call}.` };
    }
  }

  async function store(row: IntegrationRow, verdict: KeyCheckVerdict): Promise<IntegrationRow | undefined> {
    const owner = ownerOfRow(row);
    const [updated] = await db
      .update(integrations)
      .set({
        status: verdict.status,
        lastError: verdict.error,
        lastCheckedAt: sql`now()`,
        ...(verdict.models ? { models: verdict.models.slice(0, MAX_MODELS) } : {}),
      })
      // A key replaced while we checked the old one keeps its own (pending) verdict.
      .where(and(eq(integrations.id, row.id), eq(integrations.keyVersion, row.keyVersion), owner.kind === 'user' ? eq(integrations.ownerUserId, owner.id) : eq(integrations.ownerTeamId, owner.id)))
      .returning();
    publish(owner, row.id);
    if (updated) deps.onStatus?.(updated);
    return updated;
  }

  // ── Traffic: a provider 401/403 marks the integration invalid, written off the request path. ──
  let rejected = new Map<string, { error: string; count: number }>();
  let timer: NodeJS.Timeout | undefined;
  let flushing: Promise<void> | undefined;

  async function flushRejected(): Promise<void> {
    timer = undefined;
    const batch = rejected;
    rejected = new Map();
    for (const [id, { error, count }] of batch) {
      try {
        const rows = await db
          .update(integrations)
          .set({ status: 'invalid', lastError: error, lastCheckedAt: sql`now()` })
          .where(and(eq(integrations.id, id), ne(integrations.status, 'invalid')))
          .returning();
        for (const row of rows) {
          publish(ownerOfRow(row), row.id);
          deps.onStatus?.(row);
          // Only the replica whose update changed the status gets the row back: one notice per rejection.
          if (deps.notices) await notifyRejected(row, error);
        }
        await deps.onRejections?.(id, count);
      } catch (err) {
        logger.warn({ err, integrationId: id }, 'could not mark an integration invalid after a provider rejection');
      }
    }
  }

  async function notifyRejected(row: NoticeSubject, error: string): Promise<void> {
    const { owner, path } = noticeTargetOf(row);
    try {
      await deps.notices!.send(owner, {
        kind: 'integration.invalid',
        topic: 'integration',
        title: `Your ${row.service} key "${row.name}" was rejected by the provider`,
        body: `${error} Requests that need it fail until then.`,
        data: { integration_id: row.id, service: row.service, team_id: row.ownerTeamId, status: 'invalid' },
        link: `Replace the key with PATCH ${deps.publicUrl ?? ''}${path} {"api_key": …}, or fix it at the provider and POST ${deps.publicUrl ?? ''}${path}/test.`,
      });
    } catch (err) {
      logger.warn({ err, integrationId: row.id }, 'could not notify the owner of a rejected integration');
    }
  }

  function schedule(): void {
    timer ??= setTimeout(() => {
      timer = undefined;
      void flush();
    }, TRAFFIC_FLUSH_MS);
    timer.unref();
  }

  function flush(): Promise<void> {
    flushing ??= flushRejected().finally(() => {
      flushing = undefined;
      // Rejections that arrived during this flush (its writes and mails take a while) get the next one.
      if (rejected.size > 0) schedule();
    });
    return flushing;
  }

  async function check(owner: OwnerRef, id: string): Promise<CheckResult> {
    const { row, apiKey } = await deps.integrations.credentialOf(owner, id);
    const keyCheck = deps.checks[row.service as ServiceId];
    if (!keyCheck) return { integration: toIntegrationView(row), models: row.models ?? null, checked: false, latency_ms: null };
    const started = performance.now();
    const verdict = await runCheck(keyCheck, row, apiKey);
    const latency = Math.round(performance.now() - started);
    const updated = await store(row, verdict);
    if (!updated) throw new AppError('conflict', { message: 'The integration changed during the check; run the test again.' });
    return { integration: toIntegrationView(updated), models: updated.models ?? null, checked: true, latency_ms: latency };
  }

  function requireCheck(service: ServiceId): KeyCheck {
    const keyCheck = deps.checks[service];
    if (!keyCheck) throw new AppError('invalid_request', { param: 'service', message: `${service} keys have no check call; save the integration and send a request to try it.` });
    return keyCheck;
  }

  return {
    /** 400 unless the service has a key check (before an unsaved check spends its rate limit). */
    requireCheck,

    /** Runs the service's key check now and stores the verdict. 404 for someone else's integration. */
    check,

    /**
     * Checks credentials that are not stored (POST …/integrations/test): the same call and
     * verdict as `check`, nothing written. The caller validated service, key and base_url as a
     * create would (integrations.validateCredentials). A service without a key check is a 400.
     */
    async checkUnsaved(target: { service: ServiceId; apiKey: string; baseUrl: string | null }): Promise<{ verdict: KeyCheckVerdict; latency_ms: number }> {
      const keyCheck = requireCheck(target.service);
      const started = performance.now();
      const verdict = await runCheck(keyCheck, { service: target.service, baseUrl: target.baseUrl }, target.apiKey);
      return { verdict, latency_ms: Math.round(performance.now() - started) };
    },

    /**
     * The check that follows a save (create, or a PATCH replacing api_key or base_url). The save
     * stands whatever happens here: a failing check only shows in the status.
     */
    async checkAfterSave(owner: OwnerRef, saved: IntegrationView, patch?: { api_key?: unknown; base_url?: unknown }): Promise<IntegrationView> {
      if (!deps.checkOnSave || (patch && patch.api_key === undefined && patch.base_url === undefined)) return saved;
      try {
        return (await check(owner, saved.id)).integration;
      } catch (error) {
        logger.warn({ err: error, integrationId: saved.id }, 'the key check after a save failed; the integration is saved unchecked');
        return saved;
      }
    },

    /**
     * Called by the gateway when a provider rejected the key (401 provider_key_rejected, 403
     * provider_permission_denied). Only touches a Map; the write follows within ~100 ms.
     */
    providerRejected(integrationId: string, status: number): void {
      const error = `The provider rejected the key during a request (HTTP ${status}); fix or replace the key, then run the test.`;
      rejected.set(integrationId, { error, count: (rejected.get(integrationId)?.count ?? 0) + 1 });
      schedule();
    },

    async close(): Promise<void> {
      if (timer) clearTimeout(timer);
      await flush();
    },
  };
}

export type IntegrationHealth = ReturnType<typeof createIntegrationHealth>;
