/**
 * Orders a route's targets into the fallback chain and applies its constraints. Pure: prices,
 * latencies and the random source come in as functions, so every strategy is unit-testable.
 *
 *   priority  the targets in the order given
 *   cost      cheapest first: catalog input + output price per million tokens (unpriced last)
 *   latency   lowest moving-average time to first byte first; no sample yet → last (in given order)
 *   weighted  one target drawn at random by weight first, then the rest by descending weight
 */
import { AppError } from '../../platform/errors.js';
import { capabilitiesOf, type Capability } from './model-capabilities.js';

export type Strategy = 'priority' | 'cost' | 'latency' | 'weighted';

export interface RouteTarget {
  model: string;
  integration_id?: string | undefined;
  weight?: number | undefined;
}

export interface RouteConstraints {
  max_input_price_per_mtok_micros?: number | undefined;
  max_output_price_per_mtok_micros?: number | undefined;
  capabilities?: Capability[] | undefined;
  min_context?: number | undefined;
}

export interface OrderingInputs {
  /** Micro-dollars per million tokens, undefined when the catalog has no price. */
  priceOf(model: string): { input?: number | undefined; output?: number | undefined } | undefined;
  ttftOf(model: string): number | undefined;
  random(): number;
}

function satisfies(target: RouteTarget, constraints: RouteConstraints | undefined, inputs: OrderingInputs): boolean {
  if (!constraints) return true;
  const price = inputs.priceOf(target.model);
  if (constraints.max_input_price_per_mtok_micros !== undefined && (price?.input === undefined || price.input > constraints.max_input_price_per_mtok_micros)) return false;
  if (constraints.max_output_price_per_mtok_micros !== undefined && (price?.output === undefined || price.output > constraints.max_output_price_per_mtok_micros)) return false;
  if (constraints.capabilities?.length || constraints.min_context !== undefined) {
    const known = capabilitiesOf(target.model);
    if (!known) return false;
    if (constraints.capabilities?.some((capability) => !known.capabilities.includes(capability))) return false;
    if (constraints.min_context !== undefined && known.context < constraints.min_context) return false;
  }
  return true;
}

export function orderTargets(
  route: { name: string; strategy: Strategy; targets: RouteTarget[]; constraints?: RouteConstraints | null | undefined },
  inputs: OrderingInputs,
): RouteTarget[] {
  const candidates = route.targets.filter((target) => satisfies(target, route.constraints ?? undefined, inputs));
  if (candidates.length === 0) {
    throw new AppError('no_route_candidate', {
      param: 'model',
      message: `No target of route "${route.name}" satisfies its constraints (prices, capabilities, context size). Relax the constraints or add targets with PUT /api/routes/${route.name}.`,
    });
  }
  switch (route.strategy) {
    case 'priority':
      return candidates;
    case 'cost': {
      const total = (target: RouteTarget) => {
        const price = inputs.priceOf(target.model);
        return price?.input === undefined && price?.output === undefined ? Number.POSITIVE_INFINITY : (price.input ?? 0) + (price.output ?? 0);
      };
      return stableSort(candidates, (a, b) => total(a) - total(b));
    }
    case 'latency': {
      const ttft = (target: RouteTarget) => inputs.ttftOf(target.model) ?? Number.POSITIVE_INFINITY;
      return stableSort(candidates, (a, b) => (ttft(a) === ttft(b) ? 0 : ttft(a) - ttft(b)));
    }
    case 'weighted': {
      const weightOf = (target: RouteTarget) => Math.max(0, target.weight ?? 0);
      const sum = candidates.reduce((total, target) => total + weightOf(target), 0);
      if (sum <= 0) return candidates;
      let draw = inputs.random() * sum;
      let chosen = candidates.findIndex((target) => (draw -= weightOf(target)) < 0);
      if (chosen < 0) chosen = candidates.length - 1;
      const rest = stableSort(candidates.filter((_, index) => index !== chosen), (a, b) => weightOf(b) - weightOf(a));
      return [candidates[chosen]!, ...rest];
    }
  }
}

function stableSort<T>(items: T[], compare: (a: T, b: T) => number): T[] {
  return items.map((item, index) => ({ item, index })).sort((a, b) => compare(a.item, b.item) || a.index - b.index).map(({ item }) => item);
}
