/**
 * `GET /v1/models`: what the caller can use, in OpenAI's list shape
 * (`{"object":"list","data":[{"id","object":"model","created","owned_by"}]}`, as the official
 * `openai` SDK's `models.list()` reads it). Ids are `service/model`; `owned_by` is the service.
 *
 * A service is listed when the caller (or the team they act for) has an enabled integration for it; its
 * models are the catalog's plus the provider's own list stored by the last successful key check.
 * `local` models are listed when the operator configured them. A platform key's model allow-list
 * applies. The integrations behind a list are cached per owner (no database query per call in
 * steady state) and dropped on every replica when an integration changes (topic `integration`).
 */
import type { Context } from 'hono';
import { LRUCache } from 'lru-cache';
import { and, eq, isNull } from 'drizzle-orm';
import { isModelAllowed } from '../accounts/platform-keys.service.js';
import type { AppEnv } from '../http/context.js';
import type { PriceCatalog } from '../metering/price-catalog.js';
import type { InvalidationBus } from '../platform/invalidation.js';
import type { Database } from '../store/db.js';
import { integrations } from '../store/schema.js';

export interface ModelEntry {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

interface OwnerServices {
  /** service → the provider's own model ids (merged over the owner's integrations of it). */
  byService: Map<string, Set<string>>;
}

export interface ModelListerDeps {
  db: Database;
  catalog: Pick<PriceCatalog, 'modelsOf' | 'pricesOf' | 'baseVersion'>;
  bus: InvalidationBus;
  /** Local model ids (no prefix) the operator configured; empty when there is no local service. */
  localModels?: () => readonly string[];
  cacheTtlSeconds?: number;
}

export function createModelLister(deps: ModelListerDeps) {
  const cache = new LRUCache<string, OwnerServices>({ max: 10_000, ttl: Math.max(1, deps.cacheTtlSeconds ?? 300) * 1000 });
  deps.bus.subscribe('integration', (key) => {
    const [kind, ownerId] = key.split(':');
    if (kind && ownerId) cache.delete(`${kind}:${ownerId}`);
  });
  deps.bus.onResync(() => cache.clear());
  const catalogDate = Math.floor((Date.parse(deps.catalog.baseVersion.slice(0, 10)) || 0) / 1000);

  async function servicesOf(kind: 'user' | 'team', ownerId: string): Promise<OwnerServices> {
    const key = `${kind}:${ownerId}`;
    const hit = cache.get(key);
    if (hit) return hit;
    const rows = await deps.db
      .select({ service: integrations.service, models: integrations.models })
      .from(integrations)
      .where(and(kind === 'user' ? eq(integrations.ownerUserId, ownerId) : eq(integrations.ownerTeamId, ownerId), isNull(integrations.disabledAt)));
    const byService = new Map<string, Set<string>>();
    for (const row of rows) {
      const set = byService.get(row.service) ?? new Set<string>();
      for (const model of row.models ?? []) set.add(model);
      byService.set(row.service, set);
    }
    const value = { byService };
    cache.set(key, value);
    return value;
  }

  function createdOf(service: string, model: string): number {
    const points = deps.catalog.pricesOf(`${service}/${model}`);
    const oldest = points.at(-1)?.fromMs ?? 0;
    return oldest > 0 ? Math.floor(oldest / 1000) : catalogDate;
  }

  return {
    async list(principal: { userId: string; teamId?: string; allowedModels?: readonly string[] }): Promise<ModelEntry[]> {
      const owners = [servicesOf('user', principal.userId)];
      if (principal.teamId) owners.push(servicesOf('team', principal.teamId));
      const ids = new Map<string, ModelEntry>();
      const add = (service: string, model: string) => {
        const id = `${service}/${model}`;
        if (ids.has(id) || !isModelAllowed(principal.allowedModels, id)) return;
        ids.set(id, { id, object: 'model', created: createdOf(service, model), owned_by: service });
      };
      for (const owner of await Promise.all(owners)) {
        for (const [service, providerModels] of owner.byService) {
          for (const model of deps.catalog.modelsOf(service)) add(service, model);
          for (const model of providerModels) add(service, model);
        }
      }
      for (const model of deps.localModels?.() ?? []) add('local', model);
      return [...ids.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    },
  };
}

export type ModelLister = ReturnType<typeof createModelLister>;

export function createModelsHandler(lister: ModelLister) {
  return async (c: Context<AppEnv>) => c.json({ object: 'list', data: await lister.list(c.get('principal')) }, 200);
}
