/**
 * A fake of OpenAI's video API (Sora), speaking the real wire format as the openai-node 6.49
 * `videos` resource uses it (node_modules/openai/resources/videos.{js,d.ts}):
 * - `POST /v1/videos`, multipart/form-data (prompt, model, seconds, size) → the Video object
 *   {id "video_…", object "video", model, status "queued", progress 0, created_at, completed_at null,
 *   expires_at null, seconds "4", size "720x1280", prompt, remixed_from_video_id null, error null};
 * - `GET /v1/videos/{id}` → the Video object, advancing one step per poll: queued → in_progress
 *   (progress rising) → completed (or failed with error {code, message} for prompts containing
 *   "FAIL");
 * - `GET /v1/videos/{id}/content` → `video/mp4` bytes once completed;
 * - errors as `{"error":{message,type,param,code}}` (401 invalid_api_key, 404, 400).
 * Also serves any OpenAI-compatible custom video API in tests (same shape).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { randomId, sendJson, startFakeServer, type FakeExchange, type RecordedRequest } from './fake-server.js';

export interface FakeVideoTask {
  id: string;
  model: string;
  prompt: string;
  seconds: string;
  size: string;
  createdAt: number;
  polls: number;
  fails: boolean;
}

export interface FakeOpenAIVideos {
  baseUrl: string;
  requests: RecordedRequest[];
  tasks: Map<string, FakeVideoTask>;
  close(): Promise<void>;
}

export interface FakeOpenAIVideosOptions {
  keys: readonly string[];
  /** Polls until a task is completed (default 3). */
  pollsToComplete?: number;
  /** Poll numbers (1-based, per task) answered with OpenAI's 500 server_error instead. */
  failingPolls?: readonly number[];
  port?: number;
}

/** The bytes served as a video: a recognisable MP4 `ftyp` box plus the id. */
export function fakeVideoBytes(id: string): Buffer {
  return Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from(`ftypmp42fake-video:${id}`)]);
}

const readBearer = (headers: IncomingHttpHeaders) => /^Bearer\s+(.+)$/i.exec(headers.authorization ?? '')?.[1]?.trim();

/** Text fields of a multipart/form-data body (what the SDK's FormData encoding sends). */
export function parseMultipartFields(raw: string, contentType: string | undefined): Record<string, string> | undefined {
  const boundary = /boundary=("?)([^";]+)\1/i.exec(contentType ?? '')?.[2];
  if (!boundary) return undefined;
  const fields: Record<string, string> = {};
  for (const part of raw.split(`--${boundary}`)) {
    const match = /^\r\nContent-Disposition: form-data; name="([^"]+)"(?:; filename="[^"]*")?\r\n(?:[^\r\n]+\r\n)*\r\n([\s\S]*)\r\n$/i.exec(part);
    if (match) fields[match[1]!] = match[2]!;
  }
  return fields;
}

const openAIError = (message: string, type: string, code: string | null, param: string | null = null) => ({ error: { message, type, param, code } });

function videoObject(task: FakeVideoTask, pollsToComplete: number) {
  const done = task.polls >= pollsToComplete;
  const status = task.polls === 0 ? 'queued' : done ? (task.fails ? 'failed' : 'completed') : 'in_progress';
  return {
    id: task.id,
    object: 'video',
    model: task.model,
    status,
    progress: status === 'completed' ? 100 : status === 'in_progress' ? Math.round((task.polls / pollsToComplete) * 100) : 0,
    created_at: task.createdAt,
    completed_at: status === 'completed' ? Math.floor(Date.now() / 1000) : null,
    expires_at: status === 'completed' ? Math.floor(Date.now() / 1000) + 3600 : null,
    seconds: task.seconds,
    size: task.size,
    prompt: task.prompt,
    remixed_from_video_id: null,
    error: status === 'failed' ? { code: 'moderation_blocked', message: 'Your request was blocked by our moderation system.' } : null,
  };
}

