/**
 * Turns the `model` a client sent into a service and the provider's own model id:
 * `service/model` explicitly, or a bare model name the price catalog (or a well-known family
 * prefix) attributes to one service.
 */
import { AppError } from '../platform/errors.js';
import type { PriceCatalog } from '../metering/price-catalog.js';
import { serviceIds, type ServiceId } from './providers/provider.js';

export interface ModelTarget {
  service: ServiceId;
  model: string;
}

const knownServices: ReadonlySet<string> = new Set(serviceIds);

const familyPrefixes: Array<[RegExp, ServiceId]> = [
  [/^(gpt-|chatgpt-|o1|o3|o4|text-embedding-|dall-e|gpt-image|sora)/, 'openai'],
  [/^claude-/, 'anthropic'],
  [/^(command|embed-|rerank-)/, 'cohere'],
  [/^(gemini-|text-embedding-00|imagen-|veo-)/, 'gemini'],
];

export function createModelResolver(catalog: Pick<PriceCatalog, 'serviceForModel'>) {
  return (requested: string): ModelTarget => {
    const slash = requested.indexOf('/');
    if (slash > 0) {
      const prefix = requested.slice(0, slash);
      const model = requested.slice(slash + 1);
      if (knownServices.has(prefix) && model.length > 0) return { service: prefix as ServiceId, model };
    }
    const service = catalog.serviceForModel(requested) ?? familyPrefixes.find(([pattern]) => pattern.test(requested))?.[1];
    if (service && knownServices.has(service)) return { service: service as ServiceId, model: requested };
    throw new AppError('unknown_model', {
      param: 'model',
      message: `Unknown model "${requested.slice(0, 200)}". Use "service/model", e.g. "openai/gpt-4o-mini" or "anthropic/claude-sonnet-4-5".`,
    });
  };
}

export type ModelResolver = ReturnType<typeof createModelResolver>;
