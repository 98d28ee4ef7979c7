/**
 * Routes (virtual models): CRUD per owner (a user, or a team behind its roles) and the request-path
 * lookup that turns a route name into the ordered fallback chain.
 *
 * The lookup is cached per owner (every route of the owner, loaded by one query on a miss), so an
 * AI request does no database query in steady state. A change publishes `route` on the
 * invalidation bus with the owner (`user:<id>` / `team:<id>`); every process drops that owner's entry.
 */
import { and, asc, eq } from 'drizzle-orm';
import type { Principal } from '../http/context.js';
import type { CallTarget } from '../gateway/gateway-call.js';
import type { ModelResolver } from '../gateway/model-resolver.js';
import { orderTargets, type RouteConstraints, type RouteTarget, type Strategy } from '../gateway/resilience/strategies.js';
import { integrationBreakerKey, type Resilience } from '../gateway/resilience/resilience.js';
import { breakerKey, type BreakerState } from '../gateway/resilience/breaker.js';
import type { ServiceId } from '../gateway/providers/provider.js';
import type { PriceCatalog } from '../metering/price-catalog.js';
import { AppError } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import type { InvalidationBus } from '../platform/invalidation.js';
import type { Database } from '../store/db.js';
import { routes } from '../store/schema.js';
import type { IntegrationsService } from '../vault/integrations.service.js';

type Owner = { kind: 'user' | 'team'; id: string };
type TeamRole = 'owner' | 'admin' | 'member';
type RouteRow = typeof routes.$inferSelect;

export interface RouteInput {
  strategy: Strategy;
  targets: RouteTarget[];
  constraints?: RouteConstraints | undefined;
  fallback_local?: boolean | undefined;
}

export interface RouteView extends Required<Omit<RouteInput, 'constraints'>> {
  name: string;
  owner: Owner;
  constraints: RouteConstraints | null;
  created_at: string;
  updated_at: string;
}

export const ROUTE_NAME_PATTERN = /^[a-z0-9._-]{1,64}$/;

/**
 * `auto` when the caller stored none: one cheap default chat model per service the caller (or
 * the team) has a key for, cheapest first by catalog price.
 */
export const AUTO_DEFAULT_MODELS: readonly string[] = ['openai/gpt-4o-mini', 'anthropic/claude-haiku-4-5', 'gemini/gemini-2.0-flash', 'cohere/command-r'];

export interface RoutesDeps {
  db: Database;
  bus: InvalidationBus;
  catalog: Pick<PriceCatalog, 'priceOf'>;
  resolveModel: ModelResolver;
  integrations: Pick<IntegrationsService, 'getIntegration' | 'resolveCredential' | 'findDisabled'>;
  access: { requireTeamRole(teamId: string, userId: string, minimum: TeamRole): Promise<TeamRole> };
  resilience?: Pick<Resilience, 'stats' | 'random'> & Partial<Pick<Resilience, 'breakers'>>;
  /** The platform default base URL per service (a preview reads the breaker of the endpoint a call would use). */
  providerBaseUrls?: Partial<Record<ServiceId, string | undefined>>;
  cacheTtlMs?: number;
}

/** One candidate of a preview: what the gateway would try, and whether an open breaker skips it now. */
export interface PreviewCandidate {
  model: string;
  integration_id: string | null;
  breaker: BreakerState;
  skipped: boolean;
  reason: 'breaker_open' | 'no_integration' | 'integration_disabled' | null;
}

const ownerKey = (owner: Owner) => `${owner.kind}:${owner.id}`;
const ownerFilter = (owner: Owner) => (owner.kind === 'user' ? eq(routes.ownerUserId, owner.id) : eq(routes.ownerTeamId, owner.id));

