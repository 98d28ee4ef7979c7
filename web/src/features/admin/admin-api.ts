/** Shapes of /api/admin/* the panel shows (docs/api.md "Admin"). */
export interface AdminUser {
  id: string;
  email: string;
  is_admin: boolean;
  email_verified: boolean;
  disabled: boolean;
  created_at: string;
  last_active_at: string | null;
  spend_this_month_micros: number;
  teams: Array<{ id: string; name: string; role: string }>;
}

export interface AdminTeam {
  id: string;
  name: string;
  member_count: number;
  disabled: boolean;
  created_at: string;
  spend_this_month_micros: number;
}

export interface AuditEvent {
  id: string;
  action: string;
  actor_user_id: string | null;
  team_id: string | null;
  target_kind: string | null;
  target_id: string | null;
  metadata: unknown;
  ip: string | null;
  user_agent: string | null;
  created_at: string;
}

type State = 'closed' | 'open' | 'half_open';
export interface AdminHealth {
  db: string;
  redis: string;
  migrations: string;
  jobs: { depth: number; running: number; oldest_queued_age_seconds: number | null } | null;
  workers: Array<{ id: string; last_beat_at: string; alive: boolean }> | null;
  breaker_counts?: {
    per_provider: Array<{ service: string } & Record<State, number>>;
    per_integration: Record<State, number> & { not_closed: Array<{ id: string; service: string | null; state: State; retry_after_ms: number }> };
  };
  errors_15m: { window_minutes: number; requests: number; errors: Record<'user' | 'provider' | 'platform', number>; error_rate: Record<'user' | 'provider' | 'platform', number> } | null;
}
