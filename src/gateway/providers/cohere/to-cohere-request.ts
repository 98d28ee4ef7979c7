/**
 * OpenAI Chat Completions request → Cohere v2 Chat request (`POST {base}/v2/chat`,
 * `Authorization: Bearer <key>`).
 *
 * Wire format checked against Cohere's API reference (docs.cohere.com/v2/reference/chat, the
 * "Streaming" and "Tool use" guides) and the cohere-ai TypeScript SDK (`V2ChatRequest`, `ToolV2`,
 * `ChatMessageV2`, `ResponseFormatV2`; the SDK's camelCase fields are snake_case on the wire).
 *
 * Every OpenAI parameter is translated, accepted only at its default value, listed in
 * HARMLESS_PARAMETERS with the reason it may be left out, or refused with `unsupported_parameter`.
 * An unknown parameter is refused too, so nothing a client asks for is dropped unnoticed.
 */
import type { ChatCompletionRequest, ChatContentPart, ChatMessage, ChatTool, ChatToolCall, ChatToolChoice } from '../../chat-types.js';
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
  textOnlyParts,
  toStopSequences,
  translateMessages,
  unknownToolChoiceError,
  unsupportedBy,
} from '../chat-request-checks.js';
import type { CallContext, UpstreamRequest } from '../provider.js';

const unsupported = unsupportedBy('cohere');

export interface CohereTextContent {
  type: 'text';
  text: string;
}
export interface CohereImageContent {
  type: 'image_url';
  image_url: { url: string; detail?: 'auto' | 'low' | 'high' };
}
export interface CohereToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export type CohereMessage =
  | { role: 'system'; content: string | CohereTextContent[] }
  | { role: 'user'; content: string | Array<CohereTextContent | CohereImageContent> }
  | { role: 'assistant'; content?: string | CohereTextContent[]; tool_plan?: string; tool_calls?: CohereToolCall[] }
  | { role: 'tool'; tool_call_id: string; content: string | CohereTextContent[] };

export interface CohereTool {
  type: 'function';
  function: { name: string; description?: string; parameters: Record<string, unknown> };
}

export interface CohereChatRequest {
  model: string;
  messages: CohereMessage[];
  tools?: CohereTool[];
  strict_tools?: boolean;
  tool_choice?: 'REQUIRED' | 'NONE';
  response_format?: { type: 'json_object'; json_schema?: Record<string, unknown> };
  max_tokens?: number;
  stop_sequences?: string[];
  temperature?: number;
  seed?: number;
  frequency_penalty?: number;
  presence_penalty?: number;
  p?: number;
  stream?: true;
}

/** Parameters this module translates, or accepts at their default value only. */
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
  'response_format',
  'seed',
  'frequency_penalty',
  'presence_penalty',
  // Accepted only at their default value (see checkDefaultOnlyParameters).
  'n',
  'logprobs',
  'top_logprobs',
  'logit_bias',
  'reasoning_effort',
  'verbosity',
  'modalities',
  'audio',
  'web_search_options',
  'service_tier',
  'functions',
  'function_call',
]);

/**
 * Accepted and not sent, because leaving them out changes neither what the model sees nor what it
 * may generate:
 * - `stream_options`: `include_usage` is read by the gateway; Cohere always reports usage.
 * - `user`, `safety_identifier`: end-user ids for OpenAI's abuse monitoring; Cohere has no field.
 * - `store`, `metadata`: storage and tagging of the completion on OpenAI's side.
 * - `prompt_cache_key`, `prompt_cache_retention`: OpenAI cache routing hints (cost and latency only).
 * - `prediction`: predicted outputs only speed OpenAI's generation up.
 * Inside messages, `response_format.json_schema.name`/`strict` are dropped: a label, and Cohere
 * always enforces the schema (one of the outputs `strict: false` allows).
 */
export const HARMLESS_PARAMETERS: ReadonlySet<string> = new Set([
  'stream_options',
  'user',
  'safety_identifier',
  'store',
  'metadata',
  'prompt_cache_key',
  'prompt_cache_retention',
  'prediction',
]);

