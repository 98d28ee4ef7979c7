/**
 * Anthropic Messages request → OpenAI Chat Completions request, for models served by any chat
 * provider other than Anthropic (whose adapter then turns it into that provider's request).
 *
 * Every Messages parameter is translated, listed in HARMLESS_PARAMETERS with the reason leaving it
 * out changes nothing the model sees or may generate, or refused with `unsupported_parameter`.
 * Mappings checked against the Messages API reference and @anthropic-ai/sdk 1.12 types on one side,
 * OpenAI's Chat Completions reference and openai-node 6.49 types on the other.
 */
import { createHash } from 'node:crypto';
import { AppError } from '../../platform/errors.js';
import type { ChatCompletionRequest, ChatContentPart, ChatMessage, ChatTool, ChatToolCall, ChatToolChoice } from '../chat-types.js';
import type { ServiceId } from '../providers/provider.js';
import type {
  MessagesContentBlock,
  MessagesImageBlock,
  MessagesMessage,
  MessagesRequest,
  MessagesTextBlock,
  MessagesToolResultBlock,
  MessagesToolUseBlock,
} from './validate-messages.js';

const TRANSLATED_PARAMETERS: ReadonlySet<string> = new Set([
  'model',
  'max_tokens',
  'messages',
  'system',
  'tools',
  'tool_choice',
  'stop_sequences',
  'temperature',
  'top_p',
  'top_k',
  'metadata',
  'stream',
  'thinking',
]);

/**
 * Accepted and not sent:
 * - `cache_control` (top level, and on blocks and tools): a prompt-caching hint; it changes cost and
 *   latency, never the output. Other providers cache on their own or not at all.
 * - `service_tier`: Anthropic capacity selection (priority vs standard); no effect on the output.
 */
export const HARMLESS_PARAMETERS: ReadonlySet<string> = new Set(['cache_control', 'service_tier']);

/** Thinking blocks replayed from earlier turns: see `assistantMessage`. */
const DROPPED_ASSISTANT_BLOCKS: ReadonlySet<string> = new Set(['thinking', 'redacted_thinking']);

function unsupported(param: string, what: string, service: ServiceId): AppError {
  return new AppError('unsupported_parameter', {
    param,
    message: `${what} is not supported when the model is served by ${service} (only anthropic models take it natively).`,
  });
}

const isSet = (value: unknown): boolean => value !== undefined && value !== null;

export function toChatRequest(request: MessagesRequest, service: ServiceId): ChatCompletionRequest {
  for (const key of Object.keys(request)) {
    if (!TRANSLATED_PARAMETERS.has(key) && !HARMLESS_PARAMETERS.has(key)) throw unsupported(key, `Parameter \`${key}\``, service);
  }
  // OpenAI-compatible APIs have no top-k sampling; silently sampling differently is not an option.
  if (isSet(request.top_k)) throw unsupported('top_k', '`top_k`', service);
  if (isSet(request.thinking) && request.thinking?.type !== 'disabled') {
    throw unsupported('thinking', 'Extended thinking (`thinking`)', service);
  }
  if (request.max_tokens === 0) throw unsupported('max_tokens', '`max_tokens: 0` (cache pre-warming)', service);
  const last = request.messages.at(-1);
  if (last?.role === 'assistant') {
    throw unsupported(`messages.${request.messages.length - 1}`, 'A final assistant message (prefill, continued by the model)', service);
  }

  const messages: ChatMessage[] = [];
  const system = systemMessage(request.system, service);
  if (system !== undefined) messages.push(system);
  request.messages.forEach((message, i) => messages.push(...toChatMessages(message, `messages.${i}`, service)));

  const chat: ChatCompletionRequest = { model: request.model, messages };
  // OpenAI deprecated `max_tokens` (its reasoning models refuse it); other adapters read either.
  if (service === 'openai') chat.max_completion_tokens = request.max_tokens;
  else chat.max_tokens = request.max_tokens;
  if (isSet(request.temperature)) chat.temperature = request.temperature!;
  if (isSet(request.top_p)) chat.top_p = request.top_p!;
  if (request.stop_sequences !== undefined && request.stop_sequences.length > 0) chat.stop = request.stop_sequences;
  const userId = request.metadata?.user_id;
  if (typeof userId === 'string' && userId !== '') chat.user = toEndUserId(userId);
  const tools = toChatTools(request.tools, service);
  if (tools !== undefined) {
    chat.tools = tools;
    const choice = request.tool_choice;
    if (choice !== undefined) {
      chat.tool_choice = toChatToolChoice(choice);
      if ('disable_parallel_tool_use' in choice && choice.disable_parallel_tool_use === true) chat.parallel_tool_calls = false;
    }
  } else if (request.tool_choice !== undefined && request.tool_choice.type !== 'auto' && request.tool_choice.type !== 'none') {
    throw new AppError('invalid_request', { param: 'tool_choice', message: 'tool_choice: requires `tools`.' });
  }
  if (request.stream === true) chat.stream = true;
  return chat;
}

