/** What the numbers were measured on, for the results header. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { rootDir } from './paths.js';
import { clockTicksPerSecond, readCpuMicros } from './proc-stats.js';

export interface MachineInfo {
  date: string;
  node: string;
  cpuModel: string;
  cores: number;
  memoryGb: number;
  kernel: string;
  commit: string | undefined;
  /** Cores kept busy by other processes just before the bench started (other work skews every number). */
  otherBusyCoresAtStart: number;
}

function busyTicks(): number {
  const fields = (/^cpu\s+(.+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1] ?? '').split(/\s+/).map(Number);
  // user nice system idle iowait irq softirq steal …: idle, iowait and steal are not work done here.
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0] = fields;
  return user + nice + system + irq + softirq;
}

/**
 * CPU used by everything but this process over `ms`, in cores. Call before starting anything.
 * (The load average would count the `npm run build` that precedes every run.)
 */
export async function otherBusyCores(ms = 1_000): Promise<number> {
  try {
    const ownBefore = readCpuMicros(process.pid);
    const before = busyTicks();
    await new Promise((resolve) => setTimeout(resolve, ms));
    const systemMicros = ((busyTicks() - before) * 1_000_000) / clockTicksPerSecond();
    return Math.max(0, systemMicros - (readCpuMicros(process.pid) - ownBefore)) / (ms * 1_000);
  } catch {
    return 0;
  }
}

function cpuModel(): string {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (match?.[1]) return match[1].trim();
  } catch {
    // Not Linux.
  }
  return os.cpus()[0]?.model ?? 'unknown';
}

function gitCommit(): string | undefined {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: rootDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: rootDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return dirty ? `${head} (src/ modified)` : head;
  } catch {
    return undefined;
  }
}

export function machineInfo(otherBusyCoresAtStart: number): MachineInfo {
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpuModel: cpuModel(),
    cores: os.cpus().length,
    memoryGb: Math.round(os.totalmem() / 1024 ** 3),
    kernel: `${os.type()} ${os.release()}`,
    commit: gitCommit(),
    otherBusyCoresAtStart,
  };
}