export function toCohereRequest(request: ChatCompletionRequest, ctx: CallContext): UpstreamRequest {
  return {
    method: 'POST',
    url: `${ctx.baseUrl}/v2/chat`,
    headers: {
      authorization: `Bearer ${ctx.apiKey}`,
      'content-type': 'application/json',
      accept: request.stream === true ? 'text/event-stream' : 'application/json',
    },
    body: JSON.stringify(toCohereBody(request, ctx.model)),
  };
}

export function toCohereBody(request: ChatCompletionRequest, model: string): CohereChatRequest {
  checkKnownParameters(request, unsupported, TRANSLATED_PARAMETERS, HARMLESS_PARAMETERS);
  checkDefaultOnlyParameters(request);
  const body: CohereChatRequest = { model, messages: toCohereMessages(request.messages) };
  const tools = toCohereTools(request.tools);
  if (tools !== undefined) {
    body.tools = tools;
    // Cohere's switch is per request; a client asking for strict schemas on any tool gets them on all.
    if (request.tools?.some((tool) => tool.function.strict === true)) body.strict_tools = true;
  }
  const toolChoice = toCohereToolChoice(request.tool_choice, tools !== undefined);
  if (toolChoice !== undefined) body.tool_choice = toolChoice;
  const responseFormat = toResponseFormat(request.response_format);
  if (responseFormat !== undefined) body.response_format = responseFormat;
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  if (maxTokens != null) body.max_tokens = maxTokens;
  const stopSequences = toStopSequences(request.stop);
  if (stopSequences !== undefined) body.stop_sequences = stopSequences;
  if (request.temperature != null) body.temperature = request.temperature;
  const r = request as Record<string, unknown>;
  if (typeof r.seed === 'number') body.seed = r.seed;
  if (typeof r.frequency_penalty === 'number') body.frequency_penalty = r.frequency_penalty;
  if (typeof r.presence_penalty === 'number') body.presence_penalty = r.presence_penalty;
  if (request.top_p != null) body.p = request.top_p;
  if (request.stream === true) body.stream = true;
  return body;
}

/** Parameters Cohere cannot express: accepted only when they ask for OpenAI's default. */
function checkDefaultOnlyParameters(request: ChatCompletionRequest): void {
  const r = request as Record<string, unknown>;
  if (isSet(r.n) && r.n !== 1) throw unsupported('n', '`n` other than 1 (several choices)');
  // Cohere has logprobs, but per token id in its own shape; OpenAI's top-logprob lists have no source.
  checkNoLogprobs(r, unsupported);
  checkNoLogitBias(r, unsupported);
  // Cohere may always call several tools in one turn; it cannot be limited to one.
  if (isSet(r.parallel_tool_calls) && r.parallel_tool_calls !== true) {
    throw unsupported('parallel_tool_calls', '`parallel_tool_calls: false`');
  }
  if (isSet(r.reasoning_effort)) throw unsupported('reasoning_effort', '`reasoning_effort`');
  checkTextOutputOnly(r, unsupported);
  if (isSet(r.service_tier) && r.service_tier !== 'auto' && r.service_tier !== 'default') {
    throw unsupported('service_tier', `\`service_tier\` "${String(r.service_tier)}"`);
  }
  checkNoDeprecatedFunctions(r, unsupported);
}

function toResponseFormat(format: ChatCompletionRequest['response_format'] | null): CohereChatRequest['response_format'] {
  if (format == null || format.type === 'text') return undefined;
  if (format.type === 'json_object') return { type: 'json_object' };
  if (format.type === 'json_schema') return { type: 'json_object', json_schema: jsonSchemaOf(format, unsupported) };
  throw unsupported('response_format', `\`response_format\` of type "${String((format as { type?: unknown }).type)}"`);
}

