/**
 * A preload for Switchboard that samples every allocation (including objects already collected)
 * while it serves, and writes a .heapprofile when it is stopped — where the bytes of a request
 * come from, which a CPU profile cannot show (GC time is the symptom, this is the cause):
 *
 *   mkdir -p bench/profiles
 *   BENCH_SWITCHBOARD_NODE_ARGS="--import=$PWD/bench/heap-sample.mjs" \
 *     npx tsx bench/run.ts --targets=switchboard --kinds=json --concurrency=100 --reps=1 --no-extras
 *   node bench/heap-summary.mjs bench/profiles/heap-*.heapprofile
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const out = path.join(path.dirname(fileURLToPath(import.meta.url)), 'profiles', `heap-${process.pid}.heapprofile`);
const session = new Session();
session.connect();
await session.post('HeapProfiler.enable');
await session.post('HeapProfiler.startSampling', { samplingInterval: 16_384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
process.once('SIGTERM', () => {
  void session.post('HeapProfiler.stopSampling').then(({ profile }) => writeFileSync(out, JSON.stringify(profile)));
});
