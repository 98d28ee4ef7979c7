/**
 * The tab's one live connection: GET /api/events read with fetch (EventSource cannot send the
 * Authorization header, and tokens never go in a URL). Pages subscribe with `useLiveEvent(type,
 * handler)`; every subscriber shares the one stream, opened by the shell and closed on sign-out.
 *
 * The stream reconnects after it ends (the access token expired, a deploy, a network blip) with
 * `Last-Event-ID`, so nothing is missed; a 401 first runs the shared refresh. `session.revoked`
 * ends the session here; `resync` (the server could not replay what we missed) refetches
 * everything the cache holds.
 */
import type { QueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { authorizationHeader, expireSession, refreshSession } from './client';

export type LiveEventType = 'integration.status' | 'usage.created' | 'budget.alert' | 'key.revoked' | 'session.revoked' | 'resync';
type Handler = (data: unknown) => void;

const handlers = new Map<LiveEventType, Set<Handler>>();
let controller: AbortController | null = null;

/** Subscribe for the component's lifetime; the latest handler is always called (no resubscribe). */
export function useLiveEvent<T = unknown>(type: LiveEventType, handler: (data: T) => void): void {
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => subscribe(type, (data) => latest.current(data as T)), [type]);
}

export function subscribe(type: LiveEventType, handler: Handler): () => void {
  let set = handlers.get(type);
  if (!set) handlers.set(type, (set = new Set()));
  set.add(handler);
  return () => set.delete(handler);
}

function dispatch(type: string, data: string): void {
  const set = handlers.get(type as LiveEventType);
  if (!set || set.size === 0) return;
  let parsed: unknown;
  try {
    parsed = data ? JSON.parse(data) : undefined;
  } catch {
    return;
  }
  for (const handler of set) handler(parsed);
}

/** Parse `text/event-stream` blocks (WHATWG rules: field lines, blank line ends an event, `:` comments). */
async function read(body: ReadableStream<Uint8Array>, onEvent: (type: string, data: string, id: string | undefined) => void): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.search(/\r?\n\r?\n/)) !== -1) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
      let type = 'message';
      let id: string | undefined;
      const data: string[] = [];
      for (const line of block.split(/\r?\n/)) {
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        const text = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') type = text;
        else if (field === 'data') data.push(text);
        else if (field === 'id') id = text;
      }
      if (data.length > 0 || type !== 'message') onEvent(type, data.join('\n'), id);
    }
  }
}

/** Open the stream (idempotent) until `stopLiveEvents`. */
export function startLiveEvents(queryClient: QueryClient): void {
  if (controller) return;
  const own = new AbortController();
  controller = own;
  let lastEventId: string | undefined;
  let delay = 1_000;
  const run = async (): Promise<void> => {
    while (!own.signal.aborted) {
      try {
        const response = await fetch('/api/events', {
          headers: { accept: 'text/event-stream', ...authorizationHeader(), ...(lastEventId ? { 'last-event-id': lastEventId } : {}) },
          credentials: 'same-origin',
          signal: own.signal,
        });
        if (response.status === 401) {
          if (!(await refreshSession())) return expireSession();
          continue;
        }
        if (response.ok && response.body) {
          delay = 1_000;
          await read(response.body, (type, data, id) => {
            if (id) lastEventId = id;
            if (type === 'session.revoked') return expireSession();
            if (type === 'resync') void queryClient.invalidateQueries();
            dispatch(type, data);
          });
        }
      } catch {
        if (own.signal.aborted) return;
      }
      // Ended (token expiry, deploy, network): come back soon, slower if it keeps failing.
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 15_000);
    }
  };
  void run();
}

export function stopLiveEvents(): void {
  controller?.abort();
  controller = null;
}
