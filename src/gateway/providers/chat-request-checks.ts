/**
 * The checks and small translations every OpenAI-chat → provider request module shares: refusing
 * parameters a provider cannot express, reading message text, data URLs and tool-call arguments.
 *
 * Each helper throws the same AppError (code, param, message) the adapters threw when they each
 * carried a copy, so the fixture tests that pin those errors hold for all of them. The order of
 * checks inside a request module stays that module's own: only the pieces are shared.
 */
import { AppError } from '../../platform/errors.js';
import type { ChatContentPart, ChatMessage, ChatToolCall, ChatToolChoice } from '../chat-types.js';

/** Builds the `unsupported_parameter` error for one provider: `what` names the thing refused. */
export type Unsupported = (param: string, what: string) => AppError;

export function unsupportedBy(provider: string): Unsupported {
  return (param, what) => new AppError('unsupported_parameter', { param, message: `${what} is not supported by provider ${provider}.` });
}

export function invalid(param: string, message: string): AppError {
  return new AppError('invalid_request', { param, message });
}

export const isSet = (value: unknown): boolean => value !== undefined && value !== null;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An unknown parameter is refused, so a parameter OpenAI adds later is never dropped unnoticed. */
export function checkKnownParameters(request: object, unsupported: Unsupported, ...allowed: ReadonlySet<string>[]): void {
  for (const key of Object.keys(request)) {
    if (!allowed.some((set) => set.has(key))) throw unsupported(key, `Parameter \`${key}\``);
  }
}

export function checkNoLogprobs(r: Record<string, unknown>, unsupported: Unsupported): void {
  if (isSet(r.logprobs) && r.logprobs !== false) throw unsupported('logprobs', '`logprobs`');
  if (isSet(r.top_logprobs) && r.top_logprobs !== 0) throw unsupported('top_logprobs', '`top_logprobs`');
}

export function checkNoLogitBias(r: Record<string, unknown>, unsupported: Unsupported): void {
  if (isSet(r.logit_bias) && Object.keys(r.logit_bias as object).length > 0) throw unsupported('logit_bias', '`logit_bias`');
}

/** `verbosity`, `modalities`, `audio` and `web_search_options`: accepted at OpenAI's defaults (plain text) only. */
export function checkTextOutputOnly(r: Record<string, unknown>, unsupported: Unsupported): void {
  if (isSet(r.verbosity) && r.verbosity !== 'medium') throw unsupported('verbosity', '`verbosity` other than "medium"');
  const modalities = r.modalities;
  if (isSet(modalities) && !(Array.isArray(modalities) && modalities.every((m) => m === 'text'))) {
    throw unsupported('modalities', 'Output modalities other than "text"');
  }
  if (isSet(r.audio)) throw unsupported('audio', 'Audio output (`audio`)');
  if (isSet(r.web_search_options)) throw unsupported('web_search_options', '`web_search_options`');
}

export function checkNoDeprecatedFunctions(r: Record<string, unknown>, unsupported: Unsupported): void {
  if (isSet(r.functions)) throw unsupported('functions', 'The deprecated `functions` parameter (use `tools`)');
  if (isSet(r.function_call)) throw unsupported('function_call', 'The deprecated `function_call` parameter (use `tool_choice`)');
}

/** No provider here has participant names or assistant audio; dropping them would change the conversation. */
export function checkMessageFields(message: ChatMessage, path: string, unsupported: Unsupported): void {
  const fields = message as Record<string, unknown>;
  if (isSet(fields.name)) throw unsupported(`${path}.name`, 'Message `name`');
  if (isSet(fields.audio)) throw unsupported(`${path}.audio`, 'Assistant `audio`');
  if (isSet(fields.function_call)) throw unsupported(`${path}.function_call`, 'The deprecated `function_call`');
}

/** One translation per role; system and developer messages are one role to every provider here. */
export interface MessageTranslation<T> {
  system(message: Extract<ChatMessage, { role: 'system' | 'developer' }>, path: string): T;
  user(message: Extract<ChatMessage, { role: 'user' }>, path: string): T;
  assistant(message: Extract<ChatMessage, { role: 'assistant' }>, path: string): T;
  tool(message: Extract<ChatMessage, { role: 'tool' }>, path: string): T;
}

/**
 * Translates the messages in order, each by its role, after refusing the fields no provider here
 * takes; a role outside OpenAI's (the deprecated "function", or an unknown one) is an error.
 */
export function translateMessages<T>(messages: ChatMessage[], unsupported: Unsupported, translate: MessageTranslation<T>): T[] {
  return messages.map((message, i) => {
    const path = `messages[${i}]`;
    checkMessageFields(message, path, unsupported);
    switch (message.role) {
      case 'system':
      case 'developer':
        return translate.system(message, path);
      case 'user':
        return translate.user(message, path);
      case 'assistant':
        return translate.assistant(message, path);
      case 'tool':
        return translate.tool(message, path);
      default:
        throw unknownRoleError(message, path, unsupported);
    }
  });
}

