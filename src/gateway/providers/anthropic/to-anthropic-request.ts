/**
 * OpenAI Chat Completions request → Anthropic Messages request (`POST /v1/messages`,
 * `anthropic-version: 2023-06-01`).
 *
 * The wire types below are written out here rather than imported from `@anthropic-ai/sdk`: the SDK
 * (1.x) types describe API version 2026-10-21, which removed `temperature` and `top_p`, while this
 * adapter speaks 2023-06-01, where both still exist.
 *
 * Every OpenAI parameter is either translated, accepted only at its default value, listed in
 * HARMLESS_PARAMETERS with the reason it may be left out, or rejected with `unsupported_parameter`.
 * An unknown parameter is rejected too, so a parameter OpenAI adds later is never dropped unnoticed.
 */
import type {
  ChatCompletionRequest,
  ChatContentPart,
  ChatMessage,
  ChatTool,
  ChatToolCall,
  ChatToolChoice,
} from '../../chat-types.js';
import {
  assistantTexts,
  checkFunctionToolCall,
  checkKnownParameters,
  checkNoDeprecatedFunctions,
  checkNoLogitBias,
  checkNoLogprobs,
  checkTextOutputOnly,
  checkToolChoiceWithoutTools,
  invalid,
  isSet,
  jsonSchemaOf,
  parseBase64DataUrl,
  parseToolArguments,
  systemText,
  textOnlyParts,
  toStopSequences,
  translateMessages,
  unknownToolChoiceError,
  unsupportedBy,
} from '../chat-request-checks.js';
import type { CallContext, UpstreamRequest } from '../provider.js';

export const ANTHROPIC_VERSION = '2023-06-01';
/** Anthropic requires `max_tokens`; OpenAI does not. Used when the client sets no limit. */
export const DEFAULT_MAX_TOKENS = 4096;
const unsupported = unsupportedBy('anthropic');

export type AnthropicImageMediaType = 'image/jpeg' | 'image/png' | 'image/gif' | 'image/webp';
const IMAGE_MEDIA_TYPES: ReadonlySet<string> = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

export interface AnthropicTextBlock {
  type: 'text';
  text: string;
}
export interface AnthropicImageBlock {
  type: 'image';
  source: { type: 'base64'; media_type: AnthropicImageMediaType; data: string } | { type: 'url'; url: string };
}
export interface AnthropicDocumentBlock {
  type: 'document';
  source: { type: 'base64'; media_type: 'application/pdf'; data: string };
}
export interface AnthropicToolUseBlock {
  type: 'tool_use';
  id: string;
  name: string;
  input: Record<string, unknown>;
}
export interface AnthropicToolResultBlock {
  type: 'tool_result';
  tool_use_id: string;
  content: string | AnthropicTextBlock[];
}
export type AnthropicContentBlock =
  | AnthropicTextBlock
  | AnthropicImageBlock
  | AnthropicDocumentBlock
  | AnthropicToolUseBlock
  | AnthropicToolResultBlock;

export interface AnthropicMessage {
  role: 'user' | 'assistant';
  content: AnthropicContentBlock[];
}

export interface AnthropicTool {
  name: string;
  description?: string;
  input_schema: Record<string, unknown>;
  strict?: boolean;
}

export type AnthropicToolChoice =
  | { type: 'auto' | 'any'; disable_parallel_tool_use?: boolean }
  | { type: 'tool'; name: string; disable_parallel_tool_use?: boolean }
  | { type: 'none' };

export interface AnthropicMessagesRequest {
  model: string;
  max_tokens: number;
  system?: string;
  messages: AnthropicMessage[];
  tools?: AnthropicTool[];
  tool_choice?: AnthropicToolChoice;
  stop_sequences?: string[];
  temperature?: number;
  top_p?: number;
  metadata?: { user_id: string };
  output_config?: {
    format?: { type: 'json_schema'; schema: Record<string, unknown> };
    effort?: 'low' | 'medium' | 'high' | 'xhigh';
  };
  service_tier?: 'standard_only';
  stream?: true;
}

/** Parameters this module translates (or reads, like `model`, which comes from the context). */
const TRANSLATED_PARAMETERS: ReadonlySet<string> = new Set([
  'model',
  'messages',
  'stream',
  'max_tokens',
  'max_completion_tokens',
  'temperature',
  'top_p',
  'stop',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'user',
  'safety_identifier',
  'response_format',
  'reasoning_effort',
  'service_tier',
  // Accepted only at their default value (see checkDefaultOnlyParameters).
  'n',
  'logprobs',
  'top_logprobs',
  'presence_penalty',
  'frequency_penalty',
  'logit_bias',
  'seed',
  'verbosity',
  'modalities',
  'audio',
  'web_search_options',
  'moderation',
  'functions',
  'function_call',
]);

