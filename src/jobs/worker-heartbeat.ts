/**
 * Worker heartbeat, for GET /api/admin/health: every process that consumes jobs writes
 * `<worker id> → now (epoch ms)` into the Redis hash `switchboard:workers` every HEARTBEAT_MS (one
 * HSET). The health view lists the beats and calls a worker alive when its last beat is younger
 * than STALE_MS; beats older than a day are pruned. Without Redis, `serve` runs the jobs itself
 * and reports its own in-process beat.
 */
import { hostname } from 'node:os';
import type { RedisConnections } from '../platform/redis.js';

export const WORKERS_KEY = 'switchboard:workers';
export const HEARTBEAT_MS = 10_000;
export const STALE_MS = 3 * HEARTBEAT_MS;
const PRUNE_MS = 24 * 3600 * 1000;

export interface WorkerBeat {
  id: string;
  last_beat_at: string;
  alive: boolean;
}

let localBeat: number | undefined;
const workerId = `${hostname()}:${process.pid}`;

/** Starts beating; returns the stop function. */
export function startWorkerHeartbeat(redis: RedisConnections | undefined): () => void {
  const beat = () => {
    localBeat = Date.now();
    // Redis runs with noeviction: the hash expires a day after the last beat of any worker (OPS.md 4.5).
    redis?.client
      .multi()
      .hset(WORKERS_KEY, workerId, String(localBeat))
      .pexpire(WORKERS_KEY, PRUNE_MS)
      .exec()
      .catch(() => undefined);
  };
  beat();
  const timer = setInterval(beat, HEARTBEAT_MS);
  timer.unref();
  return () => {
    clearInterval(timer);
    redis?.client.hdel(WORKERS_KEY, workerId).catch(() => undefined);
    localBeat = undefined;
  };
}

export async function readWorkerBeats(redis: RedisConnections | undefined, now = Date.now()): Promise<WorkerBeat[]> {
  const view = (id: string, at: number): WorkerBeat => ({ id, last_beat_at: new Date(at).toISOString(), alive: now - at < STALE_MS });
  if (!redis) return localBeat === undefined ? [] : [view(workerId, localBeat)];
  const all = await redis.client.hgetall(WORKERS_KEY);
  const beats: WorkerBeat[] = [];
  for (const [id, raw] of Object.entries(all)) {
    const at = Number(raw);
    if (!Number.isFinite(at) || now - at > PRUNE_MS) {
      redis.client.hdel(WORKERS_KEY, id).catch(() => undefined);
      continue;
    }
    beats.push(view(id, at));
  }
  return beats.sort((a, b) => a.id.localeCompare(b.id));
}