/**
 * OpenAI caps end-user identifiers at 64 characters (and advises hashing them); Anthropic's
 * `user_id` may be longer (Claude Code's are). A longer id is sent as its SHA-256 hex: still one
 * stable id per end user, which is all the field is for.
 */
export function toEndUserId(userId: string): string {
  return userId.length <= 64 ? userId : createHash('sha256').update(userId).digest('hex');
}

function systemMessage(system: MessagesRequest['system'], service: ServiceId): ChatMessage | undefined {
  if (system === undefined || system === null) return undefined;
  if (typeof system === 'string') return system === '' ? undefined : { role: 'system', content: system };
  const parts = system.map((block, j) => textPart(block, `system.${j}`, service));
  return parts.length === 0 ? undefined : { role: 'system', content: parts.length === 1 ? parts[0]!.text : parts };
}

function textPart(block: MessagesTextBlock, param: string, service: ServiceId): { type: 'text'; text: string } {
  if (isSet(block.citations)) throw unsupported(`${param}.citations`, 'Citations on text blocks', service);
  return { type: 'text', text: block.text };
}

function imagePart(block: MessagesImageBlock): ChatContentPart {
  const source = block.source;
  const url = source.type === 'base64' ? `data:${source.media_type};base64,${source.data}` : source.url;
  return { type: 'image_url', image_url: { url } };
}

function toChatMessages(message: MessagesMessage, path: string, service: ServiceId): ChatMessage[] {
  const blocks: MessagesContentBlock[] = typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
  switch (message.role) {
    case 'system': {
      const parts = blocks.map((block, j) => textPart(block as MessagesTextBlock, `${path}.content.${j}`, service));
      return [{ role: 'system', content: parts.length === 1 ? parts[0]!.text : parts }];
    }
    case 'assistant':
      return [assistantMessage(blocks, path, service)];
    case 'user':
      return userMessages(blocks, path, service);
  }
}

/**
 * Tool results become `tool` messages, which OpenAI wants right after the assistant's tool calls,
 * so they come first; the turn's other blocks follow as one user message.
 */
function userMessages(blocks: MessagesContentBlock[], path: string, service: ServiceId): ChatMessage[] {
  const toolMessages: ChatMessage[] = [];
  const parts: ChatContentPart[] = [];
  blocks.forEach((block, j) => {
    const param = `${path}.content.${j}`;
    switch (block.type) {
      case 'text':
        parts.push(textPart(block as MessagesTextBlock, param, service));
        return;
      case 'image':
        parts.push(imagePart(block as MessagesImageBlock));
        return;
      case 'tool_result':
        toolMessages.push(toolMessage(block as MessagesToolResultBlock, param, service));
        return;
      default:
        throw unsupported(`${param}.type`, `Content blocks of type "${block.type}"`, service);
    }
  });
  if (parts.length === 0) return toolMessages;
  const only = parts[0]!;
  const content = parts.length === 1 && only.type === 'text' ? (only as { text: string }).text : parts;
  return [...toolMessages, { role: 'user', content }];
}

