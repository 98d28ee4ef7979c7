/**
 * Reads GET /api/events as the web app does: fetch with `Authorization: Bearer` (and
 * `Last-Event-ID` to resume), parsing the SSE wire format from the response body stream.
 */
export interface SseEvent {
  event: string;
  id: string | undefined;
  data: unknown;
}

export interface SseReader {
  status: number;
  contentType: string | null;
  events: SseEvent[];
  comments: string[];
  /** Everything received, as text (to search for secrets). */
  raw(): string;
  /** The first event (past or future) matching `match`; rejects after `timeoutMs`. */
  waitFor(match: (event: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  waitForComment(match: (comment: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Resolves when the server ended the stream. */
  ended: Promise<void>;
  close(): void;
}

export async function openEvents(baseUrl: string, token: string, lastEventId?: string): Promise<SseReader> {
  const controller = new AbortController();
  const response = await fetch(`${baseUrl}/api/events`, {
    headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream', ...(lastEventId ? { 'last-event-id': lastEventId } : {}) },
    signal: controller.signal,
  });
  const events: SseEvent[] = [];
  const comments: string[] = [];
  let text = '';
  let buffer = '';
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const waiter of waiters) waiter();
  };

  const parseBlock = (block: string) => {
    let event = 'message';
    let id: string | undefined;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) comments.push(line.slice(1).trim());
      else if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('id: ')) id = line.slice(4);
      else if (line.startsWith('data: ')) data.push(line.slice(6));
    }
    if (data.length > 0) events.push({ event, id, data: JSON.parse(data.join('\n')) as unknown });
  };

  const ended = (async () => {
    if (!response.body) return;
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        const chunk = decoder.decode(value, { stream: true });
        text += chunk;
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          parseBlock(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
        notify();
      }
    } catch {
      // Aborted by close().
    } finally {
      notify();
    }
  })();
  let isEnded = false;
  void ended.then(() => {
    isEnded = true;
    notify();
  });

  function waitUntil<T>(find: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = find();
        if (found !== undefined) {
          cleanup();
          resolve(found);
        } else if (isEnded) {
          cleanup();
          reject(new Error(`stream ended before ${what}; got ${JSON.stringify(events.map((e) => e.event))}`));
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no ${what} within ${timeoutMs} ms; got ${JSON.stringify(events.map((e) => e.event))}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });
  }

  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    events,
    comments,
    raw: () => text,
    waitFor: (match, timeoutMs = 5_000) => waitUntil(() => events.find(match), timeoutMs, 'matching event'),
    waitForComment: (match, timeoutMs = 5_000) => waitUntil(() => comments.find(match), timeoutMs, 'matching comment'),
    ended,
    close: () => controller.abort(),
  };
}