function toCohereTools(tools: ChatTool[] | undefined | null): CohereTool[] | undefined {
  if (tools == null || tools.length === 0) return undefined;
  return tools.map((tool, i) => {
    if (tool.type !== 'function') throw unsupported(`tools[${i}].type`, `Tools of type "${String(tool.type)}"`);
    const fn = tool.function;
    return {
      type: 'function',
      function: {
        name: fn.name,
        ...(fn.description !== undefined && { description: fn.description }),
        // OpenAI allows a function without parameters; Cohere requires a schema.
        parameters: fn.parameters ?? { type: 'object', properties: {} },
      },
    };
  });
}

function toCohereToolChoice(choice: ChatToolChoice | null | undefined, hasTools: boolean): 'REQUIRED' | 'NONE' | undefined {
  if (!hasTools) {
    checkToolChoiceWithoutTools(choice);
    return undefined;
  }
  if (choice == null || choice === 'auto') return undefined;
  if (choice === 'none') return 'NONE';
  if (choice === 'required') return 'REQUIRED';
  if (typeof choice === 'object' && choice.type === 'function') {
    throw unsupported('tool_choice', 'Forcing one named function (`tool_choice.function`)');
  }
  throw unknownToolChoiceError(choice, unsupported);
}

/** Cohere v2 keeps OpenAI's roles and order; developer messages are system messages. */
export function toCohereMessages(messages: ChatMessage[]): CohereMessage[] {
  return translateMessages<CohereMessage>(messages, unsupported, {
    system: (message, path) => ({ role: 'system', content: textOnly(message.content, path, 'System') }),
    user: (message, path) => ({ role: 'user', content: userContent(message.content, path) }),
    assistant: assistantMessage,
    tool: (message, path) => ({ role: 'tool', tool_call_id: message.tool_call_id, content: textOnly(message.content, path, 'Tool') }),
  });
}

function textOnly(content: string | ChatContentPart[], path: string, who: string): string | CohereTextContent[] {
  if (typeof content === 'string') return content;
  return textOnlyParts(content, path, who).map((text) => ({ type: 'text', text }));
}

function userContent(content: string | ChatContentPart[], path: string): Extract<CohereMessage, { role: 'user' }>['content'] {
  if (typeof content === 'string') return content;
  return content.map((part, j) => {
    const partPath = `${path}.content[${j}]`;
    if (part.type === 'text') return { type: 'text', text: (part as { text: string }).text };
    if (part.type === 'image_url') {
      const image = (part as { image_url: { url: string; detail?: 'auto' | 'low' | 'high' } }).image_url;
      if (!/^(https?:\/\/|data:image\/)/i.test(image.url)) {
        throw invalid(`${partPath}.image_url.url`, 'Image URLs must be http(s) URLs or data URLs of an image.');
      }
      return { type: 'image_url', image_url: { url: image.url, ...(image.detail !== undefined && { detail: image.detail }) } };
    }
    if (part.type === 'input_audio') throw unsupported(partPath, 'Audio input (`input_audio`)');
    throw unsupported(`${partPath}.type`, `Content parts of type "${part.type}"`);
  });
}

/**
 * An assistant turn with tool calls carries its text as `tool_plan` (what Cohere returns there,
 * and what its tool-use guide sends back); without tool calls the text is the content.
 */
function assistantMessage(message: Extract<ChatMessage, { role: 'assistant' }>, path: string): CohereMessage {
  const text = assistantTexts(message, path).join('');
  const calls = (message.tool_calls ?? []).map((call, k) => toolCall(call, `${path}.tool_calls[${k}]`));
  if (calls.length === 0) return { role: 'assistant', content: text };
  return { role: 'assistant', ...(text !== '' && { tool_plan: text }), tool_calls: calls };
}

function toolCall(call: ChatToolCall, path: string): CohereToolCall {
  checkFunctionToolCall(call, path, unsupported);
  // Clients accumulate an empty string for a call without arguments; Cohere expects JSON.
  const args = call.function.arguments.trim() === '' ? '{}' : call.function.arguments;
  return { id: call.id, type: 'function', function: { name: call.function.name, arguments: args } };
}
