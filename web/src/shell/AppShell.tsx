/** The authenticated frame: skip link, sidebar/drawer navigation "Main", header controls, main. */
import { Outlet } from '@tanstack/react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { startLiveEvents } from '../api/events';
import { meQuery } from '../api/queries';
import { AccountMenu, NotificationsMenu, ThemeToggle, WorkspaceSelect } from './HeaderControls';
import { MainNav } from './MainNav';
import { MenuDrawer } from './MenuDrawer';

export function AppShell() {
  const me = useQuery(meQuery);
  const queryClient = useQueryClient();
  // One live connection per tab while signed in (closed by sign-out and session expiry).
  useEffect(() => startLiveEvents(queryClient), [queryClient]);
  const isAdmin = me.data?.is_admin === true;
  return (
    <div className="min-h-screen">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:fixed focus:left-2 focus:top-2 focus:z-50 focus:rounded-md focus:bg-surface focus:px-4 focus:py-3"
      >
        Skip to content
      </a>
      <header className="sticky top-0 z-30 flex flex-wrap items-center gap-2 border-b border-border bg-surface px-3 py-2">
        <MenuDrawer isAdmin={isAdmin} />
        <span className="mr-auto text-lg font-semibold">Switchboard</span>
        <WorkspaceSelect />
        <NotificationsMenu />
        <ThemeToggle />
        {me.data ? <AccountMenu me={me.data} /> : null}
      </header>
      <div className="flex">
        <aside className="hidden w-56 shrink-0 border-r border-border p-3 md:block">
          <MainNav isAdmin={isAdmin} />
        </aside>
        <main id="main" tabIndex={-1} className="min-w-0 flex-1 p-4 md:p-6">
          <Outlet />
        </main>
      </div>
    </div>
  );
}

export default AppShell;
