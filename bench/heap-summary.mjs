/**
 * Bytes allocated, from a sampled heap profile (bench/heap-sample.mjs): by the first frame in our
 * own dist/ code (who asked for it) and by allocation site with its callers.
 *
 *   node bench/heap-summary.mjs bench/profiles/heap-<pid>.heapprofile [top]
 */
import { readFileSync } from 'node:fs';

const [file, topText = '25'] = process.argv.slice(2);
const top = Number(topText);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const bySite = new Map();
const byOwner = new Map();
let total = 0;
const frameOf = (callFrame) => {
  const where = callFrame.url.replace(/^.*\/(node_modules\/(@[^/]+\/)?[^/]+|dist\/.*)$/, '$1') || callFrame.functionName;
  return `${callFrame.functionName || '(anon)'} ${where}:${callFrame.lineNumber}`;
};
const walk = (node, stack) => {
  const here = frameOf(node.callFrame);
  const frames = [here, ...stack];
  if (node.selfSize) {
    total += node.selfSize;
    const site = frames.slice(0, 4).join(' < ');
    bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize);
    const owner = frames.find((frame) => frame.includes(' dist/')) ?? here;
    byOwner.set(owner, (byOwner.get(owner) ?? 0) + node.selfSize);
  }
  for (const child of node.children ?? []) walk(child, frames);
};
walk(profile.head, []);
const print = (title, map) => {
  console.log(`--- ${title}`);
  for (const [key, bytes] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${((100 * bytes) / total).toFixed(1).padStart(5)}%  ${key}`);
};
console.log(`sampled allocations: ${(total / 1e6).toFixed(1)} MB`);
print('by the first frame in dist/', byOwner);
print('by site', bySite);