/**
 * Accepted and not sent, because leaving them out changes neither what the model sees nor what it
 * may generate:
 * - `stream_options`: `include_usage` is read by the gateway (CallContext.includeUsage), and
 *   Anthropic always reports usage.
 * - `store`, `metadata`: storage and tagging of the completion on OpenAI's side (`metadata` only
 *   applies to stored completions); Anthropic's `metadata` is a different thing (`user_id`).
 * - `prompt_cache_key`, `prompt_cache_retention`, `prompt_cache_options`: OpenAI cache routing and
 *   retention hints. They affect cost and latency only; Anthropic caching is opted into per block.
 * - `prediction`: predicted outputs only speed generation up; OpenAI's output is unchanged by it.
 * Also dropped, inside messages: `image_url.detail` (a resolution/cost hint), `file.filename`
 * (a label, not content), `prompt_cache_breakpoint` on content parts (a caching hint), and
 * `response_format.json_schema.name`/`strict` (an identifier; Anthropic always enforces the schema,
 * which is one of the outputs `strict: false` allows).
 */
export const HARMLESS_PARAMETERS: ReadonlySet<string> = new Set([
  'stream_options',
  'store',
  'metadata',
  'prompt_cache_key',
  'prompt_cache_retention',
  'prompt_cache_options',
  'prediction',
]);

/** Build the upstream HTTP request. Throws AppError (source user) for requests it cannot express. */
export function toAnthropicRequest(request: ChatCompletionRequest, ctx: CallContext): UpstreamRequest {
  return {
    method: 'POST',
    url: `${ctx.baseUrl}/v1/messages`,
    headers: {
      'x-api-key': ctx.apiKey,
      'anthropic-version': ANTHROPIC_VERSION,
      'content-type': 'application/json',
    },
    body: JSON.stringify(toAnthropicBody(request, ctx.model)),
  };
}

/** The Messages request body for `request`, addressed to the provider's own `model` id. */
export function toAnthropicBody(request: ChatCompletionRequest, model: string): AnthropicMessagesRequest {
  checkKnownParameters(request, unsupported, TRANSLATED_PARAMETERS, HARMLESS_PARAMETERS);
  checkDefaultOnlyParameters(request);
  const { system, messages } = toAnthropicMessages(request.messages);
  const body: AnthropicMessagesRequest = {
    model,
    max_tokens: request.max_completion_tokens ?? request.max_tokens ?? DEFAULT_MAX_TOKENS,
    messages,
  };
  if (system !== undefined) body.system = system;
  const tools = toAnthropicTools(request.tools);
  if (tools !== undefined) body.tools = tools;
  const toolChoice = toAnthropicToolChoice(request.tool_choice, request.parallel_tool_calls, tools !== undefined);
  if (toolChoice !== undefined) body.tool_choice = toolChoice;
  const stopSequences = toStopSequences(request.stop);
  if (stopSequences !== undefined) body.stop_sequences = stopSequences;
  const temperature = toTemperature(request.temperature);
  if (temperature !== undefined) body.temperature = temperature;
  if (request.top_p != null) body.top_p = request.top_p;
  const userId = toUserId(request);
  if (userId !== undefined) body.metadata = { user_id: userId };
  const outputConfig = toOutputConfig(request);
  if (outputConfig !== undefined) body.output_config = outputConfig;
  const serviceTier = toServiceTier(request.service_tier);
  if (serviceTier !== undefined) body.service_tier = serviceTier;
  if (request.stream === true) body.stream = true;
  return body;
}

/** Parameters Anthropic has no equivalent for: accepted only when they ask for OpenAI's default. */
function checkDefaultOnlyParameters(request: ChatCompletionRequest): void {
  const r = request as Record<string, unknown>;
  if (isSet(r.n) && r.n !== 1) throw unsupported('n', '`n` other than 1 (several choices)');
  checkNoLogprobs(r, unsupported);
  for (const penalty of ['presence_penalty', 'frequency_penalty'] as const) {
    if (isSet(r[penalty]) && r[penalty] !== 0) throw unsupported(penalty, `A non-zero \`${penalty}\``);
  }
  checkNoLogitBias(r, unsupported);
  // Anthropic has no seed, so the determinism a seed asks for cannot be honoured.
  if (isSet(r.seed)) throw unsupported('seed', '`seed`');
  checkTextOutputOnly(r, unsupported);
  if (isSet(r.moderation)) throw unsupported('moderation', '`moderation`');
  checkNoDeprecatedFunctions(r, unsupported);
}

