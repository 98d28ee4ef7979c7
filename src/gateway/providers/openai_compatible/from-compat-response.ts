/**
 * Responses of OpenAI-compatible servers (Ollama `/v1`, vLLM, llama.cpp server, Groq, Mistral,
 * DeepSeek, Together, …) made into what the official OpenAI SDK and our metering expect. The
 * quirks handled were checked against the servers' docs and issue trackers (via `search`):
 *
 * - `id`, `created`, `object` or `model` missing (some local servers): filled from the request
 *   (`chatcmpl-<request id>`, the request time, the resolved model). `system_fingerprint` is
 *   optional in OpenAI's schema and stays absent.
 * - `usage` missing or partial: unknown counts stay unknown (never 0). Groq's `x_groq.usage` on the
 *   last chunk is read when there is no standard `usage`.
 * - Stream chunks without `choices` (llama.cpp's usage/timings chunk): given `choices: []`.
 * - A usage chunk the client did not ask for (llama.cpp sends it unasked): metered, then hidden.
 * - `finish_reason` outside OpenAI's set: synonyms mapped (`eos`, `eos_token`, `end_turn`,
 *   `stop_sequence` → `stop`; `max_tokens`, `model_length` → `length`; `tool_call` → `tool_calls`);
 *   anything else (`abort`, `error`, `insufficient_system_resource`, …) passes through unchanged,
 *   since calling it `stop` would claim a normal end.
 * - Streamed `tool_calls` deltas without `index` (Ollama < 0.4.7, ollama#7881) or with `index: 0`
 *   reused for every call of a response (ollama#15457): each new call id gets its own index, and
 *   continuation deltas follow the call they continue, as the openai SDK's stream helper needs.
 * - A stream that ends without `data: [DONE]` is complete if a finish reason arrived (TGI-style
 *   servers), else `provider_stream_interrupted`.
 */
import { AppError } from '../../../platform/errors.js';
import type { ChatCompletion, ChatFinishReason, ChatUsage } from '../../chat-types.js';
import type { SseEvent } from '../../sse.js';
import { fromOpenAIResponse, usageFromOpenAI } from '../openai/from-openai-response.js';
import type { CallContext, ChatResult, NormalizedUsage, StreamTranslator } from '../provider.js';
import { mapCompatStreamError } from './map-compat-error.js';

type Json = Record<string, unknown>;
const isRecord = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

const FINISH_SYNONYMS: Readonly<Record<string, string>> = {
  eos: 'stop',
  eos_token: 'stop',
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  model_length: 'length',
  tool_call: 'tool_calls',
};

export function normaliseFinishReason(reason: unknown): unknown {
  if (reason === '') return null;
  return typeof reason === 'string' ? (FINISH_SYNONYMS[reason] ?? reason) : reason;
}

/** Gives each streamed tool call of one choice a stable, distinct `index`. */
class ToolCallIndexer {
  private readonly byId = new Map<string, number>();
  private readonly remap = new Map<number, number>();
  private readonly taken = new Set<number>();
  private last: number | undefined;

  fix(calls: unknown[]): unknown[] {
    return calls.map((call, position) => {
      if (!isRecord(call)) return call;
      const id = typeof call.id === 'string' && call.id !== '' ? call.id : undefined;
      const sent = typeof call.index === 'number' ? call.index : undefined;
      let index: number;
      if (id !== undefined) {
        const known = this.byId.get(id);
        const wanted = sent ?? position;
        index = known ?? (this.taken.has(wanted) ? Math.max(...this.taken) + 1 : wanted);
        this.byId.set(id, index);
        this.remap.set(wanted, index);
        this.taken.add(index);
      } else {
        index = this.remap.get(sent ?? position) ?? sent ?? this.last ?? position;
      }
      this.last = index;
      return index === call.index ? call : { ...call, index };
    });
  }
}

/** The server's `usage`, else Groq's `x_groq.usage`; `undefined` when there is none. */
function usageOf(body: Json): ChatUsage | undefined {
  if (isRecord(body.usage)) return body.usage as unknown as ChatUsage;
  const groq = body.x_groq;
  if (isRecord(groq) && isRecord(groq.usage)) return groq.usage as unknown as ChatUsage;
  return undefined;
}

function normaliseChoices(choices: unknown[]): unknown[] {
  return choices.map((choice, index) =>
    isRecord(choice)
      ? { ...choice, index: typeof choice.index === 'number' ? choice.index : index, finish_reason: normaliseFinishReason(choice.finish_reason ?? null) }
      : choice,
  );
}