/**
 * OpenAI tool messages carry text only and have no error flag: `is_error: true` is conveyed by
 * starting the text with "Error: ", which is how the model would read an error result anyway.
 */
function toolMessage(block: MessagesToolResultBlock, param: string, service: ServiceId): ChatMessage {
  const texts: string[] = [];
  const content = block.content;
  if (typeof content === 'string') texts.push(content);
  else if (Array.isArray(content)) {
    content.forEach((inner, k) => {
      if (inner.type !== 'text') throw unsupported(`${param}.content.${k}.type`, `Tool results containing "${inner.type}" blocks`, service);
      texts.push(textPart(inner as MessagesTextBlock, `${param}.content.${k}`, service).text);
    });
  }
  let text = texts.join('\n');
  if (block.is_error === true) text = text === '' ? 'Error' : `Error: ${text}`;
  return { role: 'tool', tool_call_id: block.tool_use_id, content: text };
}

/**
 * Thinking blocks replayed from an earlier Anthropic turn are signed Anthropic reasoning that no
 * other provider can read; Anthropic itself strips previous turns' thinking from the context, so
 * leaving them out matches what the model would have seen.
 */
function assistantMessage(blocks: MessagesContentBlock[], path: string, service: ServiceId): ChatMessage {
  const texts: Array<{ type: 'text'; text: string }> = [];
  const toolCalls: ChatToolCall[] = [];
  blocks.forEach((block, j) => {
    const param = `${path}.content.${j}`;
    if (block.type === 'text') texts.push(textPart(block as MessagesTextBlock, param, service));
    else if (block.type === 'tool_use') {
      const use = block as MessagesToolUseBlock;
      toolCalls.push({ id: use.id, type: 'function', function: { name: use.name, arguments: JSON.stringify(use.input) } });
    } else if (!DROPPED_ASSISTANT_BLOCKS.has(block.type)) {
      throw unsupported(`${param}.type`, `Content blocks of type "${block.type}"`, service);
    }
  });
  const content = texts.length === 0 ? null : texts.length === 1 ? texts[0]!.text : texts;
  return { role: 'assistant', content, ...(toolCalls.length > 0 && { tool_calls: toolCalls }) };
}

const KNOWN_TOOL_FIELDS: ReadonlySet<string> = new Set(['name', 'description', 'input_schema', 'type', 'cache_control', 'strict']);

function toChatTools(tools: MessagesRequest['tools'], service: ServiceId): ChatTool[] | undefined {
  if (tools === undefined || tools === null || tools.length === 0) return undefined;
  return tools.map((tool, i) => {
    const path = `tools.${i}`;
    if (isSet(tool.type) && tool.type !== 'custom') throw unsupported(`${path}.type`, `Server tools ("${String(tool.type)}")`, service);
    for (const key of Object.keys(tool)) {
      if (!KNOWN_TOOL_FIELDS.has(key)) throw unsupported(`${path}.${key}`, `Tool field \`${key}\``, service);
    }
    const description = tool.description;
    return {
      type: 'function' as const,
      function: {
        name: tool.name as string,
        ...(typeof description === 'string' && { description }),
        parameters: tool.input_schema as Record<string, unknown>,
        ...(tool.strict === true && { strict: true }),
      },
    };
  });
}

function toChatToolChoice(choice: NonNullable<MessagesRequest['tool_choice']>): ChatToolChoice {
  switch (choice.type) {
    case 'auto':
      return 'auto';
    case 'any':
      return 'required';
    case 'none':
      return 'none';
    case 'tool':
      return { type: 'function', function: { name: choice.name } };
  }
}
