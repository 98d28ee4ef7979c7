/**
 * CPU time and memory of a process, from /proc (Linux). CPU is utime + stime of all the
 * process's threads (the JS thread, libuv's pool and V8's GC helpers) in clock ticks; children
 * such as the embedded PostgreSQL are not included.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

/** `getconf CLK_TCK`, usually 100 (so CPU time has a 10 ms resolution: measure long windows). */
export function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** User + system CPU time of `pid` so far, in microseconds. */
export function readCpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state), so utime (14) and stime (15) are at 11 and 12.
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1_000_000) / clockTicksPerSecond();
}

function readStatusKb(pid: number, key: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status);
  return match ? Number(match[1]) : 0;
}

export function readRssBytes(pid: number): number {
  return readStatusKb(pid, 'VmRSS') * 1024;
}

/** The kernel's high-water mark of RSS since the process started. */
export function readPeakRssBytes(pid: number): number {
  return readStatusKb(pid, 'VmHWM') * 1024;
}

export interface RssSampler {
  /** Stop sampling; the largest VmRSS seen (bytes). */
  stop(): { peakBytes: number; samples: number };
}

/** Sample VmRSS every `intervalMs` (the kernel's VmHWM cannot be reset, so it cannot scope a window). */
export function sampleRss(pid: number, intervalMs = 100): RssSampler {
  let peakBytes = 0;
  let samples = 0;
  const take = () => {
    try {
      peakBytes = Math.max(peakBytes, readRssBytes(pid));
      samples += 1;
    } catch {
      // The process exited; keep what was seen.
    }
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return { peakBytes, samples };
    },
  };
}
