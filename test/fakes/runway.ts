/**
 * A fake RunwayML API speaking the task wire format of Runway's official Node SDK
 * (github.com/runwayml/sdk-node src/resources/{text-to-video,image-to-video,tasks}.ts) and
 * docs.dev.runwayml.com:
 * - `POST /v1/text_to_video` {model, promptText, ratio, duration} and `POST /v1/image_to_video`
 *   (+ promptImage) → `{id}` (a UUID);
 * - `GET /v1/tasks/{id}` → {id, createdAt, status}: PENDING on the first poll, then RUNNING with
 *   `progress` 0–1 rising, then SUCCEEDED with `output: [url]` — or FAILED with `failure` and
 *   `failureCode` "SAFETY.INPUT.TEXT" for prompts containing "FAIL";
 * - every API call needs `Authorization: Bearer <key>` and `X-Runway-Version: 2024-11-06`;
 *   errors are `{"error": "…"}` (400 with `issues` for validation, 401 for a bad key, 404);
 * - output URLs (`/outputs/{id}.mp4`) are pre-signed: served without authentication.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { sendJson, startFakeServer, type FakeExchange, type RecordedRequest } from './fake-server.js';
import { fakeVideoBytes } from './openai-videos.js';

export interface FakeRunwayTask {
  id: string;
  kind: 'text_to_video' | 'image_to_video';
  body: Record<string, unknown>;
  createdAt: string;
  polls: number;
  fails: boolean;
}

export interface FakeRunway {
  baseUrl: string;
  requests: RecordedRequest[];
  tasks: Map<string, FakeRunwayTask>;
  close(): Promise<void>;
}

const readBearer = (headers: IncomingHttpHeaders) => /^Bearer\s+(.+)$/i.exec(headers.authorization ?? '')?.[1]?.trim();

export async function startFakeRunway(options: { keys: readonly string[]; pollsToComplete?: number; port?: number }): Promise<FakeRunway> {
  const tasks = new Map<string, FakeRunwayTask>();
  const pollsToComplete = options.pollsToComplete ?? 4;
  let origin = '';

  const handle = async ({ request, res }: FakeExchange): Promise<void> => {
    const output = /^\/outputs\/([^/]+)\.mp4$/.exec(request.path);
    if (request.method === 'GET' && output) {
      const bytes = fakeVideoBytes(output[1]!);
      res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(bytes.length) });
      res.end(bytes);
      return;
    }
    if (!request.credential || !options.keys.includes(request.credential)) {
      sendJson(res, 401, { error: 'Invalid API key. Make sure the API key is correct and has not been disabled.' });
      return;
    }
    if (request.headers['x-runway-version'] !== '2024-11-06') {
      sendJson(res, 400, { error: 'The X-Runway-Version header is missing or invalid. Use 2024-11-06.' });
      return;
    }
    const create = /^\/v1\/(text_to_video|image_to_video)$/.exec(request.path);
    if (request.method === 'POST' && create) {
      const body = request.body as Record<string, unknown> | undefined;
      const issues: string[] = [];
      if (typeof body?.promptText !== 'string' || body.promptText === '') issues.push('promptText: Required');
      if (typeof body?.model !== 'string') issues.push('model: Required');
      if (typeof body?.ratio !== 'string' || !/^\d+:\d+$/.test(body.ratio)) issues.push('ratio: Invalid enum value');
      if (!Number.isInteger(body?.duration) || (body!.duration as number) < 2 || (body!.duration as number) > 10) issues.push('duration: Number must be between 2 and 10');
      if (create[1] === 'image_to_video' && typeof body?.promptImage !== 'string') issues.push('promptImage: Required');
      if (issues.length > 0) {
        sendJson(res, 400, { error: 'Validation of body failed', issues: issues.map((message) => ({ message })) });
        return;
      }
      const task: FakeRunwayTask = {
        id: randomUUID(),
        kind: create[1] as FakeRunwayTask['kind'],
        body: body!,
        createdAt: new Date().toISOString(),
        polls: 0,
        fails: (body!.promptText as string).includes('FAIL'),
      };
      tasks.set(task.id, task);
      sendJson(res, 200, { id: task.id });
      return;
    }
    const poll = /^\/v1\/tasks\/([^/]+)$/.exec(request.path);
    if (request.method === 'GET' && poll) {
      const task = tasks.get(decodeURIComponent(poll[1]!));
      if (!task) {
        sendJson(res, 404, { error: 'Task not found.' });
        return;
      }
      task.polls += 1;
      const base = { id: task.id, createdAt: task.createdAt };
      if (task.polls === 1) sendJson(res, 200, { ...base, status: 'PENDING' });
      else if (task.polls < pollsToComplete) sendJson(res, 200, { ...base, status: 'RUNNING', progress: (task.polls - 1) / pollsToComplete });
      else if (task.fails) sendJson(res, 200, { ...base, status: 'FAILED', failure: 'The input text was flagged by content moderation.', failureCode: 'SAFETY.INPUT.TEXT' });
      else sendJson(res, 200, { ...base, status: 'SUCCEEDED', output: [`${origin}/outputs/${task.id}.mp4`] });
      return;
    }
    sendJson(res, 404, { error: `Not found: ${request.method} ${request.path}` });
  };

  const server = await startFakeServer({ port: options.port, readCredential: readBearer, handle });
  origin = server.origin;
  return { baseUrl: server.origin, requests: server.requests, tasks, close: server.close };
}
