/**
 * `integration.status` on a breaker transition: when this process opens or closes a breaker, the
 * integrations behind it get an event each (their owners see the pill change). An integration's
 * own breaker (`integration <id>`) is one row; an endpoint breaker (`<service> <origin>`) covers
 * every integration of that service calling that origin (its base_url, or the platform default),
 * read in one query and capped at MAX_EVENTS per transition. Transitions applied from other
 * replicas emit nothing here: the replica where it happened already did.
 */
import { and, eq, isNull, like, or } from 'drizzle-orm';
import type { BreakerState } from '../gateway/resilience/breaker.js';
import type { ServiceId } from '../gateway/providers/provider.js';
import type { Logger } from '../platform/logger.js';
import type { Database } from '../store/db.js';
import { integrations, teams } from '../store/schema.js';
import type { EventHub } from './event-hub.js';
import { integrationStatusEvent } from './integration-status.js';

const MAX_EVENTS = 5_000;

const originOf = (url: string | null | undefined): string | undefined => {
  if (!url) return undefined;
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
};

export function createBreakerEvents(deps: {
  db: Database;
  hub: Pick<EventHub, 'publish'>;
  logger: Logger;
  providerBaseUrls: Record<ServiceId, string | undefined>;
  /** The breaker state to report for an integration (the worse of endpoint and own). */
  breakerOf(row: { id: string; service: string; baseUrl: string | null }): BreakerState;
}) {
  const columns = {
    id: integrations.id,
    service: integrations.service,
    baseUrl: integrations.baseUrl,
    ownerUserId: integrations.ownerUserId,
    ownerTeamId: integrations.ownerTeamId,
    status: integrations.status,
    lastError: integrations.lastError,
    lastCheckedAt: integrations.lastCheckedAt,
    disabledAt: integrations.disabledAt,
    disabledReason: integrations.disabledReason,
    disabledBy: integrations.disabledBy,
    retryAt: integrations.retryAt,
    teamDisabledAt: teams.disabledAt,
  };

  async function emit(key: string): Promise<void> {
    const own = /^integration (.+)$/.exec(key);
    const query = deps.db.select(columns).from(integrations).leftJoin(teams, eq(teams.id, integrations.ownerTeamId));
    let rows: Array<Awaited<typeof query>[number]>;
    if (own) {
      rows = await query.where(eq(integrations.id, own[1]!));
    } else {
      const [service, origin] = key.split(' ');
      if (!service || !origin) return;
      const defaultOrigin = originOf(deps.providerBaseUrls[service as ServiceId]);
      const sameOrigin = like(integrations.baseUrl, `${origin.replace(/[\\%_]/g, '\\$&')}%`);
      const where = and(eq(integrations.service, service), defaultOrigin === origin ? or(isNull(integrations.baseUrl), sameOrigin) : sameOrigin);
      rows = (await query.where(where).limit(MAX_EVENTS + 1)).filter(
        (row) => (originOf(row.baseUrl) ?? defaultOrigin) === origin,
      );
      if (rows.length > MAX_EVENTS) {
        deps.logger.warn({ breaker: key, integrations: rows.length }, 'breaker transition: status events capped');
        rows = rows.slice(0, MAX_EVENTS);
      }
    }
    for (const row of rows) {
      deps.hub.publish('integration.status', { userId: row.ownerUserId, teamId: row.ownerTeamId }, integrationStatusEvent(row, deps.breakerOf(row), row.teamDisabledAt !== null));
    }
  }

  return {
    /** Fire and forget: a failed read only costs the events of this transition. */
    transition(key: string): void {
      emit(key).catch((error: unknown) => deps.logger.warn({ err: error, breaker: key }, 'could not emit integration.status for a breaker transition'));
    },
  };
}
