/**
 * Validation of an Anthropic Messages request (`POST /v1/messages`) as Anthropic's API enforces it,
 * so a malformed request gets a 400 from Switchboard (in Anthropic's error shape) instead of a
 * provider round trip, whichever provider the model routes to.
 *
 * Checked against the Messages API reference (platform.claude.com/docs/en/api/messages, "Errors"),
 * the request types of @anthropic-ai/sdk 1.12 (src/resources/messages/messages.ts) and the API's
 * documented error texts ("messages: roles ...", "unexpected `tool_use_id` found in `tool_result`
 * blocks ...", "text content blocks must be non-empty").
 *
 * What is known is checked strictly; what is not (block types, server tools, top-level fields added
 * by later API versions) is left for the route: the native Anthropic path forwards it untouched,
 * the translation path refuses it with `unsupported_parameter`.
 */
import { AppError } from '../../platform/errors.js';

export type MessagesImageMediaType = 'image/jpeg' | 'image/png' | 'image/gif' | 'image/webp';
const IMAGE_MEDIA_TYPES: ReadonlySet<string> = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

export interface MessagesTextBlock {
  type: 'text';
  text: string;
  cache_control?: unknown;
  citations?: unknown;
}
export interface MessagesImageBlock {
  type: 'image';
  source: { type: 'base64'; media_type: MessagesImageMediaType; data: string } | { type: 'url'; url: string };
  cache_control?: unknown;
}
export interface MessagesToolUseBlock {
  type: 'tool_use';
  id: string;
  name: string;
  input: Record<string, unknown>;
  cache_control?: unknown;
}
export interface MessagesToolResultBlock {
  type: 'tool_result';
  tool_use_id: string;
  content?: string | Array<MessagesTextBlock | MessagesImageBlock | MessagesOtherBlock>;
  is_error?: boolean;
  cache_control?: unknown;
}
export interface MessagesThinkingBlock {
  type: 'thinking' | 'redacted_thinking';
  [key: string]: unknown;
}
/** A block type this module does not know (documents, server tool results, …). */
export interface MessagesOtherBlock {
  type: string;
  [key: string]: unknown;
}
export type MessagesContentBlock =
  | MessagesTextBlock
  | MessagesImageBlock
  | MessagesToolUseBlock
  | MessagesToolResultBlock
  | MessagesThinkingBlock
  | MessagesOtherBlock;

export interface MessagesMessage {
  /** `system` turns exist from API version 2026-10-21 on (the SDK 1.x `SystemMessageParam`). */
  role: 'user' | 'assistant' | 'system';
  content: string | MessagesContentBlock[];
}

export interface MessagesTool {
  name: string;
  description?: string;
  input_schema: Record<string, unknown>;
  type?: string;
  [key: string]: unknown;
}

export type MessagesToolChoice =
  | { type: 'auto' | 'any'; disable_parallel_tool_use?: boolean }
  | { type: 'tool'; name: string; disable_parallel_tool_use?: boolean }
  | { type: 'none' };

export interface MessagesRequest {
  model: string;
  max_tokens: number;
  messages: MessagesMessage[];
  system?: string | MessagesTextBlock[];
  tools?: Array<MessagesTool | MessagesOtherBlock>;
  tool_choice?: MessagesToolChoice;
  stop_sequences?: string[];
  temperature?: number;
  top_p?: number;
  top_k?: number;
  metadata?: { user_id?: string | null };
  stream?: boolean;
  thinking?: { type: 'enabled'; budget_tokens: number } | { type: 'disabled' | 'adaptive'; [key: string]: unknown };
  [key: string]: unknown;
}

function invalid(param: string, message: string): AppError {
  return new AppError('invalid_request', { param, message: `${param}: ${message}` });
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isSet = (value: unknown): boolean => value !== undefined && value !== null;

/** Tool names as the API accepts them. */
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,128}$/;

