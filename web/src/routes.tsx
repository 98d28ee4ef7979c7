/**
 * The route tree, code-based (no codegen): one lazy chunk per page, search params validated by a
 * zod/mini schema (WEBAPP.md §6.2). Authenticated pages sit under the `app` layout, whose
 * beforeLoad restores the session (memory token, else one cookie refresh) or goes to /login?next=.
 */
import type { QueryClient } from '@tanstack/react-query';
import { createRootRouteWithContext, createRoute, createRouter, lazyRouteComponent, Outlet, redirect } from '@tanstack/react-router';
import * as z from 'zod/mini';
import { ensureSession } from './api/session';
import { hasAccessToken } from './api/client';
import { loginSearch, safeNext, tokenSearch } from './features/auth/schemas';
import { ErrorPage } from './features/errors/ErrorPage';
import { StandaloneNotFound } from './features/errors/NotFoundPage';
import { AuthLayout } from './shell/AuthLayout';

export interface RouterContext {
  queryClient: QueryClient;
}

/** validateSearch from a zod/mini schema: invalid params are dropped rather than breaking the page. */
function searchOf<T extends z.ZodMiniType>(schema: T) {
  return (search: Record<string, unknown>): z.infer<T> => {
    const result = schema.safeParse(search);
    return (result.success ? result.data : {}) as z.infer<T>;
  };
}

const workspaceSearch = z.object({ team: z.optional(z.string().check(z.regex(/^[0-9A-HJKMNP-TV-Z]{26}$/))) });

const rootRoute = createRootRouteWithContext<RouterContext>()({
  component: Outlet,
  notFoundComponent: StandaloneNotFound,
  errorComponent: ErrorPage,
});

const authLayout = createRoute({ getParentRoute: () => rootRoute, id: 'auth', component: AuthLayout });
const appLayout = createRoute({
  getParentRoute: () => rootRoute,
  id: 'app',
  // The shell (Radix menus, dialog) is its own chunk: the auth pages do not load it.
  component: lazyRouteComponent(() => import('./shell/AppShell')),
  validateSearch: searchOf(workspaceSearch),
  beforeLoad: async ({ context, location }) => {
    const me = await ensureSession(context.queryClient);
    if (!me) throw redirect({ to: '/login', search: { next: location.href } });
    return { me };
  },
});

const noSearch = z.object({});
const loginRoute = createRoute({
  getParentRoute: () => authLayout,
  path: '/login',
  validateSearch: searchOf(loginSearch),
  // Already signed in (a token in memory): go where the login would have gone.
  beforeLoad: ({ search }) => {
    if (hasAccessToken()) throw redirect({ href: safeNext((search as { next?: string }).next) ?? '/' });
  },
  component: lazyRouteComponent(() => import('./features/auth/LoginPage')) });
const signupRoute = createRoute({ getParentRoute: () => authLayout, path: '/signup', validateSearch: searchOf(noSearch), component: lazyRouteComponent(() => import('./features/auth/SignupPage')) });
const verifyRoute = createRoute({ getParentRoute: () => authLayout, path: '/verify-email', validateSearch: searchOf(tokenSearch), component: lazyRouteComponent(() => import('./features/auth/VerifyEmailPage')) });
const forgotRoute = createRoute({ getParentRoute: () => authLayout, path: '/forgot-password', validateSearch: searchOf(noSearch), component: lazyRouteComponent(() => import('./features/auth/ForgotPasswordPage')) });
const resetRoute = createRoute({ getParentRoute: () => authLayout, path: '/reset-password', validateSearch: searchOf(tokenSearch), component: lazyRouteComponent(() => import('./features/auth/ResetPasswordPage')) });

