import { Hono } from 'hono';
import type { AppEnv } from './context.js';

export type CheckResult = 'ok' | 'disabled' | string;

export interface ReadinessProbe {
  /** Each check answers 'ok' (or 'disabled' for an unconfigured optional dependency) or a short reason. */
  checks(): Promise<Record<string, CheckResult>>;
}

/** /healthz: the process answers (never checks dependencies). /readyz: dependencies and draining. */
export function healthRoutes(probe: ReadinessProbe) {
  const router = new Hono<AppEnv>();
  router.get('/healthz', (c) => c.json({ status: 'ok' }, 200, { 'cache-control': 'no-store' }));
  router.get('/readyz', async (c) => {
    const checks = await probe.checks();
    const ready = Object.values(checks).every((value) => value === 'ok' || value === 'disabled');
    return c.json({ status: ready ? 'ok' : 'unavailable', checks }, ready ? 200 : 503, { 'cache-control': 'no-store' });
  });
  return router;
}