export function validateMessagesRequest(body: Record<string, unknown>): MessagesRequest {
  if (typeof body.model !== 'string' || body.model.length === 0 || body.model.length > 256) {
    throw invalid('model', 'Field required: a model name such as "anthropic/claude-sonnet-4-5" or "openai/gpt-4o-mini".');
  }
  const maxTokens = body.max_tokens;
  if (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens) || maxTokens < 0) {
    throw invalid('max_tokens', 'Field required: an integer of 0 or more.');
  }
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    throw invalid('messages', 'at least one message is required.');
  }
  body.messages.forEach((message, i) => checkMessage(message, i, i === (body.messages as unknown[]).length - 1));
  checkTurnOrder(body.messages as MessagesMessage[]);
  if (isSet(body.system)) checkSystem(body.system);
  if (isSet(body.tools)) checkTools(body.tools);
  if (isSet(body.tool_choice)) checkToolChoice(body.tool_choice);
  if (isSet(body.stop_sequences)) {
    if (!Array.isArray(body.stop_sequences) || !body.stop_sequences.every((s) => typeof s === 'string')) {
      throw invalid('stop_sequences', 'Input should be a list of strings.');
    }
  }
  checkRange(body, 'temperature', 0, 1);
  checkRange(body, 'top_p', 0, 1);
  if (isSet(body.top_k) && (typeof body.top_k !== 'number' || !Number.isInteger(body.top_k) || body.top_k < 0)) {
    throw invalid('top_k', 'Input should be an integer of 0 or more.');
  }
  if (isSet(body.metadata)) {
    if (!isRecord(body.metadata)) throw invalid('metadata', 'Input should be an object.');
    const userId = body.metadata.user_id;
    if (isSet(userId) && typeof userId !== 'string') throw invalid('metadata.user_id', 'Input should be a string.');
  }
  if (isSet(body.stream) && typeof body.stream !== 'boolean') throw invalid('stream', 'Input should be a boolean.');
  if (isSet(body.thinking)) checkThinking(body.thinking);
  return body as MessagesRequest;
}

function checkRange(body: Record<string, unknown>, field: string, min: number, max: number): void {
  const value = body[field];
  if (!isSet(value)) return;
  if (typeof value !== 'number' || Number.isNaN(value) || value < min || value > max) {
    throw invalid(field, `Input should be a number from ${min} to ${max}.`);
  }
}

function checkMessage(message: unknown, i: number, isLast: boolean): void {
  const path = `messages.${i}`;
  if (!isRecord(message)) throw invalid(path, 'Input should be an object with `role` and `content`.');
  const role = message.role;
  if (role !== 'user' && role !== 'assistant' && role !== 'system') {
    throw invalid(`${path}.role`, 'Input should be "user", "assistant" or "system".');
  }
  const content = message.content;
  // Only a final assistant turn (a prefill) may be empty.
  const mayBeEmpty = isLast && role === 'assistant';
  if (typeof content === 'string') {
    if (content === '' && !mayBeEmpty) throw invalid(`${path}.content`, 'all messages must have non-empty content except for the optional final assistant message.');
    return;
  }
  if (!Array.isArray(content)) throw invalid(`${path}.content`, 'Input should be a string or a list of content blocks.');
  if (content.length === 0 && !mayBeEmpty) {
    throw invalid(`${path}.content`, 'all messages must have non-empty content except for the optional final assistant message.');
  }
  content.forEach((block, j) => checkBlock(block, `${path}.content.${j}`, role));
}

function checkBlock(block: unknown, path: string, role: 'user' | 'assistant' | 'system'): void {
  if (!isRecord(block) || typeof block.type !== 'string') throw invalid(path, 'Input should be a content block with a `type`.');
  if (role === 'system' && block.type !== 'text') throw invalid(`${path}.type`, 'system messages may only contain text blocks.');
  switch (block.type) {
    case 'text':
      checkTextBlock(block, path);
      return;
    case 'image':
      if (role !== 'user') throw invalid(`${path}.type`, 'image blocks are only allowed in user messages.');
      checkImageBlock(block, path);
      return;
    case 'tool_use':
      if (role !== 'assistant') throw invalid(`${path}.type`, 'tool_use blocks are only allowed in assistant messages.');
      if (typeof block.id !== 'string' || block.id === '') throw invalid(`${path}.id`, 'Field required.');
      if (typeof block.name !== 'string' || !TOOL_NAME.test(block.name)) throw invalid(`${path}.name`, 'Field required: a tool name.');
      if (!isRecord(block.input)) throw invalid(`${path}.input`, 'Input should be an object.');
      return;
    case 'tool_result':
      if (role !== 'user') throw invalid(`${path}.type`, 'tool_result blocks are only allowed in user messages.');
      checkToolResultBlock(block, path);
      return;
    case 'thinking':
    case 'redacted_thinking':
      if (role !== 'assistant') throw invalid(`${path}.type`, `${block.type} blocks are only allowed in assistant messages.`);
      return;
    default:
      // Documents, search results, server tool blocks, …: the route decides.
      return;
  }
}

