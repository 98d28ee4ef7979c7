/**
 * What one AI call reports besides its usage row: the gateway and gen_ai metrics (docs/ops.md
 * "Metrics") and one CLIENT span per upstream attempt, named `{gen_ai.operation.name}
 * {gen_ai.request.model}` with the GenAI semantic-convention attributes (docs/ops.md "Traces").
 *
 * Labels stay bounded: the model label is a catalog model of the service or `other`, errors are
 * AppError codes, never tenant ids, keys or raw model names. Message content goes on spans only
 * with SWITCHBOARD_OTEL_CAPTURE_CONTENT=true.
 */
import { SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { Context } from 'hono';
import type { AppEnv } from '../http/context.js';
import type { NewUsageRecord } from '../metering/usage.store.js';
import type { Metrics } from '../platform/metrics.js';
import { statusClass } from '../platform/metrics.js';
import type { ModelTarget } from './model-resolver.js';

type Operation = 'chat' | 'messages' | 'embeddings' | 'images' | 'video';

/** gen_ai.provider.name: the well-known values where one exists, documented custom ones otherwise. */
const PROVIDER_NAMES: Record<string, string> = {
  openai: 'openai',
  anthropic: 'anthropic',
  cohere: 'cohere',
  gemini: 'gcp.gemini',
  stability: 'stability',
  midjourney: 'midjourney',
  runway: 'runway',
  openai_compatible: 'openai_compatible',
  local: 'switchboard.local',
};

/** gen_ai.operation.name: `chat` and `embeddings` are spec values; images and video are ours. */
const OPERATION_NAMES: Record<Operation, string> = {
  chat: 'chat',
  messages: 'chat',
  embeddings: 'embeddings',
  images: 'image_generation',
  video: 'video_generation',
};

export const providerName = (service: string): string => PROVIDER_NAMES[service] ?? 'other';

export interface CallTelemetry {
  /** An upstream attempt starts (a retry or fallback starts another; the previous one ends). */
  attempt(target: ModelTarget, credential: { baseUrl: string; integrationId: string | null }, fallback: boolean): void;
  /** The current attempt failed before or with its response headers. */
  attemptFailed(error: { status?: number; code?: string }): void;
  /** The call is metered: metrics, and the last attempt's span ends with the usage. */
  finish(record: NewUsageRecord, finishReason?: string): void;
}

export interface GatewayTelemetry {
  open(c: Context<AppEnv>, options: { operation: Operation; stream: boolean; started: number }): CallTelemetry;
}

export function createGatewayTelemetry(options: { metrics: Metrics; catalog: { modelsOf(service: string): readonly string[] }; captureContent: boolean }): GatewayTelemetry {
  const { metrics, catalog, captureContent } = options;
  const tracer = trace.getTracer('switchboard');
  const modelLabel = (service: string, model: string) => (catalog.modelsOf(service).includes(model) ? model : service === 'local' ? 'local' : 'other');

  return {
    open(c, { operation, stream, started }) {
      let span: Span | undefined;
      let attempts = 0;
      let firstSendAt: number | undefined;
      const endSpan = (errorType: string | undefined) => {
        if (!span) return;
        if (errorType) {
          span.setAttribute('error.type', errorType);
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
        span.end();
        span = undefined;
      };
      return {
        attempt(target, credential, fallback) {
          attempts += 1;
          firstSendAt ??= performance.now();
          endSpan(span ? 'retried' : undefined);
          const operationName = OPERATION_NAMES[operation];
          span = tracer.startSpan(`${operationName} ${target.model}`, { kind: SpanKind.CLIENT });
          if (!span.isRecording()) return;
          let address: URL | undefined;
          try {
            address = new URL(credential.baseUrl);
          } catch {
            address = undefined;
          }
          span.setAttributes({
            'gen_ai.operation.name': operationName,
            'gen_ai.provider.name': providerName(target.service),
            'gen_ai.request.model': target.model,
            'gen_ai.request.stream': stream,
            'switchboard.attempt': attempts,
            'switchboard.fallback': fallback,
            ...(credential.integrationId ? { 'switchboard.integration.id': credential.integrationId } : {}),
            ...(address ? { 'server.address': address.hostname, 'server.port': Number(address.port || (address.protocol === 'https:' ? 443 : 80)) } : {}),
          });
          if (captureContent) {
            const current = span;
            // The handler parsed the body already: Hono answers from its cache.
            void c.req.json().then(
              (body: { messages?: unknown; input?: unknown; prompt?: unknown }) => {
                const content = body.messages ?? body.input ?? body.prompt;
                if (content !== undefined && current.isRecording()) current.setAttribute('gen_ai.input.messages', JSON.stringify(content));
              },
              () => undefined,
            );
          }
        },
        attemptFailed(error) {
          endSpan(error.code ?? (error.status ? String(error.status) : '_OTHER'));
        },
        finish(record, finishReason) {
          const failed = record.status >= 400;
          const errorType = failed ? (record.errorCode ?? String(record.status)) : undefined;
          if (span?.isRecording()) {
            span.setAttributes({
              'gen_ai.response.model': record.model,
              'gen_ai.response.id': record.requestId,
              ...(finishReason ? { 'gen_ai.response.finish_reasons': [finishReason] } : {}),
              ...(record.inputTokens != null ? { 'gen_ai.usage.input_tokens': record.inputTokens } : {}),
              ...(record.outputTokens != null ? { 'gen_ai.usage.output_tokens': record.outputTokens } : {}),
            });
          }
          endSpan(errorType);
          if (!metrics.enabled) return;
          const service = record.service;
          const operationName = OPERATION_NAMES[operation];
          const provider = providerName(service);
          const model = modelLabel(service, record.model);
          metrics.gatewayRequests.inc({
            surface: operation === 'messages' ? 'anthropic' : 'openai',
            operation,
            service,
            status_class: statusClass(record.status),
            error_source: record.errorSource ?? (failed ? 'platform' : 'none'),
            fallback: String(record.fallback === true),
          });
          if (firstSendAt !== undefined) metrics.gatewayOverhead.observe({ operation }, (firstSendAt - started) / 1000);
          const latency = (record.latencyMs ?? 0) / 1000;
          metrics.genAiDuration.observe({ gen_ai_operation_name: operationName, gen_ai_provider_name: provider, gen_ai_request_model: model, error_type: errorType ?? '' }, latency);
          if (record.inputTokens != null) metrics.genAiTokens.observe({ gen_ai_operation_name: operationName, gen_ai_provider_name: provider, gen_ai_request_model: model, gen_ai_token_type: 'input' }, record.inputTokens);
          if (record.outputTokens != null) metrics.genAiTokens.observe({ gen_ai_operation_name: operationName, gen_ai_provider_name: provider, gen_ai_request_model: model, gen_ai_token_type: 'output' }, record.outputTokens);
          if (record.stream && record.ttftMs != null) {
            metrics.timeToFirstToken.observe({ service }, record.ttftMs / 1000);
            metrics.genAiTimeToFirstChunk.observe({ gen_ai_operation_name: operationName, gen_ai_provider_name: provider, gen_ai_request_model: model }, record.ttftMs / 1000);
          }
          if (record.costMicros != null && record.costMicros > 0) metrics.costUsd.inc({ service, priced: String(record.priced !== false) }, record.costMicros / 1_000_000);
        },
      };
    },
  };
}