function toView(row: RouteRow): RouteView {
  return {
    name: row.name,
    owner: row.ownerUserId ? { kind: 'user', id: row.ownerUserId } : { kind: 'team', id: row.ownerTeamId! },
    strategy: row.strategy,
    targets: row.targets as RouteTarget[],
    constraints: (row.constraints as RouteConstraints | null) ?? null,
    fallback_local: row.fallbackLocal,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

export function createRoutesService(deps: RoutesDeps) {
  const ttlMs = deps.cacheTtlMs ?? 300_000;
  const cache = new Map<string, { at: number; routes: Map<string, RouteView> }>();
  deps.bus.subscribe('route', (key) => cache.delete(key));
  deps.bus.onResync(() => cache.clear());

  async function routesOf(owner: Owner): Promise<Map<string, RouteView>> {
    const key = ownerKey(owner);
    const hit = cache.get(key);
    if (hit && Date.now() - hit.at < ttlMs) return hit.routes;
    const rows = await deps.db.select().from(routes).where(ownerFilter(owner)).orderBy(asc(routes.name));
    const loaded = new Map(rows.map((row) => [row.name, toView(row)]));
    cache.set(key, { at: Date.now(), routes: loaded });
    return loaded;
  }

  async function authorize(owner: Owner, userId: string, minimum: TeamRole) {
    if (owner.kind === 'team') await deps.access.requireTeamRole(owner.id, userId, minimum);
    else if (owner.id !== userId) throw new AppError('not_found');
  }

  function checkName(name: string) {
    if (!ROUTE_NAME_PATTERN.test(name)) {
      throw new AppError('invalid_request', { param: 'name', message: 'A route name is 1–64 characters of a-z, 0-9, ".", "_" and "-" (no "/": names with "/" are models).' });
    }
  }

  async function validate(owner: Owner, input: RouteInput) {
    if (input.targets.length === 0 || input.targets.length > 20) {
      throw new AppError('invalid_request', { param: 'targets', message: 'targets must list 1 to 20 models.' });
    }
    for (const [index, target] of input.targets.entries()) {
      const param = `targets[${index}]`;
      if (!target.model.includes('/')) throw new AppError('invalid_request', { param: `${param}.model`, message: `${param}.model must be "service/model", e.g. "openai/gpt-4o-mini".` });
      let service: ServiceId;
      try {
        service = deps.resolveModel(target.model).service;
      } catch {
        throw new AppError('invalid_request', { param: `${param}.model`, message: `${param}.model names an unknown service: "${target.model.slice(0, 200)}".` });
      }
      if (input.strategy === 'weighted' && !(typeof target.weight === 'number' && target.weight > 0)) {
        throw new AppError('invalid_request', { param: `${param}.weight`, message: 'Every target of a weighted route needs a weight > 0.' });
      }
      if (target.integration_id !== undefined) {
        const integration = await deps.integrations.getIntegration(owner, target.integration_id).catch((error: unknown) => {
          if (error instanceof AppError && error.code === 'not_found') {
            throw new AppError('invalid_request', { param: `${param}.integration_id`, message: `${param}.integration_id is not one of this owner's integrations.` });
          }
          throw error;
        });
        if ((integration as { service: string }).service !== service) {
          throw new AppError('invalid_request', { param: `${param}.integration_id`, message: `${param}.integration_id is a ${(integration as { service: string }).service} integration, not ${service}.` });
        }
      }
    }
  }

  const priceOf = (model: string) => {
    const slash = model.indexOf('/');
    const price = deps.catalog.priceOf(model.slice(0, slash), model.slice(slash + 1));
    return price ? { input: price.inputMicrosPerMtok, output: price.outputMicrosPerMtok } : undefined;
  };

  function chainOf(route: Pick<RouteView, 'name' | 'strategy' | 'targets' | 'constraints' | 'owner'>): CallTarget[] {
    const ordered = orderTargets(route, {
      priceOf,
      ttftOf: (model) => deps.resilience?.stats.ttftOf(model),
      random: deps.resilience?.random ?? Math.random,
    });
    return ordered.map((target) => ({
      ...deps.resolveModel(target.model),
      ...(target.integration_id ? { integration: { owner: route.owner, id: target.integration_id } } : {}),
    }));
  }

  /** The breaker state a call to this target would meet now: the worse of its endpoint's and its integration's. */
  function breakerNow(service: ServiceId, integrationId: string, baseUrl: string | null): BreakerState {
    const breakers = deps.resilience?.breakers;
    if (!breakers) return 'closed';
    const url = baseUrl ?? deps.providerBaseUrls?.[service];
    const states = [breakers.state(integrationBreakerKey(integrationId)), url ? breakers.state(breakerKey(service, url)) : 'closed'];
    return states.includes('open') ? 'open' : states.includes('half_open') ? 'half_open' : 'closed';
  }

  return {
    /**
     * "Preview order": the chain the gateway would build from this (unsaved) route now, through the
     * same ordering code as a request, each candidate with the breaker it would meet. Candidates an
     * open breaker (or a missing key) would skip keep their place, marked `skipped`. Stores nothing.
     */
    async preview(owner: Owner, userId: string, input: RouteInput): Promise<{ candidates: PreviewCandidate[]; fallback_local: boolean }> {
      await authorize(owner, userId, 'member');
      await validate(owner, input);
      const chain = chainOf({ name: 'preview', strategy: input.strategy, targets: input.targets, constraints: input.constraints ?? null, owner });
      const candidates: PreviewCandidate[] = [];
      for (const target of chain) {
        const model = `${target.service}/${target.model}`;
        const credential = await deps.integrations.resolveCredential(owner, target.service, target.integration?.id);
        if (!credential) {
          const disabled = await deps.integrations.findDisabled(owner, target.service, target.integration?.id);
          candidates.push({ model, integration_id: disabled?.id ?? target.integration?.id ?? null, breaker: 'closed', skipped: true, reason: disabled ? 'integration_disabled' : 'no_integration' });
          continue;
        }
        const breaker = breakerNow(target.service, credential.integrationId, credential.baseUrl);
        candidates.push({ model, integration_id: credential.integrationId, breaker, skipped: breaker === 'open', reason: breaker === 'open' ? 'breaker_open' : null });
      }
      return { candidates, fallback_local: input.fallback_local === true };
    },

    async list(owner: Owner, userId: string): Promise<{ data: RouteView[] }> {
      await authorize(owner, userId, 'member');
      return { data: [...(await routesOf(owner)).values()] };
    },
    async get(owner: Owner, userId: string, name: string): Promise<RouteView> {
      await authorize(owner, userId, 'member');
      const route = (await routesOf(owner)).get(name);
      if (!route) throw new AppError('not_found', { message: `No route named "${name.slice(0, 64)}".` });
      return route;
    },
    async put(owner: Owner, userId: string, name: string, input: RouteInput): Promise<{ route: RouteView; created: boolean }> {
      await authorize(owner, userId, 'admin');
      checkName(name);
      await validate(owner, input);
      const values = {
        strategy: input.strategy,
        targets: input.targets.map((target) => ({ model: target.model, ...(target.integration_id ? { integration_id: target.integration_id } : {}), ...(target.weight !== undefined ? { weight: target.weight } : {}) })),
        constraints: input.constraints ?? null,
        fallbackLocal: input.fallback_local === true,
      };
      const existing = await deps.db.select({ id: routes.id }).from(routes).where(and(ownerFilter(owner), eq(routes.name, name))).limit(1);
      let row: RouteRow | undefined;
      if (existing[0]) {
        [row] = await deps.db.update(routes).set({ ...values, updatedAt: new Date() }).where(eq(routes.id, existing[0].id)).returning();
      } else {
        [row] = await deps.db
          .insert(routes)
          .values({ id: newId(), name, ...values, ...(owner.kind === 'user' ? { ownerUserId: owner.id } : { ownerTeamId: owner.id }) })
          .onConflictDoNothing()
          .returning();
        if (!row) throw new AppError('conflict', { message: `A route named "${name}" was created at the same time; retry.` });
      }
      deps.bus.publish('route', ownerKey(owner));
      return { route: toView(row!), created: !existing[0] };
    },
    async remove(owner: Owner, userId: string, name: string): Promise<void> {
      await authorize(owner, userId, 'admin');
      const deleted = await deps.db.delete(routes).where(and(ownerFilter(owner), eq(routes.name, name))).returning({ id: routes.id });
      if (deleted.length === 0) throw new AppError('not_found', { message: `No route named "${name.slice(0, 64)}".` });
      deps.bus.publish('route', ownerKey(owner));
    },

    /**
     * The fallback chain for a `model` without "/" that names a route: the caller's own, else (acting
     * for a team) the team's; `auto` without a stored route is the default described above.
     * Undefined when the name is no route (the model resolver then decides).
     */
    async resolve(principal: Principal, model: string): Promise<{ candidates: CallTarget[]; fallbackLocal: boolean } | undefined> {
      if (model.includes('/') || !ROUTE_NAME_PATTERN.test(model)) return undefined;
      const owners: Owner[] = [{ kind: 'user', id: principal.userId }, ...(principal.teamId ? [{ kind: 'team' as const, id: principal.teamId }] : [])];
      for (const owner of owners) {
        const route = (await routesOf(owner)).get(model);
        if (route) return { candidates: chainOf(route), fallbackLocal: route.fallback_local };
      }
      if (model !== 'auto') return undefined;
      const available: RouteTarget[] = [];
      for (const candidate of AUTO_DEFAULT_MODELS) {
        const service = candidate.slice(0, candidate.indexOf('/')) as ServiceId;
        for (const owner of owners) {
          if (await deps.integrations.resolveCredential(owner, service)) {
            available.push({ model: candidate });
            break;
          }
        }
      }
      if (available.length === 0) {
        throw new AppError('integration_missing', { param: 'model', message: 'The "auto" route needs at least one provider integration: store a key with POST /api/integrations, or define "auto" with PUT /api/routes/auto.' });
      }
      return { candidates: chainOf({ name: 'auto', strategy: 'cost', targets: available, constraints: null, owner: owners[0]! }), fallbackLocal: false };
    },
  };
}

export type RoutesService = ReturnType<typeof createRoutesService>;