function checkTextBlock(block: Record<string, unknown>, path: string): void {
  if (typeof block.text !== 'string') throw invalid(`${path}.text`, 'Field required.');
  if (block.text === '') throw invalid(`${path}.text`, 'text content blocks must be non-empty.');
}

function checkImageBlock(block: Record<string, unknown>, path: string): void {
  const source = block.source;
  if (!isRecord(source)) throw invalid(`${path}.source`, 'Field required.');
  if (source.type === 'base64') {
    if (typeof source.media_type !== 'string' || !IMAGE_MEDIA_TYPES.has(source.media_type)) {
      throw invalid(`${path}.source.media_type`, 'Input should be "image/jpeg", "image/png", "image/gif" or "image/webp".');
    }
    if (typeof source.data !== 'string' || source.data === '') throw invalid(`${path}.source.data`, 'Field required.');
    return;
  }
  if (source.type === 'url') {
    if (typeof source.url !== 'string' || !/^https?:\/\//i.test(source.url)) {
      throw invalid(`${path}.source.url`, 'Input should be an http(s) URL.');
    }
    return;
  }
  throw invalid(`${path}.source.type`, 'Input should be "base64" or "url".');
}

function checkToolResultBlock(block: Record<string, unknown>, path: string): void {
  if (typeof block.tool_use_id !== 'string' || block.tool_use_id === '') throw invalid(`${path}.tool_use_id`, 'Field required.');
  if (isSet(block.is_error) && typeof block.is_error !== 'boolean') throw invalid(`${path}.is_error`, 'Input should be a boolean.');
  const content = block.content;
  if (!isSet(content) || typeof content === 'string') return;
  if (!Array.isArray(content)) throw invalid(`${path}.content`, 'Input should be a string or a list of content blocks.');
  content.forEach((inner, k) => {
    const innerPath = `${path}.content.${k}`;
    if (!isRecord(inner) || typeof inner.type !== 'string') throw invalid(innerPath, 'Input should be a content block with a `type`.');
    if (inner.type === 'text') checkTextBlock(inner, innerPath);
    else if (inner.type === 'image') checkImageBlock(inner, innerPath);
    else if (inner.type === 'tool_use' || inner.type === 'tool_result') {
      throw invalid(`${innerPath}.type`, `${inner.type} blocks cannot be nested in a tool_result.`);
    }
  });
}

const blocksOf = (message: MessagesMessage): MessagesContentBlock[] => (typeof message.content === 'string' ? [] : message.content);

/**
 * Turn order as Anthropic enforces it: consecutive turns of one role count as one turn (the API
 * merges them); every tool_use must be answered by a tool_result in the next user turn, and every
 * tool_result must answer a tool_use of the assistant turn right before it. System turns sit
 * outside this pairing.
 */
