/** Session bootstrap for protected routes: a token in memory, or one refresh from the cookie. */
import type { QueryClient } from '@tanstack/react-query';
import { hasAccessToken, logout, refreshSession } from './client';
import { stopLiveEvents } from './events';
import { meQuery } from './queries';
import type { Me } from './types';

/** The signed-in user, or null when there is no session (no token and the cookie refresh failed). */
export async function ensureSession(queryClient: QueryClient): Promise<Me | null> {
  if (!hasAccessToken() && !(await refreshSession())) return null;
  try {
    return await queryClient.ensureQueryData(meQuery);
  } catch {
    return null;
  }
}

/** Sign out: end the server session and drop every cached answer of this user. */
export async function signOut(queryClient: QueryClient): Promise<void> {
  stopLiveEvents();
  try {
    await logout();
  } finally {
    queryClient.clear();
  }
}

/** Set by the verify-email page: the next login is the first one and lands on Quick start. */
const FIRST_RUN_KEY = 'switchboard.first-login';
export const markFirstLoginPending = (): void => {
  try {
    localStorage.setItem(FIRST_RUN_KEY, '1');
  } catch {
    // Without storage the first login lands on Overview, which links to Quick start.
  }
};
export const takeFirstLoginPending = (): boolean => {
  try {
    const pending = localStorage.getItem(FIRST_RUN_KEY) === '1';
    localStorage.removeItem(FIRST_RUN_KEY);
    return pending;
  } catch {
    return false;
  }
};
