/**
 * A stored video job as OpenAI's Video object (openai-node 6.49 `Video`: id, object "video",
 * model, status queued | in_progress | completed | failed, progress, created_at, completed_at,
 * expires_at, seconds, size, prompt, remixed_from_video_id, error {code, message}).
 */
import type { VideoJob } from './video-jobs.store.js';

export interface VideoObject {
  id: string;
  object: 'video';
  model: string;
  status: 'queued' | 'in_progress' | 'completed' | 'failed';
  progress: number;
  created_at: number;
  completed_at: number | null;
  expires_at: number | null;
  seconds: string;
  size: string;
  prompt: string;
  remixed_from_video_id: null;
  error: { code: string; message: string } | null;
}

/** OpenAI's defaults when a request leaves them out (4 seconds, 720x1280). */
const DEFAULT_SECONDS = '4';
const DEFAULT_SIZE = '720x1280';

export function toVideoObject(job: VideoJob): VideoObject {
  const status = job.status === 'running' ? 'in_progress' : job.status === 'cancelled' ? 'failed' : job.status;
  const seconds = job.result?.seconds !== undefined ? String(job.result.seconds) : (job.payload.request.seconds ?? DEFAULT_SECONDS);
  return {
    id: job.id,
    object: 'video',
    model: job.payload.requestedModel,
    status,
    progress: status === 'completed' ? 100 : job.progress,
    created_at: Math.floor(job.createdAt.getTime() / 1000),
    completed_at: job.result?.completedAt ?? null,
    expires_at: null,
    seconds,
    size: job.payload.request.size ?? DEFAULT_SIZE,
    prompt: job.payload.request.prompt,
    remixed_from_video_id: null,
    error: job.error ? { code: job.error.code, message: job.error.message } : null,
  };
}
