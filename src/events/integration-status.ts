/**
 * The live status of an integration as the web app shows it, derived from what is stored (the
 * last key check or provider rejection: integrations.status/last_error) and the circuit breakers
 * of its endpoint and of the integration itself (quota cooldown):
 *
 *   stored invalid → failing; quota_exceeded or unreachable → degraded; never checked → unchecked;
 *   active → healthy, unless a breaker is open (failing) or half-open (degraded).
 *   The integration itself (integrations.disabled_at) or its team is disabled → disabled, with
 *   the reason in `disabled_reason`.
 *
 * `last_error` is our own short text (never provider text, which may echo the key), with the
 * error code that matches the stored status.
 */
import { z } from '@hono/zod-openapi';
import type { BreakerState } from '../gateway/resilience/breaker.js';
import { DEFAULT_DISABLED_REASON } from '../vault/integrations.service.js';

const LiveStatusSchema = z.enum(['healthy', 'degraded', 'failing', 'disabled', 'unchecked']);
export type LiveStatus = z.infer<typeof LiveStatusSchema>;

export interface IntegrationStatusInput {
  id: string;
  ownerTeamId: string | null;
  status: 'active' | 'invalid' | 'quota_exceeded' | 'unreachable';
  lastError: string | null;
  lastCheckedAt: Date | null;
  /** Set while the integration is disabled (POST …/disable); the gateway skips it. */
  disabledAt: Date | null;
  disabledReason: string | null;
  /** Who disabled it (the auto-disable policy: `system`), and when the policy re-checks its key. */
  disabledBy?: 'user' | 'system' | null;
  retryAt?: Date | null;
}

/** The `integration.status` event's data (documented in /api/openapi.json for the web app's types). */
export const IntegrationStatusEventSchema = z
  .object({
    id: z.string(),
    team_id: z.string().optional(),
    status: LiveStatusSchema,
    breaker: z.enum(['closed', 'open', 'half_open']),
    last_error: z.object({ source: z.enum(['user', 'provider', 'platform']), code: z.string(), message: z.string() }).optional(),
    checked_at: z.string().nullable(),
    disabled_reason: z.string().optional().openapi({ description: 'Why it is disabled (only with status "disabled")' }),
    disabled_by: z.enum(['user', 'system']).optional().openapi({ description: 'Who disabled the integration itself: a person, or the auto-disable policy (only when it is disabled, not its team)' }),
    retry_at: z.string().optional().openapi({ description: 'When the auto-disable policy checks its key again (only when the policy disabled it)' }),
  })
  .openapi('IntegrationStatusEvent');

export type IntegrationStatusEvent = z.infer<typeof IntegrationStatusEventSchema>;

const ERROR_CODES: Record<IntegrationStatusInput['status'], { source: 'user' | 'provider'; code: string }> = {
  active: { source: 'provider', code: 'provider_error' },
  invalid: { source: 'user', code: 'provider_key_rejected' },
  quota_exceeded: { source: 'user', code: 'provider_quota_exceeded' },
  unreachable: { source: 'provider', code: 'provider_unreachable' },
};

/** The `{source, code, message}` of a stored verdict that is not `active`. */
export function errorOfVerdict(status: IntegrationStatusInput['status'], message: string) {
  return { ...ERROR_CODES[status], message };
}

export function liveStatusOf(row: IntegrationStatusInput, breaker: BreakerState, teamDisabled = false): LiveStatus {
  if (teamDisabled || row.disabledAt !== null) return 'disabled';
  if (row.status === 'invalid') return 'failing';
  if (row.status === 'quota_exceeded' || row.status === 'unreachable') return 'degraded';
  if (breaker === 'open') return 'failing';
  if (breaker === 'half_open') return 'degraded';
  return row.lastCheckedAt === null ? 'unchecked' : 'healthy';
}

export function integrationStatusEvent(row: IntegrationStatusInput, breaker: BreakerState, teamDisabled = false): IntegrationStatusEvent {
  return {
    id: row.id,
    ...(row.ownerTeamId ? { team_id: row.ownerTeamId } : {}),
    status: liveStatusOf(row, breaker, teamDisabled),
    breaker,
    ...(row.lastError ? { last_error: errorOfVerdict(row.status, row.lastError) } : {}),
    checked_at: row.lastCheckedAt?.toISOString() ?? null,
    ...(row.disabledAt !== null
      ? {
          disabled_reason: row.disabledReason ?? DEFAULT_DISABLED_REASON,
          disabled_by: row.disabledBy ?? 'user',
          ...(row.disabledBy === 'system' && row.retryAt ? { retry_at: row.retryAt.toISOString() } : {}),
        }
      : teamDisabled
        ? { disabled_reason: 'Its team is disabled.' }
        : {}),
  };
}

/** The worse of two breaker states (an integration's own breaker next to its endpoint's). */
export function worseBreaker(a: BreakerState, b: BreakerState): BreakerState {
  if (a === 'open' || b === 'open') return 'open';
  if (a === 'half_open' || b === 'half_open') return 'half_open';
  return 'closed';
}
