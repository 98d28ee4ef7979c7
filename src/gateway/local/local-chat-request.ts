/**
 * An OpenAI chat-completions request body → what node-llama-cpp's LlamaChat takes (a chat history
 * and generation options). Pure. Parameters the in-process runtime cannot honour are refused by
 * name (the gateway relays them as `unsupported_parameter`), never silently dropped.
 */
import type { ChatHistoryItem } from './llama-runtime.js';

export class LocalRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly param: string | null,
    message: string,
  ) {
    super(message);
  }
}

export interface LocalChatRequest {
  history: ChatHistoryItem[];
  stream: boolean;
  includeUsage: boolean;
  maxTokens: number;
  temperature?: number;
  topP?: number;
  seed?: number;
  stop?: string[];
}

/** What the in-process runtime maps; any other body field is refused. */
const SUPPORTED = new Set([
  'model',
  'messages',
  'stream',
  'stream_options',
  'max_tokens',
  'max_completion_tokens',
  'temperature',
  'top_p',
  'seed',
  'stop',
  'user',
  'n',
  'response_format',
]);

const unsupported = (param: string, why: string) =>
  new LocalRequestError(400, 'unsupported_parameter', param, `The in-process local model does not support ${param}${why}.`);

const invalid = (param: string, message: string) => new LocalRequestError(400, 'invalid_request', param, message);

function textOf(content: unknown, param: string): string {
  if (typeof content === 'string') return content;
  if (content === null || content === undefined) return '';
  if (Array.isArray(content)) {
    return content
      .map((part: unknown, index) => {
        const typed = part as { type?: unknown; text?: unknown };
        if (typed?.type === 'text' && typeof typed.text === 'string') return typed.text;
        throw unsupported(`${param}[${index}]`, ` (content parts of type "${String(typed?.type)}"; only text is supported)`);
      })
      .join('');
  }
  throw invalid(param, `${param} must be a string or an array of text parts.`);
}

function optionalNumber(body: Record<string, unknown>, key: string, min: number, max: number): number | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) throw invalid(key, `${key} must be a number from ${min} to ${max}.`);
  return value;
}

export function toLocalChatRequest(body: Record<string, unknown>, limits: { maxTokens: number }): LocalChatRequest {
  for (const key of Object.keys(body)) {
    if (body[key] === undefined || body[key] === null) continue;
    if (!SUPPORTED.has(key)) throw unsupported(key, ' (tools, logprobs, penalties and the like are not mapped to node-llama-cpp)');
  }
  if (body.n !== undefined && body.n !== null && body.n !== 1) throw unsupported('n', ' other than 1');
  const format = body.response_format as { type?: unknown } | undefined | null;
  if (format && format.type !== 'text') throw unsupported('response_format', ` of type "${String(format.type)}"`);

  if (!Array.isArray(body.messages) || body.messages.length === 0) throw invalid('messages', 'messages must be a non-empty array.');
  const history: ChatHistoryItem[] = body.messages.map((raw: unknown, index) => {
    const message = raw as { role?: unknown; content?: unknown };
    const param = `messages[${index}].content`;
    switch (message.role) {
      case 'system':
      case 'developer':
        return { type: 'system', text: textOf(message.content, param) };
      case 'user':
        return { type: 'user', text: textOf(message.content, param) };
      case 'assistant':
        if ((message as { tool_calls?: unknown }).tool_calls) throw unsupported(`messages[${index}].tool_calls`, '');
        return { type: 'model', response: [textOf(message.content, param)] };
      default:
        throw unsupported(`messages[${index}].role`, ` "${String(message.role)}" (system, developer, user and assistant are)`);
    }
  });
  if (history.at(-1)?.type !== 'user') throw invalid('messages', 'The last message must come from the user.');

  const requested = optionalNumber(body, 'max_completion_tokens', 1, Number.MAX_SAFE_INTEGER) ?? optionalNumber(body, 'max_tokens', 1, Number.MAX_SAFE_INTEGER);
  const stop = body.stop;
  if (stop !== undefined && stop !== null && typeof stop !== 'string' && !(Array.isArray(stop) && stop.every((item) => typeof item === 'string'))) {
    throw invalid('stop', 'stop must be a string or an array of strings.');
  }
  const request: LocalChatRequest = {
    history,
    stream: body.stream === true,
    includeUsage: (body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true,
    // Capped: a small model may never emit its end token, and the context shifts forever.
    maxTokens: Math.min(Math.floor(requested ?? limits.maxTokens), limits.maxTokens),
  };
  const temperature = optionalNumber(body, 'temperature', 0, 2);
  if (temperature !== undefined) request.temperature = temperature;
  const topP = optionalNumber(body, 'top_p', 0, 1);
  if (topP !== undefined) request.topP = topP;
  const seed = optionalNumber(body, 'seed', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  if (seed !== undefined) request.seed = seed;
  if (typeof stop === 'string') request.stop = [stop];
  else if (Array.isArray(stop) && stop.length > 0) request.stop = stop as string[];
  return request;
}
