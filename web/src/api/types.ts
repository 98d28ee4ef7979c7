/** Shapes of the endpoints the shell uses (docs/api.md). */
export interface Me {
  id: string;
  email: string;
  is_admin: boolean;
  email_verified: boolean;
  created_at: string;
}

export interface Team {
  id: string;
  name: string;
  role: 'owner' | 'admin' | 'member';
  disabled: boolean;
  created_at: string;
  updated_at: string;
}

export interface Page<T> {
  data: T[];
  next_cursor?: string | null;
}

export interface Notification {
  id: string;
  kind: string;
  title: string;
  body: string;
  data: unknown;
  read_at: string | null;
  created_at: string;
}

export interface PlatformKey {
  id: string;
  name: string;
  key_last4: string;
  team_id: string | null;
  models: string[] | null;
  rate_limit: { rps?: number; rpm?: number; tpm?: number } | null;
  monthly_budget_micros: number | null;
  expires_at: string | null;
  /** When it stops (or stopped) working: in the future while a roll's grace runs (status still "active"). */
  revoked_at: string | null;
  last_used_at: string | null;
  created_at: string;
  status: 'active' | 'expired' | 'revoked';
}

/** The creation response: the only time the key itself is sent. */
export interface CreatedPlatformKey extends PlatformKey {
  key: string;
}

/** POST /api/keys/:id/roll: the replacement (its key shown only here) and the old key as it now is. */
export interface RolledPlatformKey extends CreatedPlatformKey {
  replaced: PlatformKey;
}

export interface Session {
  id: string;
  ip: string | null;
  user_agent: string | null;
  created_at: string;
  last_used_at: string | null;
  expires_at: string;
  current: boolean;
}

export interface Integration {
  id: string;
  service: string;
  name: string;
  key_last4: string;
  base_url: string | null;
  status: 'active' | 'invalid' | 'quota_exceeded' | 'unreachable' | 'unchecked';
  last_error: string | null;
  last_checked_at: string | null;
  team_id: string | null;
  /** Set while disabled: requests skip it until it is re-enabled. */
  disabled_at: string | null;
  /** Why it is disabled, in words (null while enabled). */
  disabled_reason: string | null;
  created_at: string;
  health: 'healthy' | 'degraded' | 'failing' | 'disabled' | 'unchecked';
  breaker: 'closed' | 'open' | 'half_open';
  latency_p50_ms: number | null;
  requests_24h: number;
  rate_limit: { rps?: number; rpm?: number; tpm?: number } | null;
  monthly_quota: { limit_micros: number } | null;
  /** The provider's model ids as of the last successful key check (null: never listed). */
  models: string[] | null;
  /** Latest request within the last 24 hours (null: none in that window). */
  last_used_at: string | null;
  /** Spend through it this month (UTC) against monthly_quota (null: no quota). */
  quota_spent_micros: number | null;
  updated_at: string;
}

export interface CredentialCheck {
  ok: boolean;
  status: string;
  latency_ms: number | null;
  models?: string[] | null;
  error?: { source: 'user' | 'provider' | 'platform'; code: string; message: string };
}
