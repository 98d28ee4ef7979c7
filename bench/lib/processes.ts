/**
 * Child processes for the bench: started in their own process group (so a terminal's Ctrl-C
 * reaches only the bench, which then stops them in order), optionally pinned to one core with
 * `taskset` (which execs, so the child's pid is the measured process itself), registered for
 * cleanup, and stopped with SIGTERM, then SIGKILL after a grace period.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { onCleanup } from './cleanup.js';

export interface ManagedProcess {
  label: string;
  pid: number;
  child: ChildProcess;
  exited: Promise<number | null>;
  /** SIGTERM, wait up to `graceMs`, then SIGKILL. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  label: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Pin to this core when taskset is available. */
  core?: number | undefined;
  /** Append stdout and stderr to this file, as a service manager would; otherwise pipe them. */
  logFile?: string;
  /** How long stop() waits after SIGTERM before SIGKILL. */
  graceMs?: number;
}

let tasksetChecked: boolean | undefined;

/** Cores of the machine (not of this process's affinity mask, which the bench narrows). */
export function machineCores(): number {
  return os.cpus().length;
}

/** taskset exists and there are at least 2 cores to split between load and gateway. */
export function canPinCores(): boolean {
  tasksetChecked ??= machineCores() >= 2 && spawnSync('taskset', ['-V'], { stdio: 'ignore' }).status === 0;
  return tasksetChecked;
}

/** Pin every thread of this process (and so the children it starts later) to `cores`. */
export function pinThisProcess(cores: string): boolean {
  if (!canPinCores()) return false;
  return spawnSync('taskset', ['-a', '-p', '-c', cores, String(process.pid)], { stdio: 'ignore' }).status === 0;
}

export function allCores(): string {
  return `0-${machineCores() - 1}`;
}

export function startProcess(options: StartOptions): ManagedProcess {
  const pinned = options.core !== undefined && canPinCores();
  const command = pinned ? 'taskset' : options.command;
  const args = pinned ? ['-c', String(options.core), options.command, ...options.args] : options.args;
  let logFd: number | undefined;
  if (options.logFile) logFd = openSync(options.logFile, 'a');
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true,
    // stdin stays a pipe: our own children exit when it closes (the bench died without cleanup).
    stdio: ['pipe', logFd ?? 'pipe', logFd ?? 'pipe'],
  });
  if (logFd !== undefined) closeSync(logFd);
  if (child.pid === undefined) throw new Error(`${options.label}: could not start ${options.command}`);
  const pid = child.pid;
  const exited = new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : null)));
  });
  child.on('error', () => undefined);
  child.stdin?.on('error', () => undefined);

  let stopping: Promise<void> | undefined;
  const stop = (graceMs = options.graceMs ?? 10_000): Promise<void> => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref());
        if ((await Promise.race([exited, timer])) === 'timeout') {
          process.stderr.write(`${options.label} (pid ${pid}) did not exit ${graceMs} ms after SIGTERM; sending SIGKILL\n`);
          child.kill('SIGKILL');
          await exited;
        }
      }
      unregister();
    })();
    return stopping;
  };
  const unregister = onCleanup(options.label, () => stop(), () => {
    if (child.exitCode === null) child.kill('SIGTERM');
  });
  return { label: options.label, pid, child, exited, stop };
}

/** A port that was free on 127.0.0.1 a moment ago (for programs that need PORT up front). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Resolve with the first JSON line on the child's stdout that has `key`, e.g. {"listening": url}. */
export function waitForJsonLine<T>(managed: ManagedProcess, key: string, timeoutMs = 20_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const stdout = managed.child.stdout;
    if (!stdout) return reject(new Error(`${managed.label}: stdout is not piped`));
    let buffered = '';
    let stderr = '';
    managed.child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    const timer = setTimeout(() => reject(new Error(`${managed.label}: no "${key}" line within ${timeoutMs} ms\n${stderr}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString();
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        try {
          const parsed = JSON.parse(line) as Record<string, unknown>;
          if (key in parsed) {
            clearTimeout(timer);
            stdout.off('data', onData);
            // Keep draining so the child never blocks on a full pipe.
            stdout.resume();
            return resolve(parsed as T);
          }
        } catch {
          // Not a JSON line.
        }
      }
    };
    stdout.on('data', onData);
    void managed.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${managed.label} exited (${code}) before it was ready\n${stderr}`));
    });
  });
}

/** Poll `url` until it answers with a status below 500. */
export async function waitForHttp(url: string, managed: ManagedProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void managed.exited.then(() => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${managed.label} exited before it answered on ${url}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.status < 500) return;
    } catch {
      // Not listening yet.
    }
    await sleep(200);
  }
  throw new Error(`${managed.label} did not answer on ${url} within ${timeoutMs} ms`);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
