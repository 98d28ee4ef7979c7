/**
 * One registry of everything the bench started. Tasks run last-in first-out, once, whether the
 * bench finishes, throws, hits its time budget or gets Ctrl-C / SIGTERM. The `exit` hook can only
 * do synchronous work, so each task may also carry an `emergency` step (a plain SIGTERM to the
 * child's pid) for the paths where the async cleanup never ran.
 */
interface Task {
  label: string;
  run: () => Promise<void> | void;
  emergency?: () => void;
}

const tasks = new Map<number, Task>();
let nextId = 0;
let running: Promise<void> | undefined;
let installed = false;

/** Register a cleanup step; the returned function unregisters it (call it after a normal stop). */
export function onCleanup(label: string, run: Task['run'], emergency?: Task['emergency']): () => void {
  const id = nextId++;
  tasks.set(id, { label, run, ...(emergency ? { emergency } : {}) });
  return () => {
    tasks.delete(id);
  };
}

/** Run every registered task (newest first). Safe to call more than once. */
export function runCleanup(): Promise<void> {
  running ??= (async () => {
    const pending = [...tasks.entries()].reverse();
    for (const [id, task] of pending) {
      tasks.delete(id);
      try {
        await task.run();
      } catch (error) {
        process.stderr.write(`cleanup: ${task.label} failed: ${error instanceof Error ? error.message : String(error)}\n`);
      }
    }
  })();
  return running;
}

/** Install the signal and exit hooks once per process. */
export function installCleanupHooks(): void {
  if (installed) return;
  installed = true;
  let signalledAt: number | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalledAt !== undefined) {
      // A terminal's Ctrl-C reaches this process twice (directly and relayed by tsx): only a
      // second Ctrl-C pressed later means "stop waiting for the cleanup".
      if (Date.now() - signalledAt < 1_500) return;
      process.stderr.write(`\n${signal} again: exiting now\n`);
      process.exit(1);
    }
    signalledAt = Date.now();
    process.stderr.write(`\n${signal}: stopping everything the bench started…\n`);
    void runCleanup().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', () => {
    for (const task of tasks.values()) {
      try {
        task.emergency?.();
      } catch {
        // Best effort: the process is exiting.
      }
    }
  });
}