/** The error for a message whose role no switch handled. */
export function unknownRoleError(message: never, path: string, unsupported: Unsupported): AppError {
  const role = (message as { role?: unknown }).role;
  if (role === 'function') return unsupported(`${path}.role`, 'The deprecated "function" role (use "tool")');
  return invalid(`${path}.role`, `Unknown message role "${String(role)}".`);
}

export function toStopSequences(stop: string | string[] | null | undefined): string[] | undefined {
  if (stop == null) return undefined;
  const sequences = typeof stop === 'string' ? [stop] : stop;
  return sequences.length > 0 ? sequences : undefined;
}

/**
 * The schema of a `json_schema` response format. Its `description` instructs the model and no
 * provider here has a field for it, so a description is refused rather than dropped.
 */
export function jsonSchemaOf(
  format: { json_schema?: unknown },
  unsupported: Unsupported,
): Record<string, unknown> {
  const spec = (format.json_schema ?? {}) as { schema?: unknown; description?: unknown };
  if (!isPlainObject(spec.schema)) {
    throw unsupported('response_format.json_schema.schema', 'A `json_schema` response format without a schema');
  }
  if (typeof spec.description === 'string' && spec.description !== '') {
    throw unsupported('response_format.json_schema.description', '`response_format.json_schema.description`');
  }
  return spec.schema;
}

/** Without tools there is nothing to choose from: "none"/"auto" are already what happens, anything else is an error. */
export function checkToolChoiceWithoutTools(choice: ChatToolChoice | null | undefined): void {
  if (choice == null || choice === 'none' || choice === 'auto') return;
  throw invalid('tool_choice', '`tool_choice` requires `tools`.');
}

/** The error for a `tool_choice` no translation handled. */
export function unknownToolChoiceError(choice: ChatToolChoice, unsupported: Unsupported): AppError {
  const kind = typeof choice === 'object' ? (choice as { type?: unknown }).type : choice;
  return unsupported('tool_choice', `\`tool_choice\` "${String(kind)}"`);
}

export function checkFunctionToolCall(call: ChatToolCall, path: string, unsupported: Unsupported): void {
  if (call.type !== 'function') throw unsupported(`${path}.type`, `Tool calls of type "${String(call.type)}"`);
}

/** The texts of content that may only hold text parts (`who` names the role in the error). */
export function textOnlyParts(content: ChatContentPart[], path: string, who: string): string[] {
  return content.map((part, j) => {
    if (part.type !== 'text') throw invalid(`${path}.content[${j}]`, `${who} messages may only contain text.`);
    return (part as { text: string }).text;
  });
}

/** A system or developer message's texts, empty ones left out. */
export function systemText(content: string | ChatContentPart[], path: string): string[] {
  if (typeof content === 'string') return content === '' ? [] : [content];
  return textOnlyParts(content, path, 'System').filter((text) => text !== '');
}

/**
 * An assistant message's texts in order: its text and refusal parts (a refusal is text the
 * assistant said; it stays part of the conversation), then its `refusal` field.
 */
export function assistantTexts(message: Extract<ChatMessage, { role: 'assistant' }>, path: string): string[] {
  const texts: string[] = [];
  const content = message.content;
  if (typeof content === 'string') texts.push(content);
  else if (Array.isArray(content)) {
    content.forEach((part, j) => {
      if (part.type === 'text') texts.push((part as { text: string }).text);
      else if (part.type === 'refusal') texts.push(String((part as Record<string, unknown>).refusal ?? ''));
      else throw invalid(`${path}.content[${j}]`, 'Assistant messages may only contain text and refusal parts.');
    });
  }
  if (typeof message.refusal === 'string') texts.push(message.refusal);
  return texts;
}

export interface DataUrl {
  mediaType: string;
  data: string;
}

/** `data:<media type>;base64,<data>`; anything else (e.g. percent-encoded) is not usable. */
export function parseBase64DataUrl(url: string): DataUrl | undefined {
  const match = /^data:([^;,]+)((?:;[^;,]*)*);base64,(.*)$/s.exec(url);
  if (match === null) return undefined;
  return { mediaType: (match[1] ?? '').trim().toLowerCase(), data: match[3] ?? '' };
}

/**
 * Tool-call arguments as an object (OpenAI sends a JSON string). An empty string is what clients
 * accumulate for a call without arguments, so it is read as `{}`. The message never quotes the
 * arguments: they are prompt content.
 */
export function parseToolArguments(args: string, param: string): Record<string, unknown> {
  if (args.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(args);
  } catch {
    throw invalid(param, `${param} is not valid JSON.`);
  }
  if (!isPlainObject(parsed)) throw invalid(param, `${param} must be a JSON object.`);
  return parsed;
}
