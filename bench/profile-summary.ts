/**
 * Where a Switchboard CPU profile spends its time: self time by module (npm package, node:
 * internal, dist/ file) and by function, over the window in which requests were being served
 * (from the first to the last sample inside `chatCompletions`, minus a warm-up), as a share of
 * busy (non-idle) time.
 *
 *   npm run bench -- --cpu-prof --targets=switchboard
 *   npx tsx bench/profile-summary.ts bench/profiles/CPU.*.cpuprofile [--skip-ms 3000] [--top 25]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { isMain } from './lib/is-main.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  windowSeconds: number;
  busyShare: number;
  byModule: Array<[string, number]>;
  byFunction: Array<[string, number]>;
  /** Self time of Node internals and natives charged to the nearest package or dist/ file up the stack: who caused it. */
  byOwner: Array<[string, number]>;
}

function moduleOf(frame: ProfileNode['callFrame']): string {
  const { url, functionName } = frame;
  if (!url) return functionName ? `(${functionName.replace(/[()]/g, '')})` : '(program)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg?.[1]) return pkg[1];
  if (url.startsWith('node:')) return url;
  return /\/(dist\/.*|src\/.*)$/.exec(url)?.[1] ?? url;
}

export function summariseProfile(profile: CpuProfile, options: { marker?: string; skipMs?: number; top?: number } = {}): ProfileSummary {
  const marker = options.marker ?? 'chatCompletions';
  const top = options.top ?? 25;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const hasMarker = (id: number) => {
    for (let current: number | undefined = id; current !== undefined; current = parents.get(current)) {
      if (nodes.get(current)?.callFrame.functionName === marker) return true;
    }
    return false;
  };

  const times: number[] = [];
  let clock = profile.startTime;
  for (const delta of profile.timeDeltas) times.push((clock += delta));
  let first: number | undefined;
  let last: number | undefined;
  profile.samples.forEach((id, index) => {
    if (!hasMarker(id)) return;
    first ??= times[index];
    last = times[index];
  });
  const from = (first ?? profile.startTime) + (options.skipMs ?? 3000) * 1000;
  const to = last ?? clock;

  const byModule = new Map<string, number>();
  const byFunction = new Map<string, number>();
  const byOwner = new Map<string, number>();
  /** The first frame up the stack in an npm package or in our code; GC, the idle loop and the like stand for themselves. */
  const ownerOf = (id: number): string => {
    for (let current: number | undefined = id; current !== undefined; current = parents.get(current)) {
      const frame = nodes.get(current)!.callFrame;
      if (/node_modules\/|\/(dist|src)\//.test(frame.url)) return moduleOf(frame);
    }
    const frame = nodes.get(id)!.callFrame;
    return frame.url ? '(node internals, no caller of ours)' : moduleOf(frame);
  };
  let total = 0;
  let idle = 0;
  profile.samples.forEach((id, index) => {
    const at = times[index]!;
    if (at < from || at > to) return;
    // A sample's duration is the gap to the next one.
    const duration = profile.timeDeltas[index + 1] ?? 0;
    const frame = nodes.get(id)!.callFrame;
    total += duration;
    if (frame.functionName === '(idle)') {
      idle += duration;
      return;
    }
    const module = moduleOf(frame);
    byModule.set(module, (byModule.get(module) ?? 0) + duration);
    const file = /node_modules\/(.*)$/.exec(frame.url)?.[1] ?? module;
    const name = `${frame.functionName || '(anonymous)'} ${file}:${frame.lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + duration);
    const owner = ownerOf(id);
    byOwner.set(owner, (byOwner.get(owner) ?? 0) + duration);
  });
  const busy = total - idle;
  const ranked = (map: Map<string, number>) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, value]): [string, number] => [name, busy > 0 ? value / busy : 0]);
  return { windowSeconds: (to - from) / 1e6, busyShare: total > 0 ? busy / total : 0, byModule: ranked(byModule), byFunction: ranked(byFunction), byOwner: ranked(byOwner) };
}

export function formatProfileSummary(summary: ProfileSummary): string {
  const lines = [`window ${summary.windowSeconds.toFixed(1)} s, busy ${(summary.busyShare * 100).toFixed(1)}%`, '', 'self time by module (% of busy time):'];
  for (const [name, share] of summary.byModule) lines.push(`  ${(share * 100).toFixed(1).padStart(5)}%  ${name}`);
  lines.push('', 'by owner (Node internals charged to the package or file that called them):');
  for (const [name, share] of summary.byOwner) lines.push(`  ${(share * 100).toFixed(1).padStart(5)}%  ${name}`);
  lines.push('', 'self time by function:');
  for (const [name, share] of summary.byFunction) lines.push(`  ${(share * 100).toFixed(1).padStart(5)}%  ${name}`);
  return lines.join('\n');
}

if (isMain(import.meta.url)) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { 'skip-ms': { type: 'string', default: '3000' }, top: { type: 'string', default: '25' }, marker: { type: 'string', default: 'chatCompletions' } },
  });
  for (const file of positionals) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    process.stdout.write(`${file}\n${formatProfileSummary(summariseProfile(profile, { marker: values.marker, skipMs: Number(values['skip-ms']), top: Number(values.top) }))}\n\n`);
  }
}