export async function startFakeOpenAIVideos(options: FakeOpenAIVideosOptions): Promise<FakeOpenAIVideos> {
  const tasks = new Map<string, FakeVideoTask>();
  const refusedOnce = new Set<string>();
  const pollsToComplete = options.pollsToComplete ?? 3;

  const handle = async ({ request, res }: FakeExchange): Promise<void> => {
    if (!request.credential || !options.keys.includes(request.credential)) {
      sendJson(res, 401, openAIError(`Incorrect API key provided: ${(request.credential ?? '').slice(0, 3)}***. You can find your API key at https://platform.openai.com/account/api-keys.`, 'invalid_request_error', 'invalid_api_key'));
      return;
    }
    if (request.method === 'POST' && request.path === '/v1/videos') {
      const fields = parseMultipartFields(request.rawBody, request.headers['content-type']) ?? (request.body as Record<string, string> | undefined);
      if (!fields || typeof fields.prompt !== 'string' || fields.prompt === '') {
        sendJson(res, 400, openAIError("Missing required parameter: 'prompt'.", 'invalid_request_error', 'missing_required_parameter', 'prompt'));
        return;
      }
      // A prompt containing RATE_LIMITED_ONCE is refused once with OpenAI's 429 (the task is not created).
      if (fields.prompt.includes('RATE_LIMITED_ONCE') && !refusedOnce.has(fields.prompt)) {
        refusedOnce.add(fields.prompt);
        sendJson(res, 429, openAIError('Rate limit reached for sora-2 in organization org-fake on requests per min (RPM): Limit 2, Used 2, Requested 1. Please try again in 1s.', 'requests', 'rate_limit_exceeded'), { 'retry-after': '1' });
        return;
      }
      const seconds = fields.seconds ?? '4';
      if (!['4', '8', '12'].includes(seconds)) {
        sendJson(res, 400, openAIError(`Invalid value: '${seconds}'. Supported values are: '4', '8', and '12'.`, 'invalid_request_error', 'invalid_value', 'seconds'));
        return;
      }
      const task: FakeVideoTask = {
        id: `video_${randomId(32, '0123456789abcdef')}`,
        model: fields.model ?? 'sora-2',
        prompt: fields.prompt,
        seconds,
        size: fields.size ?? '720x1280',
        createdAt: Math.floor(Date.now() / 1000),
        polls: 0,
        fails: fields.prompt.includes('FAIL'),
      };
      tasks.set(task.id, task);
      sendJson(res, 200, videoObject(task, pollsToComplete));
      return;
    }
    const match = /^\/v1\/videos\/([^/]+)(\/content)?$/.exec(request.path);
    const task = match ? tasks.get(decodeURIComponent(match[1]!)) : undefined;
    if (request.method === 'GET' && match && !task) {
      sendJson(res, 404, openAIError(`Video with id '${match[1]}' not found.`, 'invalid_request_error', null, 'video_id'));
      return;
    }
    if (request.method === 'GET' && task && !match![2]) {
      task.polls += 1;
      if (options.failingPolls?.includes(task.polls)) {
        sendJson(res, 500, openAIError('The server had an error while processing your request. Sorry about that!', 'server_error', null));
        return;
      }
      sendJson(res, 200, videoObject(task, pollsToComplete));
      return;
    }
    if (request.method === 'GET' && task && match![2]) {
      if (task.polls < pollsToComplete || task.fails) {
        sendJson(res, 404, openAIError('Video is not ready yet, use GET /v1/videos/{video_id} to check status.', 'invalid_request_error', null));
        return;
      }
      const bytes = fakeVideoBytes(task.id);
      res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(bytes.length) });
      res.end(bytes);
      return;
    }
    sendJson(res, 404, openAIError(`Invalid URL (${request.method} ${request.path})`, 'invalid_request_error', null));
  };

  const server = await startFakeServer({ port: options.port, readCredential: readBearer, handle });
  return { baseUrl: `${server.origin}/v1`, requests: server.requests, tasks, close: server.close };
}