// Dashboard controls in the URL (features/overview/controls.tsx); /usage adds its filters. Plain
// checks, not zod: these schemas would add ~2.5 kB of zod/mini to the entry chunk.
function pickSearch(rules: Record<string, RegExp>) {
  return (search: Record<string, unknown>): Record<string, string | undefined> =>
    Object.fromEntries(Object.entries(rules).map(([key, rule]) => [key, typeof search[key] === 'string' && rule.test(search[key]) ? search[key] : undefined]));
}
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const dashboardRules = { range: /^(24h|7d|30d|custom)$/, from: DAY, to: DAY, tz: /^[\w+\-/]{1,64}$/ };
const usageRules = { ...dashboardRules, group: /^(day|hour)(,[a-z]+)?$/, metric: /^(spend|requests|tokens|errors|p95)$/, model: /^.{1,200}$/, service: /^.{1,64}$/, status: /^(success|error|[2-5]xx)$/, key_id: /^.{1,64}$/, integration_id: /^.{1,64}$/ };
const overviewRoute = createRoute({ getParentRoute: () => appLayout, path: '/', validateSearch: pickSearch(dashboardRules), component: lazyRouteComponent(() => import('./features/overview/OverviewPage')) });
const quickstartRoute = createRoute({ getParentRoute: () => appLayout, path: '/quickstart', component: lazyRouteComponent(() => import('./features/quickstart/QuickStartPage')) });
const integrationsRoute = createRoute({ getParentRoute: () => appLayout, path: '/integrations', component: lazyRouteComponent(() => import('./features/integrations/IntegrationsPage')) });
const integrationDetailRoute = createRoute({ getParentRoute: () => appLayout, path: '/integrations/$id', component: lazyRouteComponent(() => import('./features/integrations/IntegrationDetailPage')) });
const keysRoute = createRoute({ getParentRoute: () => appLayout, path: '/keys', component: lazyRouteComponent(() => import('./features/keys/ApiKeysPage')) });
const usageRoute = createRoute({ getParentRoute: () => appLayout, path: '/usage', validateSearch: pickSearch(usageRules), component: lazyRouteComponent(() => import('./features/usage/UsagePage')) });
const logsRoute = createRoute({ getParentRoute: () => appLayout, path: '/logs', component: lazyRouteComponent(() => import('./features/logs/LogsPage')) });
const budgetsRoute = createRoute({ getParentRoute: () => appLayout, path: '/budgets', component: lazyRouteComponent(() => import('./features/budgets/BudgetsPage')) });
const teamsRoute = createRoute({ getParentRoute: () => appLayout, path: '/teams', component: lazyRouteComponent(() => import('./features/teams/TeamsPage')) });
const teamSearch = z.object({ tab: z.optional(z.enum(['members', 'secrets', 'keys', 'routes', 'budget', 'usage'])) });
// The team's Usage tab is the dashboard: its controls (range, tz) live in the URL beside `tab`.
const teamRoute = createRoute({ getParentRoute: () => appLayout, path: '/teams/$teamId', validateSearch: (search: Record<string, unknown>) => ({ ...pickSearch(dashboardRules)(search), ...searchOf(teamSearch)(search) }), component: lazyRouteComponent(() => import('./features/teams/TeamPage')) });
// The mailed link (<PUBLIC_URL>/invitations/accept?token=…): the token in the query, which the access log redacts.
const invitationRoute = createRoute({ getParentRoute: () => appLayout, path: '/invitations/accept', validateSearch: searchOf(tokenSearch), component: lazyRouteComponent(() => import('./features/teams/InvitationPage')) });
const routesRoute = createRoute({ getParentRoute: () => appLayout, path: '/routes', component: lazyRouteComponent(() => import('./features/routes/RoutesPage')) });
const settingsRoute = createRoute({ getParentRoute: () => appLayout, path: '/settings', component: lazyRouteComponent(() => import('./features/settings/SettingsPage')) });
const adminRules = { ...dashboardRules, tab: /^(users|teams|health|usage|audit|prices)$/ };
const adminRoute = createRoute({ getParentRoute: () => appLayout, path: '/admin', validateSearch: pickSearch(adminRules), component: lazyRouteComponent(() => import('./features/admin/AdminPage')) });

const routeTree = rootRoute.addChildren([
  authLayout.addChildren([loginRoute, signupRoute, verifyRoute, forgotRoute, resetRoute]),
  appLayout.addChildren([overviewRoute, quickstartRoute, integrationsRoute, integrationDetailRoute, keysRoute, usageRoute, logsRoute, budgetsRoute, teamsRoute, routesRoute, settingsRoute, adminRoute,
    teamRoute, invitationRoute]),
]);

export function createAppRouter(queryClient: QueryClient) {
  return createRouter({
    routeTree,
    context: { queryClient },
    defaultPreload: 'intent',
    defaultErrorComponent: ErrorPage,
    defaultNotFoundComponent: StandaloneNotFound,
    scrollRestoration: true,
  });
}

declare module '@tanstack/react-router' {
  interface Register {
    router: ReturnType<typeof createAppRouter>;
  }
}
