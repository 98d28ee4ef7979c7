/**
 * The auto-disable and recovery policy for integrations (WEBAPP.md §6.4, decision 0032).
 *
 * Disable: a provider that rejects an integration's key (401 provider_key_rejected, 403
 * provider_permission_denied: source `user`, someone must fix the key) `errors` times within
 * `windowSeconds`, counted across replicas (Redis when configured, in-process otherwise, like the
 * rate limits), disables it: `disabled_by` system, a reason in words, and `retry_at` when its key
 * is checked again. Exactly one replica's UPDATE (WHERE disabled_at IS NULL) wins; that one
 * audits (no actor: the system), publishes, and tells the owner. Provider 5xx and timeouts are not
 * counted: they say nothing about the key, and the circuit breakers already pause the endpoint.
 *
 * Recover: every replica sweeps (`recoverDue`), and claims the integrations whose `retry_at` has
 * passed with one UPDATE over a FOR UPDATE SKIP LOCKED selection, moving `retry_at` a lease ahead,
 * so exactly one replica re-checks each (and another takes it over if that one dies mid-check).
 * The stored-key check runs once: accepted → re-enabled (audited as the system, event, notice);
 * otherwise the next check waits twice as long as the last (from `retrySeconds` up to 24 h). A
 * service without a key check is re-enabled on trial: its traffic disables it again if need be.
 * Only the policy's own disables are re-checked: a person's (`disabled_by` user) never is, and a
 * person disabling a policy-disabled integration makes it theirs.
 */
import { and, asc, eq, inArray, isNotNull, isNull, lte } from 'drizzle-orm';
import type { AuditLog } from '../platform/audit.js';
import type { Clock } from '../platform/clock.js';
import { isAppError } from '../platform/errors.js';
import type { InvalidationBus } from '../platform/invalidation.js';
import type { Logger } from '../platform/logger.js';
import type { OwnerNotices } from '../platform/owner-notices.js';
import { createRateLimiter } from '../platform/rate-limiter.js';
import type { RedisConnections } from '../platform/redis.js';
import type { Database } from '../store/db.js';
import { integrations } from '../store/schema.js';
import { noticeTargetOf, type IntegrationHealth } from './integration-health.js';
import { ownerOfRow, publishIntegrationChange, type IntegrationRow } from './integrations.store.js';

/** The longest wait between two re-checks. */
export const MAX_RETRY_SECONDS = 24 * 3600;
/** How long a claimed re-check is this replica's: past it (this replica died), another takes it. */
const CLAIM_LEASE_MS = 5 * 60_000;
/** Integrations claimed per sweep step. */
const RECHECK_BATCH = 20;

export interface AutoDisablePolicy {
  /** Rejections within the window that disable an integration; 0 turns the policy off. */
  errors: number;
  windowSeconds: number;
  /** The wait before the first re-check; each failed re-check doubles it, up to MAX_RETRY_SECONDS. */
  retrySeconds: number;
}

export interface IntegrationRecoveryDeps {
  db: Database;
  redis: RedisConnections | undefined;
  health: Pick<IntegrationHealth, 'check'>;
  bus: InvalidationBus;
  audit: AuditLog;
  clock: Clock;
  logger: Logger;
  policy: AutoDisablePolicy;
  notices?: Pick<OwnerNotices, 'send'>;
  publicUrl?: string;
  /** Told of each disable, re-enable and rescheduled re-check (the live `integration.status` event). */
  onStatus?: (row: IntegrationRow) => void;
}

/** "2 min", "90 s": the window as the reason states it. */
const windowText = (seconds: number) => (seconds % 60 === 0 ? `${seconds / 60} min` : `${seconds} s`);

/** The stored reason of a policy disable (the retry time is data: `retry_at`, shown in the viewer's zone). */
export const autoDisabledReason = (policy: Pick<AutoDisablePolicy, 'errors' | 'windowSeconds'>) =>
  `Disabled after ${policy.errors} provider errors in ${windowText(policy.windowSeconds)} (the provider rejected the key).`;

