/**
 * The answer of a credential check, stored (`POST …/integrations/{id}/test`) or unsaved
 * (`POST …/integrations/test`): `{ok, status, latency_ms, models?, error?}` where `status` is the
 * verdict (active | invalid | quota_exceeded | unreachable) and `error` says who must act
 * (`source`), with the error code a request would get and our own text (never provider text).
 */
import { z } from '@hono/zod-openapi';
import { errorOfVerdict } from '../events/integration-status.js';
import type { KeyHealthStatus } from '../gateway/providers/key-check.js';

export const CheckErrorSchema = z
  .object({ source: z.enum(['user', 'provider', 'platform']), code: z.string(), message: z.string() })
  .openapi('CheckError');

export const CheckAnswerSchema = z
  .object({
    ok: z.boolean().openapi({ description: 'True when the provider accepted the key' }),
    status: z.enum(['active', 'invalid', 'quota_exceeded', 'unreachable']),
    latency_ms: z.number().int().nullable().openapi({ description: 'Duration of the provider call' }),
    models: z.array(z.string()).optional().openapi({ description: 'The provider’s own model ids, when the check lists them' }),
    error: CheckErrorSchema.optional(),
  })
  .openapi('CredentialCheck');

export function checkAnswer(verdict: { status: KeyHealthStatus; error: string | null }, latencyMs: number | null, models: readonly string[] | null | undefined) {
  const ok = verdict.status === 'active';
  return {
    ok,
    status: verdict.status,
    latency_ms: latencyMs,
    ...(models ? { models: [...models] } : {}),
    ...(!ok ? { error: errorOfVerdict(verdict.status, verdict.error ?? 'The key check failed.') } : {}),
  };
}

/** `POST …/integrations/{id}/test`: the integration as stored after the check, plus the check answer. */
export function storedCheckAnswer<T extends { status: KeyHealthStatus; last_error: string | null }>(result: {
  integration: T;
  checked: boolean;
  latency_ms: number | null;
  models: string[] | null;
}) {
  const ok = result.integration.status === 'active';
  return {
    ...result.integration,
    checked: result.checked,
    latency_ms: result.latency_ms,
    models: result.models,
    ok,
    ...(!ok ? { error: errorOfVerdict(result.integration.status, result.integration.last_error ?? 'The key check failed.') } : {}),
  };
}