export function fromCompatResponse(body: unknown, ctx: CallContext): ChatResult {
  if (!isRecord(body) || !Array.isArray(body.choices)) return fromOpenAIResponse(body, ctx);
  const usage = usageOf(body);
  const completion = {
    ...body,
    id: typeof body.id === 'string' && body.id !== '' ? body.id : `chatcmpl-${ctx.requestId}`,
    object: 'chat.completion',
    created: typeof body.created === 'number' ? body.created : ctx.createdAt,
    model: typeof body.model === 'string' && body.model !== '' ? body.model : ctx.model,
    choices: normaliseChoices(body.choices),
    ...(usage ? { usage } : {}),
  } as unknown as ChatCompletion;
  return fromOpenAIResponse(completion, ctx);
}

/** Parses and normalises every chunk (compatible servers are not hot-path OpenAI traffic). */
export class CompatStreamTranslator implements StreamTranslator {
  private done = false;
  private lastUsage: NormalizedUsage = {};
  private lastFinishReason: ChatFinishReason | undefined;
  private id: string | undefined;
  private created: number | undefined;
  private readonly toolIndexers = new Map<number, ToolCallIndexer>();

  constructor(private readonly ctx: CallContext) {}

  onEvent(event: SseEvent): string[] {
    const data = event.data.trim();
    if (data === '[DONE]') {
      this.done = true;
      return [];
    }
    if (data === '') return [];
    let chunk: unknown;
    try {
      chunk = JSON.parse(data);
    } catch {
      if (event.event === 'error') throw mapCompatStreamError({ message: data }, this.ctx);
      throw new AppError('provider_error', { message: 'The provider sent a stream event that is not JSON.' });
    }
    if (!isRecord(chunk)) throw new AppError('provider_error', { message: 'The provider sent a stream event that is not a JSON object.' });
    if (event.event === 'error' || (chunk.error !== undefined && chunk.choices === undefined)) throw mapCompatStreamError(chunk, this.ctx);

    this.id ??= typeof chunk.id === 'string' && chunk.id !== '' ? chunk.id : `chatcmpl-${this.ctx.requestId}`;
    this.created ??= typeof chunk.created === 'number' ? chunk.created : this.ctx.createdAt;
    const choices = Array.isArray(chunk.choices) ? normaliseChoices(chunk.choices).map((choice) => this.fixToolCalls(choice)) : [];
    const out: Json = {
      ...chunk,
      id: typeof chunk.id === 'string' && chunk.id !== '' ? chunk.id : this.id,
      object: 'chat.completion.chunk',
      created: typeof chunk.created === 'number' ? chunk.created : this.created,
      model: typeof chunk.model === 'string' && chunk.model !== '' ? chunk.model : this.ctx.model,
      choices,
    };
    const reason = choices.find((choice): choice is Json => isRecord(choice) && typeof choice.finish_reason === 'string');
    if (reason) this.lastFinishReason = reason.finish_reason as ChatFinishReason;

    const usage = usageOf(chunk);
    if (usage) {
      this.lastUsage = usageFromOpenAI(usage);
      if (!this.ctx.includeUsage) {
        // The client did not ask for usage: meter it, but send it the chunk OpenAI would have.
        if (choices.length === 0) return [];
        out.usage = null;
      } else if (!isRecord(chunk.usage)) {
        out.usage = usage;
      }
    }
    return [JSON.stringify(out)];
  }

  private fixToolCalls(choice: unknown): unknown {
    if (!isRecord(choice) || !isRecord(choice.delta) || !Array.isArray(choice.delta.tool_calls)) return choice;
    const key = typeof choice.index === 'number' ? choice.index : 0;
    let indexer = this.toolIndexers.get(key);
    if (!indexer) this.toolIndexers.set(key, (indexer = new ToolCallIndexer()));
    return { ...choice, delta: { ...choice.delta, tool_calls: indexer.fix(choice.delta.tool_calls) } };
  }

  onEnd(): string[] {
    if (!this.done && this.lastFinishReason === undefined) throw new AppError('provider_stream_interrupted');
    return [];
  }

  usage(): NormalizedUsage {
    return this.lastUsage;
  }

  finishReason(): ChatFinishReason | undefined {
    return this.lastFinishReason;
  }
}
