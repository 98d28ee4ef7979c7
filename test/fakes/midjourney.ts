/**
 * A fake Midjourney task API in the midjourney-proxy shape (github.com/novicezk/midjourney-proxy):
 *
 *   POST {submitPath} {prompt}   header mj-api-secret → {code: 1, description: "Submit success", result: <taskId>, properties}
 *                                (code 24 with a banned word, code 4 for an empty prompt: HTTP 200 both)
 *   GET  {fetchPath}  ({id})     → a Task: {id, action: "IMAGINE", status, progress: "0%".."100%", imageUrl, failReason, …}
 *   GET  /attachments/<id>.png   → the image (as Discord's CDN would serve it)
 *
 * A task moves NOT_START → SUBMITTED → IN_PROGRESS (progress rising) → SUCCESS over `pollsUntilDone`
 * fetches; a prompt containing "fail" ends in FAILURE with a failReason; "banned" is refused at submit;
 * "gone" succeeds with an imageUrl that answers 404.
 * A wrong secret gets midjourney-proxy's 401. Checked against midjourney-proxy's API docs
 * (SubmitResultVO, Task, TaskStatus) and published clients of it.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { sendPng } from './fake-image.js';
import { randomId, sendJson, startFakeServer } from './fake-server.js';
import type { FakeExchange, RecordedRequest } from './fake-server.js';

export interface FakeMidjourneyOptions {
  secrets: readonly string[];
  submitPath?: string;
  /** With `{id}`. */
  fetchPath?: string;
  /** Fetches until a task is finished (default 3). */
  pollsUntilDone?: number;
  port?: number;
}

export interface FakeMidjourney {
  baseUrl: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

interface Task {
  id: string;
  prompt: string;
  polls: number;
  submitTime: number;
}

const readSecret = (headers: IncomingHttpHeaders): string | undefined => {
  const value = headers['mj-api-secret'];
  return typeof value === 'string' ? value : undefined;
};

export async function startFakeMidjourney(options: FakeMidjourneyOptions): Promise<FakeMidjourney> {
  const tasks = new Map<string, Task>();
  let origin = '';
  const server = await startFakeServer({ port: options.port, readCredential: readSecret, handle: async (exchange) => handle(exchange, options, tasks, origin) });
  origin = server.origin;
  return { baseUrl: server.origin, requests: server.requests, close: server.close };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function handle({ request, res }: FakeExchange, options: FakeMidjourneyOptions, tasks: Map<string, Task>, origin: string): Promise<void> {
  const submitPath = options.submitPath ?? '/mj/submit/imagine';
  const fetchPattern = new RegExp(`^${escapeRegExp(options.fetchPath ?? '/mj/task/{id}/fetch').replace('\\{id\\}', '([^/]+)')}$`);
  const attachment = /^\/attachments\/(\d+)\.png$/.exec(request.path);
  if (request.method === 'GET' && attachment?.[1] && tasks.has(attachment[1])) return sendPng(res);
  if (request.method === 'GET' && request.path.startsWith('/attachments/')) {
    res.writeHead(404, { 'content-type': 'text/html' });
    res.end('<html><body>404: Not Found</body></html>');
    return;
  }
  if (!request.credential || !options.secrets.includes(request.credential)) {
    return sendJson(res, 401, { timestamp: new Date().toISOString(), status: 401, error: 'Unauthorized', path: request.path });
  }
  if (request.method === 'POST' && request.path === submitPath) {
    const prompt = (request.body as { prompt?: unknown } | undefined)?.prompt;
    if (typeof prompt !== 'string' || prompt.trim() === '') return sendJson(res, 200, { code: 4, description: 'prompt不能为空', result: null, properties: {} });
    if (/banned/i.test(prompt)) return sendJson(res, 200, { code: 24, description: '可能包含敏感词', result: null, properties: { promptEn: prompt, bannedWord: 'banned' } });
    const id = `${Date.now()}${randomId(6, '0123456789')}`;
    tasks.set(id, { id, prompt, polls: 0, submitTime: Date.now() });
    return sendJson(res, 200, { code: 1, description: 'Submit success', result: id, properties: { discordInstanceId: '1118138338562560102' } });
  }
  const fetch = fetchPattern.exec(request.path);
  if (request.method === 'GET' && fetch?.[1]) {
    const task = tasks.get(decodeURIComponent(fetch[1]));
    if (!task) return sendJson(res, 404, { timestamp: new Date().toISOString(), status: 404, error: 'Not Found', path: request.path });
    task.polls += 1;
    const total = options.pollsUntilDone ?? 3;
    const failed = /fail/i.test(task.prompt);
    const finished = task.polls >= total;
    const status = finished ? (failed ? 'FAILURE' : 'SUCCESS') : task.polls === 1 ? 'SUBMITTED' : 'IN_PROGRESS';
    const progress = finished ? (failed ? '0%' : '100%') : `${Math.round((100 * (task.polls - 1)) / total)}%`;
    return sendJson(res, 200, {
      id: task.id,
      action: 'IMAGINE',
      prompt: task.prompt,
      promptEn: task.prompt,
      description: '/imagine ' + task.prompt,
      state: null,
      submitTime: task.submitTime,
      startTime: task.submitTime + 10,
      finishTime: finished ? Date.now() : null,
      imageUrl: finished && !failed ? `${origin}/attachments/${/gone/i.test(task.prompt) ? 'expired-' : ''}${task.id}.png` : null,
      status,
      progress,
      failReason: finished && failed ? 'Job failed: the prompt could not be rendered' : null,
      properties: { finalPrompt: task.prompt },
    });
  }
  return sendJson(res, 404, { timestamp: new Date().toISOString(), status: 404, error: 'Not Found', path: request.path });
}
