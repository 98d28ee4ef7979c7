/** Theme choice: follow the system (prefers-color-scheme), or light/dark set by the "Theme" toggle. */
export type ThemeChoice = 'system' | 'light' | 'dark';
const KEY = 'switchboard.theme';

export function readTheme(): ThemeChoice {
  try {
    const stored = localStorage.getItem(KEY);
    return stored === 'light' || stored === 'dark' ? stored : 'system';
  } catch {
    return 'system';
  }
}

export function applyTheme(choice: ThemeChoice): void {
  const root = document.documentElement;
  if (choice === 'system') root.removeAttribute('data-theme');
  else root.setAttribute('data-theme', choice);
  try {
    if (choice === 'system') localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, choice);
  } catch {
    // Storage can be unavailable (private mode): the choice then lasts for this page only.
  }
}

export const nextTheme = (choice: ThemeChoice): ThemeChoice => (choice === 'system' ? 'light' : choice === 'light' ? 'dark' : 'system');
