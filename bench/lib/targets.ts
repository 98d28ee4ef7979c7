/**
 * What the bench measures: a target is a running process serving an OpenAI-compatible
 * `POST …/chat/completions`, with the headers and model name it needs. Also the two bench-owned
 * processes: the mock upstream and the bare proxy.
 */
import { Agent, request } from 'undici';
import type { MockSettings } from '../mock-upstream.js';
import { startProcess, waitForJsonLine, type ManagedProcess } from './processes.js';
import { chatRequestBody } from './workload.js';

/** `switchboard-nometrics`: the same Switchboard with SWITCHBOARD_METRICS=false (OPS.md check 21). */
export type TargetName = 'bare' | 'switchboard' | 'switchboard-nometrics' | 'portkey';

export interface Target {
  name: TargetName;
  label: string;
  /** Full URL of the chat completions endpoint. */
  url: string;
  headers: Record<string, string>;
  model: string;
  /** The gateway process whose CPU and RSS are measured. */
  pid: number;
  stop(): Promise<void>;
}

/** What every gateway forwards to the mock as the caller's provider key. */
export const BENCH_PROVIDER_KEY = 'sk-bench-0000000000000000000000000000000000000000';

export interface MockProcess {
  url: string;
  pid: number;
  settings(patch?: Partial<MockSettings>): Promise<MockSettings>;
  stats(options?: { resetPeak?: boolean }): Promise<{ requests: number; openStreams: number; peakOpenStreams: number }>;
  stop(): Promise<void>;
}

export async function startMock(script: string, settings: MockSettings, core: number | undefined): Promise<MockProcess> {
  const managed = startProcess({
    label: 'mock upstream',
    command: process.execPath,
    args: [script, '--delay-ms', String(settings.delayMs), '--chunks', String(settings.chunks), '--pacing', settings.pacing, '--exit-with-stdin'],
    core,
  });
  const { listening } = await waitForJsonLine<{ listening: string }>(managed, 'listening');
  const admin = async <T>(path: string, method: 'GET' | 'PUT' | 'DELETE', body?: unknown): Promise<T> => {
    const response = await fetch(`${listening}${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return (await response.json()) as T;
  };
  return {
    url: listening,
    pid: managed.pid,
    settings: (patch) => admin('/_mock/settings', patch ? 'PUT' : 'GET', patch),
    stats: (options) => admin('/_mock/stats', options?.resetPeak ? 'DELETE' : 'GET'),
    stop: () => managed.stop(),
  };
}

export async function startBare(script: string, mockUrl: string, core: number | undefined, cpuProfileDir?: string): Promise<Target> {
  const profiling = cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`] : [];
  const managed: ManagedProcess = startProcess({
    label: 'bare proxy',
    command: process.execPath,
    args: [...profiling, script, '--upstream', mockUrl, '--exit-with-stdin'],
    core,
  });
  const { listening } = await waitForJsonLine<{ listening: string }>(managed, 'listening');
  return {
    name: 'bare',
    // BENCH_BARE_BURN_US (bare-proxy.ts): said in the table, so a spinning baseline is never read as the real one.
    label: process.env.BENCH_BARE_BURN_US ? `bare proxy (undici) + ${process.env.BENCH_BARE_BURN_US} µs spin` : 'bare proxy (undici)',
    url: `${listening}/v1/chat/completions`,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_PROVIDER_KEY}` },
    model: 'gpt-4o-mini',
    pid: managed.pid,
    stop: () => managed.stop(),
  };
}

/**
 * One JSON call and one stream through the target before measuring: a target that answers
 * wrongly fails loudly here instead of producing a fast table of errors.
 */
export async function checkTarget(target: Target): Promise<void> {
  const agent = new Agent();
  try {
    for (const kind of ['json', 'stream'] as const) {
      const response = await request(target.url, {
        method: 'POST',
        headers: target.headers,
        body: chatRequestBody(target.model, kind),
        dispatcher: agent,
      });
      const text = await response.body.text();
      const ok =
        response.statusCode === 200 &&
        (kind === 'json' ? /"usage":\{"prompt_tokens":\d+/.test(text.replace(/\s/g, '')) : text.includes('data: [DONE]') && text.includes('"usage":{'));
      if (!ok) throw new Error(`${target.label}: ${kind} check failed (HTTP ${response.statusCode}): ${text.slice(0, 500)}`);
    }
  } finally {
    await agent.close();
  }
}
