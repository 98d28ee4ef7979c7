/** Header: combobox "Workspace", "Notifications, N unread", "Account menu", "Theme". */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate, useSearch } from '@tanstack/react-router';
import { useState } from 'react';
import { api } from '../api/client';
import { useLiveEvent } from '../api/events';
import { teamsQuery, unreadNotificationsQuery } from '../api/queries';
import { signOut } from '../api/session';
import type { Me } from '../api/types';
import { Disclosure } from '../ui/Disclosure';
import { applyTheme, nextTheme, readTheme, type ThemeChoice } from '../theme';

const menuButton = 'inline-flex min-h-11 min-w-11 items-center justify-center gap-2 rounded-md border border-border bg-surface px-3 text-sm hover:bg-raised';
const menuItem = 'flex min-h-11 cursor-pointer items-center rounded px-3 text-sm hover:bg-raised';

export function WorkspaceSelect() {
  const teams = useQuery(teamsQuery);
  const search = useSearch({ strict: false }) as { team?: string };
  const navigate = useNavigate();
  return (
    <label className="flex items-center gap-2 text-sm">
      <span className="sr-only md:not-sr-only">Workspace</span>
      <select
        aria-label="Workspace"
        className="min-h-11 max-w-48 rounded-md border border-border bg-surface px-2 text-fg"
        value={search.team ?? ''}
        onChange={(event) => {
          const team = event.target.value || undefined;
          // Same page, same filters: only the scope changes.
          void navigate({ to: '.', search: (previous: Record<string, unknown>) => ({ ...previous, team }) } as never);
        }}
      >
        <option value="">Personal</option>
        {(teams.data?.data ?? []).map((team) => (
          <option key={team.id} value={team.id}>
            {team.name}
          </option>
        ))}
      </select>
    </label>
  );
}

export function NotificationsMenu() {
  const queryClient = useQueryClient();
  const unread = useQuery(unreadNotificationsQuery);
  const items = unread.data?.data ?? [];
  // A budget threshold crossed: the new notification shows without a reload.
  // The server announces the alert as it writes the notification, so look again a moment later.
  useLiveEvent('budget.alert', () => {
    void queryClient.invalidateQueries({ queryKey: ['notifications'] });
    setTimeout(() => void queryClient.invalidateQueries({ queryKey: ['notifications'] }), 1500);
  });
  const markRead = useMutation({
    mutationFn: (id: string) => api<void>(`/api/notifications/${encodeURIComponent(id)}/read`, { method: 'POST' }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['notifications'] }),
  });
  return (
    <Disclosure
      buttonClassName={menuButton}
      button={
        <>
          <span aria-hidden="true">🔔</span>
          <span className="sr-only">Notifications, </span>
          <span className="tabular" aria-hidden="true">
            {items.length}
          </span>
          <span className="sr-only">{`${items.length} unread`}</span>
        </>
      }
    >
      {(close) =>
        items.length === 0 ? (
          <p className="px-3 py-2 text-sm text-muted">No unread notifications</p>
        ) : (
          <ul aria-label="Unread notifications" className="grid gap-1">
            {items.map((item) => (
              <li key={item.id}>
                <button
                  type="button"
                  className={`${menuItem} w-full flex-col items-start py-2 text-left`}
                  onClick={() => {
                    markRead.mutate(item.id);
                    close();
                  }}
                >
                  <span className="font-medium">{item.title}</span>
                  <span className="text-muted">{item.body}</span>
                  <span className="sr-only">(mark as read)</span>
                </button>
              </li>
            ))}
          </ul>
        )
      }
    </Disclosure>
  );
}

export function AccountMenu({ me }: { me: Me }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return (
    <Disclosure
      buttonClassName={menuButton}
      button={
        <>
          <span aria-hidden="true">👤</span>
          <span className="sr-only">Account menu</span>
        </>
      }
    >
      {(close) => (
        <>
          <p className="px-3 py-2 text-sm text-muted">{me.email}</p>
          <button
            type="button"
            className={`${menuItem} w-full`}
            onClick={() => {
              close();
              void navigate({ to: '/settings' });
            }}
          >
            Settings
          </button>
          <hr className="my-1 border-border" />
          <button
            type="button"
            className={`${menuItem} w-full`}
            onClick={() => {
              void signOut(queryClient).finally(() => navigate({ to: '/login', search: {} }));
            }}
          >
            Sign out
          </button>
        </>
      )}
    </Disclosure>
  );
}

const themeWords: Record<ThemeChoice, string> = { system: 'system', light: 'light', dark: 'dark' };

export function ThemeToggle() {
  const [choice, setChoice] = useState<ThemeChoice>(readTheme);
  return (
    <>
    <button
      type="button"
      className={menuButton}
      aria-describedby="theme-current"
      onClick={() => {
        const next = nextTheme(choice);
        applyTheme(next);
        setChoice(next);
      }}
    >
      <span aria-hidden="true">{choice === 'dark' ? '☾' : choice === 'light' ? '☀' : '◐'}</span>
      <span className="sr-only md:not-sr-only">Theme</span>
    </button>
    <span id="theme-current" className="sr-only">{`Current theme: ${themeWords[choice]}`}</span>
    </>
  );
}