/** The wait after `failedChecks` failed re-checks. */
export const retryDelaySeconds = (retrySeconds: number, failedChecks: number) => Math.min(MAX_RETRY_SECONDS, retrySeconds * 2 ** Math.min(failedChecks, 20));

/** A time for a mail, which cannot know the reader's zone. */
const utcText = (at: Date) => `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

export function createIntegrationRecovery(deps: IntegrationRecoveryDeps) {
  const { db, bus, audit, clock, logger, policy } = deps;
  const rejections = policy.errors > 0 ? createRateLimiter(deps.redis, { keyPrefix: 'integration-rejections', points: policy.errors, durationSeconds: policy.windowSeconds }) : undefined;
  const reason = autoDisabledReason(policy);

  const announce = (row: IntegrationRow) => {
    publishIntegrationChange(bus, ownerOfRow(row), row.id);
    deps.onStatus?.(row);
  };

  async function notify(row: IntegrationRow, notice: { kind: string; title: string; body: string; link: (url: string) => string }): Promise<void> {
    if (!deps.notices) return;
    const { owner, path } = noticeTargetOf(row);
    try {
      await deps.notices.send(owner, {
        kind: notice.kind,
        topic: 'integration',
        title: notice.title,
        body: notice.body,
        data: { integration_id: row.id, service: row.service, team_id: row.ownerTeamId, disabled_by: row.disabledBy, retry_at: row.retryAt?.toISOString() ?? null },
        link: notice.link(`${deps.publicUrl ?? ''}${path}`),
      });
    } catch (error) {
      logger.warn({ err: error, integrationId: row.id }, 'could not notify the owner of an integration the policy changed');
    }
  }

  async function disable(integrationId: string): Promise<void> {
    const now = clock.now();
    const retryAt = new Date(now.getTime() + policy.retrySeconds * 1000);
    const row = await db.transaction(async (tx) => {
      const [updated] = await tx
        .update(integrations)
        .set({ disabledAt: now, disabledReason: reason, disabledBy: 'system', retryAt, retryAttempts: 0, updatedAt: now })
        .where(and(eq(integrations.id, integrationId), isNull(integrations.disabledAt)))
        .returning();
      if (!updated) return undefined;
      await audit.record(
        {
          action: 'integration.disabled',
          actorUserId: null,
          teamId: updated.ownerTeamId,
          targetKind: 'integration',
          targetId: updated.id,
          metadata: { by: 'system', reason, errors: policy.errors, window_seconds: policy.windowSeconds, retry_at: retryAt.toISOString() },
        },
        tx,
      );
      return updated;
    });
    // Another replica (or a person) disabled it first: they told everyone.
    if (!row) return;
    await rejections?.delete(integrationId).catch(() => false);
    announce(row);
    logger.info({ integrationId: row.id, retry_at: retryAt.toISOString() }, 'integration disabled after repeated key rejections');
    await notify(row, {
      kind: 'integration.auto_disabled',
      title: `Your ${row.service} key "${row.name}" was disabled after repeated rejections`,
      body: `${reason} Requests skip it. Switchboard checks the stored key again at ${utcText(retryAt)} and re-enables it if the provider accepts it.`,
      link: (url) => `Replace the key with PATCH ${url} {"api_key": …}, or fix it at the provider and re-enable it with POST ${url}/enable.`,
    });
  }

  /** Runs the stored-key check of one claimed integration and applies the outcome, unless a person acted meanwhile. */
  async function recheck(claimed: IntegrationRow, leaseUntil: Date): Promise<void> {
    let outcome: 'accepted' | 'rejected' | 'again';
    try {
      const result = await deps.health.check(ownerOfRow(claimed), claimed.id);
      outcome = !result.checked || result.integration.status === 'active' ? 'accepted' : 'rejected';
    } catch (error) {
      if (isAppError(error) && error.code === 'not_found') return;
      // The key was replaced during the check: check the new one at the next sweep.
      if (isAppError(error) && error.code === 'conflict') outcome = 'again';
      else {
        logger.warn({ err: error, integrationId: claimed.id }, 'the re-check of an auto-disabled integration failed');
        outcome = 'rejected';
      }
    }
    const now = clock.now();
    const ours = and(eq(integrations.id, claimed.id), eq(integrations.disabledBy, 'system'), eq(integrations.retryAt, leaseUntil));
    if (outcome === 'accepted') {
      const row = await db.transaction(async (tx) => {
        const [updated] = await tx
          .update(integrations)
          .set({ disabledAt: null, disabledReason: null, disabledBy: null, retryAt: null, retryAttempts: 0, updatedAt: now })
          .where(ours)
          .returning();
        if (!updated) return undefined;
        await audit.record(
          {
            action: 'integration.enabled',
            actorUserId: null,
            teamId: updated.ownerTeamId,
            targetKind: 'integration',
            targetId: updated.id,
            metadata: { by: 'system', before: { disabled_reason: claimed.disabledReason, disabled_by: 'system' }, failed_checks: claimed.retryAttempts },
          },
          tx,
        );
        return updated;
      });
      if (!row) return;
      announce(row);
      logger.info({ integrationId: row.id }, 'auto-disabled integration re-enabled: the provider accepts its key again');
      await notify(row, {
        kind: 'integration.re_enabled',
        title: `Your ${row.service} key "${row.name}" works again and was re-enabled`,
        body: 'The provider accepted the stored key when Switchboard checked it again, so requests use it again.',
        link: (url) => `See it at GET ${url}.`,
      });
      return;
    }
    const failedChecks = outcome === 'again' ? claimed.retryAttempts : claimed.retryAttempts + 1;
    const retryAt = outcome === 'again' ? now : new Date(now.getTime() + retryDelaySeconds(policy.retrySeconds, failedChecks) * 1000);
    const [row] = await db.update(integrations).set({ retryAt, retryAttempts: failedChecks }).where(ours).returning();
    if (row) announce(row);
  }

  return {
    /** Counts `count` traffic rejections of the integration; disables it when they reach the policy's threshold. */
    async countRejections(integrationId: string, count: number): Promise<void> {
      if (!rejections) return;
      const counted = await rejections.consume(integrationId, count).catch((rejection: unknown) => rejection);
      // An Error is a storage failure (the insurance limiter already covered Redis outages): count nothing.
      if (counted instanceof Error) {
        logger.warn({ err: counted, integrationId }, 'could not count a key rejection');
        return;
      }
      if (((counted as { consumedPoints?: number }).consumedPoints ?? 0) >= policy.errors) await disable(integrationId);
    },

    /** Re-checks every policy-disabled integration whose retry time has passed; answers how many this replica claimed. */
    async recoverDue(): Promise<number> {
      let total = 0;
      for (;;) {
        const now = clock.now();
        const leaseUntil = new Date(now.getTime() + CLAIM_LEASE_MS);
        const due = db
          .select({ id: integrations.id })
          .from(integrations)
          .where(and(eq(integrations.disabledBy, 'system'), isNotNull(integrations.disabledAt), lte(integrations.retryAt, now)))
          .orderBy(asc(integrations.retryAt))
          .limit(RECHECK_BATCH)
          .for('update', { skipLocked: true });
        const claimed = await db
          .update(integrations)
          .set({ retryAt: leaseUntil })
          .where(and(inArray(integrations.id, due), eq(integrations.disabledBy, 'system'), lte(integrations.retryAt, now)))
          .returning();
        for (const row of claimed) await recheck(row, leaseUntil);
        total += claimed.length;
        if (claimed.length < RECHECK_BATCH) return total;
      }
    },
  };
}

export type IntegrationRecovery = ReturnType<typeof createIntegrationRecovery>;
