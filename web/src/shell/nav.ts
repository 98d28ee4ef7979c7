/** The "Main" navigation, in order (WEBAPP.md §6.4). Admin is added for admins only. */
export const navLinks = [
  { to: '/', label: 'Overview' },
  { to: '/quickstart', label: 'Quick start' },
  { to: '/integrations', label: 'Integrations' },
  { to: '/keys', label: 'API keys' },
  { to: '/usage', label: 'Usage' },
  { to: '/logs', label: 'Logs' },
  { to: '/budgets', label: 'Budgets' },
  { to: '/teams', label: 'Teams' },
  { to: '/routes', label: 'Routes' },
  { to: '/settings', label: 'Settings' },
] as const;

export const adminLink = { to: '/admin', label: 'Admin' } as const;
