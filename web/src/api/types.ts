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
