export { breakerKey, createBreakers, type Breakers, type BreakerState, type BreakerView } from './breaker.js';
export { BreakerOpenError, createResilience, integrationBreakerKey, runChain, type Resilience, type ResilienceOptions } from './resilience.js';
export { createLatencyStats, type LatencyStats } from './stats.js';
export { orderTargets, type RouteConstraints, type RouteTarget, type Strategy } from './strategies.js';
