/**
 * Memory with many concurrent streams: the mock is switched to slow streams (one chunk every
 * 500 ms, ~10 s each), 1,000 streaming requests are opened at once through Switchboard with
 * undici, the gateway's RSS is sampled every 100 ms while they are open, and every stream must
 * end with `data: [DONE]`. The check also reports how many streams were really open at the same
 * time, at the client and at the upstream, since a connection cap anywhere in between would make
 * the memory figure describe fewer streams than asked for.
 *
 *   npx tsx bench/stream-memory.ts [--streams 1000]   (starts its own mock and Switchboard)
 */
import { spawnSync } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';
import { isMain } from './lib/is-main.js';
import { readRssBytes, sampleRss } from './lib/proc-stats.js';
import { withStandaloneSwitchboard } from './lib/standalone.js';
import type { MockProcess, Target } from './lib/targets.js';
import { chatRequestBody } from './lib/workload.js';

export const STREAM_RSS_TARGET_MB = 200;

export interface StreamMemorySpec {
  target: Target;
  mock: MockProcess;
  streams: number;
  chunks: number;
  intervalMs: number;
}

export interface StreamMemoryResult {
  streams: number;
  completed: number;
  failed: number;
  /** Most streams that had delivered their first event and not yet ended, at one moment. */
  peakOpenAtClient: number;
  /** Most streams the mock upstream was serving at one moment. */
  peakOpenAtUpstream: number;
  baselineRssMb: number;
  peakRssMb: number;
  seconds: number;
  fileLimit: number | undefined;
  pass: boolean;
}

function openFileLimit(): number | undefined {
  const result = spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' });
  const value = Number(result.stdout.trim());
  return Number.isFinite(value) ? value : undefined;
}

export async function measureStreamMemory(spec: StreamMemorySpec): Promise<StreamMemoryResult> {
  const { target, mock, streams } = spec;
  const fileLimit = openFileLimit();
  // Each stream holds a client socket in this process and a client plus an upstream socket in the gateway.
  if (fileLimit !== undefined && fileLimit < 2 * streams + 256) {
    process.stderr.write(`warning: ulimit -n is ${fileLimit}; ${streams} streams need about ${2 * streams + 256} (raise it with ulimit -n)\n`);
  }
  const streamMs = spec.intervalMs * (spec.chunks - 1);
  const previous = await mock.settings();
  await mock.settings({ delayMs: streamMs, chunks: spec.chunks, pacing: 'paced' });
  await mock.stats({ resetPeak: true });

  const timeoutMs = Math.max(60_000, 8 * streamMs);
  const agent = new Agent({ connections: streams, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  const abort = new AbortController();
  setMaxListeners(streams + 10, abort.signal);
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  const body = chatRequestBody(target.model, 'stream');
  let open = 0;
  let peakOpen = 0;

  const one = async (): Promise<boolean> => {
    const response = await request(target.url, { method: 'POST', headers: target.headers, body, dispatcher: agent, signal: abort.signal });
    let started = false;
    let tail = '';
    try {
      for await (const chunk of response.body) {
        const text = (chunk as Buffer).toString('utf8');
        if (!started && text.includes('data:')) {
          started = true;
          open += 1;
          peakOpen = Math.max(peakOpen, open);
        }
        tail = (tail + text).slice(-64);
      }
    } finally {
      if (started) open -= 1;
    }
    return response.statusCode === 200 && tail.includes('data: [DONE]');
  };

  const baselineRssMb = readRssBytes(target.pid) / 1024 / 1024;
  const rss = sampleRss(target.pid, 100);
  const began = performance.now();
  const outcomes = await Promise.allSettled(Array.from({ length: streams }, one));
  const seconds = (performance.now() - began) / 1000;
  const peakRssMb = rss.stop().peakBytes / 1024 / 1024;
  clearTimeout(timer);
  await agent.close();
  const upstream = await mock.stats();
  await mock.settings(previous);

  const completed = outcomes.filter((outcome) => outcome.status === 'fulfilled' && outcome.value).length;
  return {
    streams,
    completed,
    failed: streams - completed,
    peakOpenAtClient: peakOpen,
    peakOpenAtUpstream: upstream.peakOpenStreams,
    baselineRssMb,
    peakRssMb,
    seconds,
    fileLimit,
    pass: completed === streams && peakOpen === streams && peakRssMb <= STREAM_RSS_TARGET_MB,
  };
}

export function describeStreamMemory(result: StreamMemoryResult): string {
  const lines = [
    `${result.pass ? 'PASS' : 'FAIL'}  RSS with ${result.streams} concurrent streams: peak ${result.peakRssMb.toFixed(1)} MB ` +
      `(idle before: ${result.baselineRssMb.toFixed(1)} MB; target ≤ ${STREAM_RSS_TARGET_MB} MB)`,
    `      completed ${result.completed}/${result.streams} in ${result.seconds.toFixed(1)} s; open at once: ${result.peakOpenAtClient} at the client, ` +
      `${result.peakOpenAtUpstream} at the upstream`,
  ];
  if (result.peakOpenAtClient < result.streams) {
    lines.push(`      only ${result.peakOpenAtClient} of ${result.streams} streams were open at the same time: the gateway queued the rest`);
  }
  return lines.join('\n');
}

if (isMain(import.meta.url)) {
  const { values } = parseArgs({ options: { streams: { type: 'string', default: '1000' } } });
  await withStandaloneSwitchboard(async ({ switchboard, mock }) => {
    const result = await measureStreamMemory({ target: switchboard, mock, streams: Number(values.streams), chunks: 20, intervalMs: 500 });
    process.stdout.write(`${describeStreamMemory(result)}\n`);
    process.exitCode = result.pass ? 0 : 1;
  });
}