/** OpenAI allows 0–2; Anthropic 0–1. Rescaling would change sampling, so values above 1 are refused. */
function toTemperature(temperature: number | null | undefined): number | undefined {
  if (temperature == null) return undefined;
  if (temperature > 1) throw unsupported('temperature', '`temperature` above 1 (Anthropic accepts 0 to 1)');
  return temperature;
}

/**
 * Both `user` and its replacement `safety_identifier` identify the end user for abuse detection,
 * which is what Anthropic's `metadata.user_id` is for. Anthropic takes one id; the newer wins.
 */
function toUserId(request: ChatCompletionRequest): string | undefined {
  const safetyIdentifier = request.safety_identifier;
  if (typeof safetyIdentifier === 'string' && safetyIdentifier !== '') return safetyIdentifier;
  return typeof request.user === 'string' && request.user !== '' ? request.user : undefined;
}

/** OpenAI "auto" is the project default, which Anthropic's default ("auto") matches; "default" means standard capacity only. */
function toServiceTier(tier: unknown): 'standard_only' | undefined {
  if (tier == null || tier === 'auto') return undefined;
  if (tier === 'default') return 'standard_only';
  throw unsupported('service_tier', `\`service_tier\` "${String(tier)}"`);
}

function toOutputConfig(request: ChatCompletionRequest): AnthropicMessagesRequest['output_config'] {
  const format = toOutputFormat(request.response_format);
  const effort = toEffort(request.reasoning_effort);
  if (format === undefined && effort === undefined) return undefined;
  return { ...(format !== undefined && { format }), ...(effort !== undefined && { effort }) };
}

/** `json_schema` maps onto Anthropic structured outputs; `json_object` ("any JSON") has no equivalent. */
function toOutputFormat(
  responseFormat: ChatCompletionRequest['response_format'] | null,
): { type: 'json_schema'; schema: Record<string, unknown> } | undefined {
  if (responseFormat == null || responseFormat.type === 'text') return undefined;
  if (responseFormat.type === 'json_schema') return { type: 'json_schema', schema: jsonSchemaOf(responseFormat, unsupported) };
  throw unsupported('response_format', `\`response_format\` of type "${String(responseFormat.type)}"`);
}

/** Anthropic's `output_config.effort` takes low/medium/high/xhigh too; it has no "none" or "minimal". */
function toEffort(effort: unknown): 'low' | 'medium' | 'high' | 'xhigh' | undefined {
  if (effort == null) return undefined;
  if (effort === 'low' || effort === 'medium' || effort === 'high' || effort === 'xhigh') return effort;
  throw unsupported('reasoning_effort', `\`reasoning_effort\` "${String(effort)}"`);
}

function toAnthropicTools(tools: ChatTool[] | undefined | null): AnthropicTool[] | undefined {
  if (tools == null || tools.length === 0) return undefined;
  return tools.map((tool, i) => {
    if (tool.type !== 'function') throw unsupported(`tools[${i}].type`, `Tools of type "${String(tool.type)}"`);
    const fn = tool.function;
    return {
      name: fn.name,
      ...(fn.description !== undefined && { description: fn.description }),
      // OpenAI allows a function without parameters; Anthropic requires an object schema.
      input_schema: fn.parameters ?? { type: 'object' },
      ...(fn.strict === true && { strict: true }),
    };
  });
}

function toAnthropicToolChoice(
  choice: ChatToolChoice | null | undefined,
  parallelToolCalls: boolean | null | undefined,
  hasTools: boolean,
): AnthropicToolChoice | undefined {
  if (!hasTools) {
    checkToolChoiceWithoutTools(choice);
    return undefined;
  }
  const disableParallel = parallelToolCalls === false ? { disable_parallel_tool_use: true } : {};
  if (choice == null || choice === 'auto') {
    return parallelToolCalls === false ? { type: 'auto', ...disableParallel } : undefined;
  }
  if (choice === 'none') return { type: 'none' };
  if (choice === 'required') return { type: 'any', ...disableParallel };
  if (typeof choice === 'object' && choice.type === 'function') {
    return { type: 'tool', name: choice.function.name, ...disableParallel };
  }
  throw unknownToolChoiceError(choice, unsupported);
}

/**
 * System and developer messages become the top-level `system` (Anthropic has no system turns in
 * 2023-06-01), joined with blank lines in order. User, assistant and tool messages become turns;
 * consecutive turns of one role are merged because Anthropic expects user/assistant alternation,
 * and tool results travel in user turns.
 */
