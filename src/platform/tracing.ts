/**
 * Traces through `@opentelemetry/api`. Without OTEL_EXPORTER_OTLP_ENDPOINT nothing is loaded: the
 * API's no-op tracer costs a function call per span. With it, the Node SDK (pinned 2.12.0) and the
 * OTLP/HTTP exporter (pinned 0.223.1, JSON) are imported dynamically and registered globally,
 * which also installs the W3C trace-context propagator and the AsyncLocalStorage context manager
 * (so the gateway's CLIENT spans nest under the request's SERVER span).
 *
 * No `traceparent` is sent to providers: the upstream client never reads the active context.
 */
import type { Logger } from './logger.js';

export interface Tracing {
  /** Flush and stop the exporter (at shutdown). */
  close(): Promise<void>;
}

const noTracing: Tracing = { close: async () => undefined };

export async function startTracing(options: { endpoint: string | undefined; serviceName: string; version: string; logger: Logger }): Promise<Tracing> {
  if (!options.endpoint) return noTracing;
  const [{ NodeTracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }, { resourceFromAttributes }] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
  ]);
  const exporter = new OTLPTraceExporter({ url: `${options.endpoint}/v1/traces` });
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName, 'service.version': options.version }),
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 500 })],
  });
  provider.register();
  // The endpoint is an operator URL; log only its origin (no credentials a URL might carry).
  options.logger.info({ otlp_endpoint: new URL(options.endpoint).origin }, 'exporting traces over OTLP/HTTP');
  return {
    async close() {
      await provider.shutdown().catch((error: unknown) => options.logger.warn({ err: error }, 'trace exporter did not flush'));
    },
  };
}
