/**
 * Per request: the `http_server_request_duration_seconds` histogram (route template, never the raw
 * path) and one SERVER span that continues the caller's `traceparent`. Both end when the response
 * ends, a relayed stream included (request-context.ts calls `end` from its access line).
 */
import { context, propagation, SpanKind, SpanStatusCode, trace, type TextMapGetter } from '@opentelemetry/api';
import type { Context } from 'hono';
import { routePath } from 'hono/route';
import type { Metrics } from '../platform/metrics.js';
import { statusClass } from '../platform/metrics.js';
import type { AppEnv } from './context.js';
import { requestHeader } from './node-headers.js';

export interface RequestTelemetry {
  /** Runs the rest of the chain inside the request's span. */
  run(next: () => Promise<void>): Promise<void>;
  /** The response ended with `status`. */
  end(status: number): void;
}

const headerGetter: TextMapGetter<Context<AppEnv>> = {
  get: (carrier, key) => requestHeader(carrier, key),
  keys: () => ['traceparent', 'tracestate'],
};

const tracer = trace.getTracer('switchboard');

/** The route the request matched (`/api/integrations/:id`), or `unmatched`: bounded, whatever the path. */
function routeOf(c: Context<AppEnv>): string {
  try {
    // The route of the handler that answered (middleware patterns for a 404), not the last matched (the SPA's `*`).
    const route = routePath(c);
    return route === '' || route === '*' || route === '/*' ? 'unmatched' : route;
  } catch {
    return 'unmatched';
  }
}

export function createRequestTelemetry(metrics: Pick<Metrics, 'enabled' | 'httpDuration'>) {
  return (c: Context<AppEnv>): RequestTelemetry => {
    const started = performance.now();
    const parent = propagation.extract(context.active(), c, headerGetter);
    const span = tracer.startSpan(`${c.req.method}`, { kind: SpanKind.SERVER, attributes: { 'http.request.method': c.req.method, 'url.scheme': 'http' } }, parent);
    const active = trace.setSpan(parent, span);
    return {
      run: (next) => context.with(active, next),
      end(status) {
        const route = routeOf(c);
        if (metrics.enabled) metrics.httpDuration.observe({ method: c.req.method, route, status_class: statusClass(status) }, (performance.now() - started) / 1000);
        if (span.isRecording()) {
          span.updateName(`${c.req.method} ${route}`);
          span.setAttribute('http.route', route);
          span.setAttribute('http.response.status_code', status);
          if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        }
        span.end();
      },
    };
  };
}
