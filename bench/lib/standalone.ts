/**
 * For the extra checks run on their own (`npx tsx bench/db-queries.ts`): the same setup as the
 * full bench (mock and load on core 0, Switchboard on core 1 when taskset is available), torn
 * down on return, error or Ctrl-C.
 */
import { defaultMockSettings } from '../mock-upstream.js';
import { buildChildScripts } from './build-children.js';
import { installCleanupHooks, runCleanup } from './cleanup.js';
import { pinThisProcess } from './processes.js';
import { startSwitchboard, type SwitchboardTarget } from './switchboard.js';
import { startMock, type MockProcess } from './targets.js';

export async function withStandaloneSwitchboard(fn: (env: { switchboard: SwitchboardTarget; mock: MockProcess }) => Promise<void>): Promise<void> {
  installCleanupHooks();
  try {
    const scripts = buildChildScripts();
    const pinned = pinThisProcess('0');
    const core = (n: number) => (pinned ? n : undefined);
    const mock = await startMock(scripts.mock, defaultMockSettings, core(0));
    const switchboard = await startSwitchboard({ mockUrl: mock.url, core: core(1) });
    await fn({ switchboard, mock });
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  } finally {
    await runCleanup();
  }
}
