/**
 * Scrubbing of secrets from text that came from outside (provider error bodies, URLs) before it
 * reaches a client or a log line. Providers sometimes echo the key they rejected, in full or
 * partly masked; we remove the exact key, and anything that looks like a provider key.
 */

const KEY_LIKE = [
  /\bsk-[A-Za-z0-9_\-*]{8,}/g, // OpenAI, Anthropic (sk-ant-…), Switchboard (sk-sb-…)
  /\bAIza[0-9A-Za-z_\-]{20,}/g, // Google API keys
  /\bBearer\s+[A-Za-z0-9._\-~+/=]{8,}/gi,
  /\b(?:key|api_key|apikey|token|access_token)=([^&\s"']+)/gi,
];

export const REDACTED = '[REDACTED]';

/** Remove `secrets` (exact matches) and key-shaped strings from `text`. */
export function scrubSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join(REDACTED);
  }
  for (const pattern of KEY_LIKE) {
    out = out.replace(pattern, (match) => {
      const eq = match.indexOf('=');
      // The Bearer pattern is case-insensitive, and base64 tokens contain '=': never keep a prefix of one.
      return eq > 0 && !/^bearer/i.test(match) ? `${match.slice(0, eq + 1)}${REDACTED}` : REDACTED;
    });
  }
  return out;
}

const SECRET_QUERY_PARAMS = new Set(['key', 'api_key', 'apikey', 'token', 'access_token', 'refresh_token', 'x-api-key']);

const isPathWithQuery = (value: string) => value.startsWith('/') && value.includes('?');

/** A path with query string values of key-bearing parameters replaced, for logs. */
export function redactUrlPath(pathWithQuery: string): string {
  const q = pathWithQuery.indexOf('?');
  if (q === -1) return pathWithQuery;
  const path = pathWithQuery.slice(0, q);
  const params = new URLSearchParams(pathWithQuery.slice(q + 1));
  for (const name of [...params.keys()]) {
    if (SECRET_QUERY_PARAMS.has(name.toLowerCase())) params.set(name, REDACTED);
    // A return address carrying its own query (`/login?next=/invitations/accept?token=…`): redact inside it too.
    else if (params.getAll(name).some(isPathWithQuery)) {
      const values = params.getAll(name);
      params.delete(name);
      for (const value of values) params.append(name, isPathWithQuery(value) ? redactUrlPath(value) : value);
    }
  }
  return `${path}?${params.toString()}`;
}