export function toAnthropicMessages(messages: ChatMessage[]): { system?: string; messages: AnthropicMessage[] } {
  const systemTexts: string[] = [];
  const turns: AnthropicMessage[] = [];
  translateMessages<void>(messages, unsupported, {
    system: (message, path) => {
      systemTexts.push(...systemText(message.content, path));
    },
    user: (message, path) => appendTurn(turns, 'user', userBlocks(message.content, path)),
    assistant: (message, path) => appendTurn(turns, 'assistant', assistantBlocks(message, path)),
    tool: (message, path) => appendTurn(turns, 'user', [toolResultBlock(message.content, message.tool_call_id, path)]),
  });
  return { ...(systemTexts.length > 0 && { system: systemTexts.join('\n\n') }), messages: turns };
}

function appendTurn(turns: AnthropicMessage[], role: AnthropicMessage['role'], blocks: AnthropicContentBlock[]): void {
  // A message with no content blocks (e.g. an empty assistant string) carries nothing to send.
  if (blocks.length === 0) return;
  const last = turns[turns.length - 1];
  if (last !== undefined && last.role === role) last.content.push(...blocks);
  else turns.push({ role, content: blocks });
}

/** Anthropic rejects empty text blocks; an empty string says nothing, so it is skipped. */
function textBlocks(text: string): AnthropicTextBlock[] {
  return text === '' ? [] : [{ type: 'text', text }];
}

function userBlocks(content: string | ChatContentPart[], path: string): AnthropicContentBlock[] {
  if (typeof content === 'string') return textBlocks(content);
  return content.flatMap((part, j) => userPartBlocks(part, `${path}.content[${j}]`));
}

function userPartBlocks(part: ChatContentPart, path: string): AnthropicContentBlock[] {
  switch (part.type) {
    case 'text':
      return textBlocks((part as { text: string }).text);
    case 'image_url':
      return [imageBlock((part as { image_url: { url: string } }).image_url.url, `${path}.image_url.url`)];
    case 'file':
      return [documentBlock(part as { file?: { file_data?: string; file_id?: string } }, `${path}.file`)];
    case 'input_audio':
      throw unsupported(path, 'Audio input (`input_audio`)');
    default:
      throw unsupported(`${path}.type`, `Content parts of type "${part.type}"`);
  }
}

function imageBlock(url: string, param: string): AnthropicImageBlock {
  if (url.startsWith('data:')) {
    const parsed = parseBase64DataUrl(url);
    if (parsed === undefined) throw invalid(param, 'Image data URLs must be base64 encoded (data:<type>;base64,...).');
    if (!IMAGE_MEDIA_TYPES.has(parsed.mediaType)) {
      throw unsupported(param, `Image type "${parsed.mediaType}" (use JPEG, PNG, GIF or WebP)`);
    }
    return {
      type: 'image',
      source: { type: 'base64', media_type: parsed.mediaType as AnthropicImageMediaType, data: parsed.data },
    };
  }
  if (/^https?:\/\//i.test(url)) return { type: 'image', source: { type: 'url', url } };
  throw invalid(param, 'Image URLs must be http(s) URLs or base64 data URLs.');
}

/** PDFs sent inline map onto Anthropic documents; OpenAI file ids mean nothing to Anthropic. */
function documentBlock(part: { file?: { file_data?: string; file_id?: string } }, param: string): AnthropicDocumentBlock {
  const fileData = part.file?.file_data;
  if (typeof part.file?.file_id === 'string') throw unsupported(`${param}.file_id`, 'Files referenced by OpenAI `file_id`');
  if (typeof fileData !== 'string') throw invalid(`${param}.file_data`, 'A file part needs `file_data`.');
  const parsed = parseBase64DataUrl(fileData);
  if (parsed === undefined || parsed.mediaType !== 'application/pdf') {
    throw unsupported(`${param}.file_data`, 'Files other than base64 PDF data URLs');
  }
  return { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: parsed.data } };
}

function assistantBlocks(
  message: Extract<ChatMessage, { role: 'assistant' }>,
  path: string,
): AnthropicContentBlock[] {
  const blocks: AnthropicContentBlock[] = assistantTexts(message, path).flatMap(textBlocks);
  (message.tool_calls ?? []).forEach((call, k) => blocks.push(toolUseBlock(call, `${path}.tool_calls[${k}]`)));
  return blocks;
}

function toolUseBlock(call: ChatToolCall, path: string): AnthropicToolUseBlock {
  checkFunctionToolCall(call, path, unsupported);
  return {
    type: 'tool_use',
    id: call.id,
    name: call.function.name,
    input: parseToolArguments(call.function.arguments, `${path}.function.arguments`),
  };
}

function toolResultBlock(content: string | ChatContentPart[], toolCallId: string, path: string): AnthropicToolResultBlock {
  if (typeof content === 'string') return { type: 'tool_result', tool_use_id: toolCallId, content };
  const parts = textOnlyParts(content, path, 'Tool').flatMap(textBlocks);
  return { type: 'tool_result', tool_use_id: toolCallId, content: parts };
}
