/**
 * The production topology on loopback (OPS.md Part 5, item 10 and "Done when" 5–11, 14, 16, 20): one stack
 * (harness.ts) for the whole suite, the checks in order, because some of them cut the database,
 * kill the worker or replace every replica:
 *   5  ready through nginx in ≤ 30 s; /readyz follows a PostgreSQL outage, /healthz does not
 *   20 serve and worker run as nobody against a repository they cannot write
 *   6  rate limits shared by the replicas; per-IP limits per client address, not spoofable
 *   7  a breaker opened through one replica is open on the other
 *   8  revocations and key changes take effect on the other replica without waiting for a TTL
 *   9  video jobs handed off between serve and worker, surviving kill -9 and SIGTERM
 *   11 streams through nginx: ≤ 5 ms added to the time to first chunk, chunks passed as they come
 *   10 rolling restart under SDK load: 0 errors, 0 5xx, 0 truncated streams, usage exact
 *   14 backup under SDK load, restored into an empty database, a fresh replica serving from it
 *   16 master-key rotation under SDK load (changes the stack's master key: last)
 */
import { afterAll, beforeAll, describe } from 'vitest';
import { backupChecks } from './backup.checks.js';
import { jobChecks, jobRecoveryChecks } from './jobs.checks.js';
import { readinessChecks } from './readiness.checks.js';
import { rollingRestartChecks } from './rolling-restart.checks.js';
import { rotationChecks } from './rotation.checks.js';
import { sharedStateChecks } from './shared-state.checks.js';
import { streamingChecks } from './streaming.checks.js';
import { api, OPENAI_KEYS, ANTHROPIC_KEY, startStack, type StackContext } from './harness.js';

let context: StackContext | undefined;
const ctx = (): StackContext => {
  if (!context) throw new Error('the stack did not start (see the beforeAll error)');
  return context;
};

beforeAll(async () => {
  const stack = await startStack();
  try {
    const owner = await stack.createUser({ admin: true });
    const member = await stack.createUser();
    for (const body of [{ service: 'openai', api_key: OPENAI_KEYS[0] }, { service: 'anthropic', api_key: ANTHROPIC_KEY }]) {
      const created = await api(stack.edge, '/api/integrations', { token: owner.token, body });
      if (created.status !== 201) throw new Error(`integration: ${created.status} ${created.body}`);
    }
    context = { stack, owner, member };
  } catch (error) {
    await stack.stop();
    throw error;
  }
});

afterAll(async () => {
  if (process.env.SWITCHBOARD_TEST_DEBUG && context) for (const name of ['a', 'b', 'worker'] as const) process.stderr.write(`--- ${name}\n${context.stack.log(name)}`);
  await context?.stack.stop();
});

describe('the loopback stack', () => {
  readinessChecks(ctx);
  jobChecks(ctx);
  sharedStateChecks(ctx);
  streamingChecks(ctx);
  jobRecoveryChecks(ctx);
  rollingRestartChecks(ctx);
  backupChecks(ctx);
  rotationChecks(ctx);
});