function checkTurnOrder(messages: MessagesMessage[]): void {
  const turns: Array<{ role: 'user' | 'assistant'; indexes: number[] }> = [];
  messages.forEach((message, i) => {
    if (message.role === 'system') return;
    const last = turns.at(-1);
    if (last?.role === message.role) last.indexes.push(i);
    else turns.push({ role: message.role, indexes: [i] });
  });
  const blocksOfTurn = (turn: { indexes: number[] }) => turn.indexes.flatMap((i) => blocksOf(messages[i]!));
  turns.forEach((turn, t) => {
    const previous = turns[t - 1];
    const next = turns[t + 1];
    if (turn.role === 'assistant' && next !== undefined) {
      const answered = new Set(
        blocksOfTurn(next).flatMap((block) => (block.type === 'tool_result' ? [(block as MessagesToolResultBlock).tool_use_id] : [])),
      );
      const unanswered = blocksOfTurn(turn)
        .flatMap((block) => (block.type === 'tool_use' ? [(block as MessagesToolUseBlock).id] : []))
        .filter((id) => !answered.has(id));
      if (unanswered.length > 0) {
        throw invalid(
          `messages.${next.indexes[0]}`,
          `\`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${unanswered.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`,
        );
      }
    }
    if (turn.role === 'user') {
      const offered = new Set(
        previous === undefined
          ? []
          : blocksOfTurn(previous).flatMap((block) => (block.type === 'tool_use' ? [(block as MessagesToolUseBlock).id] : [])),
      );
      for (const i of turn.indexes) {
        for (const block of blocksOf(messages[i]!)) {
          if (block.type !== 'tool_result') continue;
          const id = (block as MessagesToolResultBlock).tool_use_id;
          if (!offered.has(id)) {
            throw invalid(
              `messages.${i}`,
              `unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${id}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`,
            );
          }
        }
      }
    }
  });
}

function checkSystem(system: unknown): void {
  if (typeof system === 'string') return;
  if (!Array.isArray(system)) throw invalid('system', 'Input should be a string or a list of text blocks.');
  system.forEach((block, j) => {
    if (!isRecord(block) || block.type !== 'text') throw invalid(`system.${j}`, 'Input should be a text block.');
    checkTextBlock(block, `system.${j}`);
  });
}

function checkTools(tools: unknown): void {
  if (!Array.isArray(tools)) throw invalid('tools', 'Input should be a list of tools.');
  const names = new Set<string>();
  tools.forEach((tool, i) => {
    const path = `tools.${i}`;
    if (!isRecord(tool)) throw invalid(path, 'Input should be a tool definition.');
    if (typeof tool.name !== 'string' || !TOOL_NAME.test(tool.name)) {
      throw invalid(`${path}.name`, 'String should match pattern ^[a-zA-Z0-9_-]{1,128}$.');
    }
    if (names.has(tool.name)) throw invalid(`${path}.name`, `Tool names must be unique: "${tool.name}" appears twice.`);
    names.add(tool.name);
    // Server tools (web search, bash, text editor, …) have a versioned `type` and no schema.
    if (isSet(tool.type) && tool.type !== 'custom') return;
    if (!isRecord(tool.input_schema)) throw invalid(`${path}.input_schema`, 'Field required: a JSON Schema object.');
    if (isSet(tool.description) && typeof tool.description !== 'string') throw invalid(`${path}.description`, 'Input should be a string.');
  });
}

function checkToolChoice(choice: unknown): void {
  if (!isRecord(choice)) throw invalid('tool_choice', 'Input should be an object with a `type`.');
  if (choice.type === 'tool') {
    if (typeof choice.name !== 'string' || choice.name === '') throw invalid('tool_choice.name', 'Field required.');
  } else if (choice.type !== 'auto' && choice.type !== 'any' && choice.type !== 'none') {
    throw invalid('tool_choice.type', 'Input should be "auto", "any", "tool" or "none".');
  }
  if (isSet(choice.disable_parallel_tool_use) && typeof choice.disable_parallel_tool_use !== 'boolean') {
    throw invalid('tool_choice.disable_parallel_tool_use', 'Input should be a boolean.');
  }
}

function checkThinking(thinking: unknown): void {
  if (!isRecord(thinking)) throw invalid('thinking', 'Input should be an object with a `type`.');
  if (thinking.type === 'enabled') {
    const budget = thinking.budget_tokens;
    if (typeof budget !== 'number' || !Number.isInteger(budget) || budget < 1024) {
      throw invalid('thinking.budget_tokens', 'Input should be an integer of at least 1024.');
    }
    // Not checked against max_tokens: with interleaved thinking (a beta Claude Code uses) the
    // budget may exceed it, and Anthropic judges that per beta.
    return;
  }
  if (thinking.type !== 'disabled' && thinking.type !== 'adaptive') {
    throw invalid('thinking.type', 'Input should be "enabled", "disabled" or "adaptive".');
  }
}
