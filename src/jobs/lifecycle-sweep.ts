/**
 * The lifecycle sweep every `serve` process runs each SWITCHBOARD_LIFECYCLE_SWEEP_MS: re-checks
 * the integrations the auto-disable policy disabled whose retry time has come, and announces
 * `key.revoked` for keys whose roll grace has ended. Both claim their rows in PostgreSQL, so any
 * number of replicas can sweep at once and each row is handled by exactly one. A sweep never
 * overlaps the previous one in the same process.
 */
import type { Logger } from '../platform/logger.js';
import type { PlatformServices } from '../services.js';

export function startLifecycleSweep(input: {
  services: { integrationRecovery: Pick<PlatformServices['integrationRecovery'], 'recoverDue'>; platformKeys: Pick<PlatformServices['platformKeys'], 'announceEndedGraces'> };
  intervalMs: number;
  logger: Logger;
}): { close(): Promise<void> } {
  const { services, logger } = input;
  let running: Promise<void> | undefined;
  const sweep = () => {
    running ??= Promise.all([
      services.integrationRecovery.recoverDue().catch((error: unknown) => logger.warn({ err: error }, 'integration re-check sweep failed')),
      services.platformKeys.announceEndedGraces().catch((error: unknown) => logger.warn({ err: error }, 'key revocation sweep failed')),
    ]).then(
      () => undefined,
      () => undefined,
    ).finally(() => {
      running = undefined;
    });
  };
  const timer = setInterval(sweep, input.intervalMs);
  timer.unref();
  return {
    /** Stops the timer and waits for a sweep in progress (before the pools close). */
    async close() {
      clearInterval(timer);
      await running;
    },
  };
}
