/**
 * Service names and the words of a credential check (WEBAPP.md §4.5: who must act, in words).
 * Small and static; the per-service help lives in service-help.ts (loaded with the form).
 */
import type { CredentialCheck } from '../../api/types';

const LABELS: Record<string, string> = {
  openai: 'OpenAI',
  anthropic: 'Anthropic',
  gemini: 'Google Gemini',
  cohere: 'Cohere',
  stability: 'Stability AI',
  runway: 'Runway',
  midjourney: 'Midjourney-style task API',
  openai_compatible: 'OpenAI-compatible server',
  local: 'Local model',
};

/** The API path of personal integrations, or of a team's secrets. */
export const integrationsBase = (teamId?: string) => (teamId ? `/api/teams/${teamId}/integrations` : '/api/integrations');

export const serviceLabel = (id: string) => LABELS[id] ?? id;
export const needsBaseUrl = (service: string) => service === 'openai_compatible' || service === 'midjourney';

/** "Connected: 42 models, 180 ms" or "Rejected by OpenAI (401): … (source: your key)". */
export function describeCheck(check: CredentialCheck, service: string): string {
  if (check.ok) {
    const models = check.models ? `${check.models.length} models` : 'key accepted';
    return `Connected: ${models}${check.latency_ms !== null ? `, ${check.latency_ms} ms` : ''}`;
  }
  const name = serviceLabel(service);
  const who = check.error?.source === 'user' ? 'your key' : check.error?.source === 'provider' ? `${name} or the network` : 'Switchboard';
  const http = /HTTP (\d{3})/.exec(check.error?.message ?? '')?.[1];
  const code = http ? ` (${http})` : '';
  const verb = check.status === 'invalid' ? `Rejected by ${name}${code}` : check.status === 'quota_exceeded' ? `${name} reports no quota left${code}` : `${name} could not be reached${code}`;
  return `${verb}: ${check.error?.message ?? check.status} (source: ${who})`;
}
