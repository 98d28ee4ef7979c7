/**
 * OpenAI Chat Completions request → Gemini API `generateContent` request
 * (`POST {base}/v1beta/models/{model}:generateContent`, or `:streamGenerateContent?alt=sse`),
 * authenticated with the `x-goog-api-key` header.
 *
 * Wire format checked against the Gemini API reference (ai.google.dev/api: GenerateContentRequest,
 * Content, Part, FunctionDeclaration.parametersJsonSchema, FunctionResponse (a JSON object;
 * `output` carries the result, `error` a failure), ToolConfig.functionCallingConfig, GenerationConfig incl.
 * responseJsonSchema) and the @google/genai SDK types.
 *
 * Every OpenAI parameter is translated, accepted only at its default value, listed in
 * HARMLESS_PARAMETERS with the reason it may be left out, or refused with `unsupported_parameter`.
 * An unknown parameter is refused too, so a parameter OpenAI adds later is never dropped unnoticed.
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

const unsupported = unsupportedBy('gemini');
/** Separates a tool call id from the Gemini thought signature it carries (see fromGeminiToolCallId). */
export const THOUGHT_SIGNATURE_SEPARATOR = '__thought__';

export type GeminiPart =
  | { text: string; thoughtSignature?: string }
  | { inlineData: { mimeType: string; data: string } }
  | { fileData: { mimeType: string; fileUri: string } }
  | { functionCall: { name: string; args: Record<string, unknown> }; thoughtSignature?: string }
  | { functionResponse: { name: string; response: Record<string, unknown> } };

export interface GeminiContent {
  role: 'user' | 'model';
  parts: GeminiPart[];
}

export interface GeminiFunctionDeclaration {
  name: string;
  description?: string;
  parametersJsonSchema?: Record<string, unknown>;
}

export interface GeminiGenerationConfig {
  stopSequences?: string[];
  responseMimeType?: string;
  responseJsonSchema?: Record<string, unknown>;
  candidateCount?: number;
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  seed?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  thinkingConfig?: { thinkingBudget?: number; thinkingLevel?: string };
}

export interface GeminiGenerateContentRequest {
  contents: GeminiContent[];
  systemInstruction?: { parts: Array<{ text: string }> };
  tools?: Array<{ functionDeclarations: GeminiFunctionDeclaration[] }>;
  toolConfig?: { functionCallingConfig: { mode: 'AUTO' | 'ANY' | 'NONE' | 'VALIDATED'; allowedFunctionNames?: string[] } };
  generationConfig?: GeminiGenerationConfig;
}

const TRANSLATED_PARAMETERS: ReadonlySet<string> = new Set([
  'model',
  'messages',
  'stream',
  'max_tokens',
  'max_completion_tokens',
  'temperature',
  'top_p',
  'stop',
  'n',
  'seed',
  'presence_penalty',
  'frequency_penalty',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'response_format',
  'reasoning_effort',
  'service_tier',
  // Accepted only at their default value (see checkDefaultOnlyParameters).
  'logprobs',
  'top_logprobs',
  'logit_bias',
  'verbosity',
  'modalities',
  'audio',
  'web_search_options',
  'functions',
  'function_call',
]);

/**
 * Accepted and not sent, because leaving them out changes neither what the model sees nor what it
 * may generate:
 * - `stream_options`: `include_usage` is read by the gateway; Gemini always reports usage.
 * - `user`, `safety_identifier`: end-user ids for OpenAI's abuse monitoring; Gemini has no field.
 * - `store`, `metadata`: storage and tagging of the completion on OpenAI's side.
 * - `prompt_cache_key`, `prompt_cache_retention`: OpenAI cache routing hints (cost/latency only;
 *   Gemini caches implicitly).
 * - `prediction`: predicted outputs only speed OpenAI up; the output is unchanged by it.
 * Also dropped inside messages: `image_url.detail` (a resolution hint) and `file.filename` (a label).
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

/** OpenAI `reasoning_effort` → Gemini 2.5 `thinkingBudget`, as Google's OpenAI-compatibility layer maps it. */
const THINKING_BUDGET: Readonly<Record<string, number>> = { none: 0, minimal: 1024, low: 1024, medium: 8192, high: 24576 };

export function toGeminiRequest(request: ChatCompletionRequest, ctx: CallContext): UpstreamRequest {
  const stream = request.stream === true;
  const method = stream ? 'streamGenerateContent?alt=sse' : 'generateContent';
  return {
    method: 'POST',
    url: `${ctx.baseUrl}/v1beta/models/${encodeURIComponent(ctx.model)}:${method}`,
    headers: { 'x-goog-api-key': ctx.apiKey, 'content-type': 'application/json' },
    body: JSON.stringify(toGeminiBody(request, ctx.model)),
  };
}

export function toGeminiBody(request: ChatCompletionRequest, model: string): GeminiGenerateContentRequest {
  checkKnownParameters(request, unsupported, TRANSLATED_PARAMETERS, HARMLESS_PARAMETERS);
  checkDefaultOnlyParameters(request);
  const { systemInstruction, contents } = toGeminiContents(request.messages);
  if (/^gemini-3/.test(model)) signUnsignedCalls(contents);
  const body: GeminiGenerateContentRequest = { contents };
  if (systemInstruction !== undefined) body.systemInstruction = systemInstruction;
  const declarations = toFunctionDeclarations(request.tools);
  if (declarations !== undefined) body.tools = [{ functionDeclarations: declarations }];
  const toolConfig = toToolConfig(request, declarations);
  if (toolConfig !== undefined) body.toolConfig = toolConfig;
  const generationConfig = toGenerationConfig(request, model);
  if (Object.keys(generationConfig).length > 0) body.generationConfig = generationConfig;
  return body;
}

/** Google's documented sentinel for function calls that carry no signature (history from another model). */
export const SKIP_THOUGHT_SIGNATURE = 'skip_thought_signature_validator';

/**
 * Gemini 3 rejects a model turn whose function calls carry no thought signature (it validates the
 * first call of each step). Calls that came from another model, or from a client that rebuilt the
 * ids, have none: the first call of such a turn gets Google's documented skip sentinel.
 */
function signUnsignedCalls(contents: GeminiContent[]): void {
  for (const content of contents) {
    if (content.role !== 'model') continue;
    const calls = content.parts.filter((part): part is Extract<GeminiPart, { functionCall: unknown }> => 'functionCall' in part);
    if (calls.length > 0 && calls.every((call) => call.thoughtSignature === undefined)) calls[0]!.thoughtSignature = SKIP_THOUGHT_SIGNATURE;
  }
}

function checkDefaultOnlyParameters(request: ChatCompletionRequest): void {
  const r = request as Record<string, unknown>;
  // Gemini can return logprobs, but in a shape (logprobsResult) this adapter does not translate yet.
  checkNoLogprobs(r, unsupported);
  checkNoLogitBias(r, unsupported);
  checkTextOutputOnly(r, unsupported);
  checkNoDeprecatedFunctions(r, unsupported);
  // Gemini may answer with several function calls in one turn and has no switch to prevent it.
  if (request.parallel_tool_calls === false) throw unsupported('parallel_tool_calls', '`parallel_tool_calls: false`');
  const tier = r.service_tier;
  if (isSet(tier) && tier !== 'auto' && tier !== 'default') throw unsupported('service_tier', `\`service_tier\` "${String(tier)}"`);
}

function toGenerationConfig(request: ChatCompletionRequest, model: string): GeminiGenerationConfig {
  const config: GeminiGenerationConfig = {};
  const stopSequences = toStopSequences(request.stop);
  if (stopSequences !== undefined) config.stopSequences = stopSequences;
  const format = request.response_format;
  if (format != null && format.type !== 'text') {
    config.responseMimeType = 'application/json';
    if (format.type === 'json_schema') config.responseJsonSchema = jsonSchemaOf(format, unsupported);
    else if (format.type !== 'json_object') {
      throw unsupported('response_format', `\`response_format\` of type "${String(format.type)}"`);
    }
  }
  if (request.n != null && request.n !== 1) config.candidateCount = request.n;
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  if (maxTokens != null) config.maxOutputTokens = maxTokens;
  if (request.temperature != null) config.temperature = request.temperature;
  if (request.top_p != null) config.topP = request.top_p;
  const r = request as Record<string, unknown>;
  if (typeof r.seed === 'number') config.seed = r.seed;
  if (typeof r.presence_penalty === 'number' && r.presence_penalty !== 0) config.presencePenalty = r.presence_penalty;
  if (typeof r.frequency_penalty === 'number' && r.frequency_penalty !== 0) config.frequencyPenalty = r.frequency_penalty;
  const thinking = toThinkingConfig(r.reasoning_effort, model);
  if (thinking !== undefined) config.thinkingConfig = thinking;
  return config;
}

/** Gemini 3 takes a thinking level; Gemini 2.5 a token budget. */
function toThinkingConfig(effort: unknown, model: string): GeminiGenerationConfig['thinkingConfig'] {
  if (effort == null) return undefined;
  const budget = typeof effort === 'string' ? THINKING_BUDGET[effort] : undefined;
  if (budget === undefined) throw unsupported('reasoning_effort', `\`reasoning_effort\` "${String(effort)}"`);
  if (/^gemini-3/.test(model)) {
    if (effort === 'none') throw unsupported('reasoning_effort', '`reasoning_effort` "none" on Gemini 3 models');
    return { thinkingLevel: effort as string };
  }
  return { thinkingBudget: budget };
}

function toFunctionDeclarations(tools: ChatTool[] | undefined | null): GeminiFunctionDeclaration[] | undefined {
  if (tools == null || tools.length === 0) return undefined;
  return tools.map((tool, i) => {
    if (tool.type !== 'function') throw unsupported(`tools[${i}].type`, `Tools of type "${String(tool.type)}"`);
    const fn = tool.function;
    return {
      name: fn.name,
      ...(fn.description !== undefined && { description: fn.description }),
      // Passed as JSON Schema (parametersJsonSchema), not converted to the OpenAPI subset of `parameters`.
      ...(fn.parameters !== undefined && { parametersJsonSchema: fn.parameters }),
    };
  });
}

/**
 * auto → AUTO (or VALIDATED when a tool asks for `strict`: calls then adhere to the schema),
 * required → ANY, none → NONE, a named function → ANY restricted to that name.
 */
function toToolConfig(
  request: ChatCompletionRequest,
  declarations: GeminiFunctionDeclaration[] | undefined,
): GeminiGenerateContentRequest['toolConfig'] {
  const choice: ChatToolChoice | null | undefined = request.tool_choice;
  if (declarations === undefined) {
    checkToolChoiceWithoutTools(choice);
    return undefined;
  }
  const strict = (request.tools ?? []).some((tool) => tool.function.strict === true);
  if (choice == null || choice === 'auto') return strict ? { functionCallingConfig: { mode: 'VALIDATED' } } : undefined;
  if (choice === 'none') return { functionCallingConfig: { mode: 'NONE' } };
  if (choice === 'required') return { functionCallingConfig: { mode: 'ANY' } };
  if (typeof choice === 'object' && choice.type === 'function') {
    return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [choice.function.name] } };
  }
  throw unknownToolChoiceError(choice, unsupported);
}

/**
 * System and developer messages become `systemInstruction` (joined with blank lines, in order);
 * user and tool messages become `user` turns, assistant messages `model` turns. Consecutive turns
 * of one role are merged, so the function responses answering one model turn share one turn.
 */
export function toGeminiContents(messages: ChatMessage[]): {
  systemInstruction?: { parts: Array<{ text: string }> };
  contents: GeminiContent[];
} {
  const systemTexts: string[] = [];
  const contents: GeminiContent[] = [];
  const toolNames = new Map<string, string>();
  translateMessages<void>(messages, unsupported, {
    system: (message, path) => {
      systemTexts.push(...systemText(message.content, path));
    },
    user: (message, path) => append(contents, 'user', userParts(message.content, path)),
    assistant: (message, path) => append(contents, 'model', modelParts(message, path, toolNames)),
    tool: (message, path) => {
      const name = toolNames.get(message.tool_call_id);
      if (name === undefined) {
        throw invalid(`${path}.tool_call_id`, `No earlier assistant tool call has the id "${String(message.tool_call_id)}".`);
      }
      append(contents, 'user', [{ functionResponse: { name, response: { output: toolOutput(message.content, path) } } }]);
    },
  });
  if (contents.length === 0) throw invalid('messages', 'Gemini needs at least one user or assistant message besides system messages.');
  return {
    ...(systemTexts.length > 0 && { systemInstruction: { parts: [{ text: systemTexts.join('\n\n') }] } }),
    contents,
  };
}

function append(contents: GeminiContent[], role: GeminiContent['role'], parts: GeminiPart[]): void {
  if (parts.length === 0) return;
  const last = contents[contents.length - 1];
  if (last !== undefined && last.role === role) last.parts.push(...parts);
  else contents.push({ role, parts });
}

function textParts(text: string): GeminiPart[] {
  return text === '' ? [] : [{ text }];
}

function userParts(content: string | ChatContentPart[], path: string): GeminiPart[] {
  if (typeof content === 'string') return textParts(content);
  return content.flatMap((part, j) => userPart(part, `${path}.content[${j}]`));
}

const AUDIO_MIME: Readonly<Record<string, string>> = { wav: 'audio/wav', mp3: 'audio/mp3' };

function userPart(part: ChatContentPart, path: string): GeminiPart[] {
  switch (part.type) {
    case 'text':
      return textParts((part as { text: string }).text);
    case 'image_url':
      return [imagePart((part as { image_url: { url: string } }).image_url.url, `${path}.image_url.url`)];
    case 'input_audio': {
      const audio = (part as { input_audio?: { data?: unknown; format?: unknown } }).input_audio;
      const mimeType = typeof audio?.format === 'string' ? AUDIO_MIME[audio.format] : undefined;
      if (mimeType === undefined || typeof audio?.data !== 'string') {
        throw invalid(`${path}.input_audio`, 'input_audio needs base64 `data` and a `format` of "wav" or "mp3".');
      }
      return [{ inlineData: { mimeType, data: audio.data } }];
    }
    case 'file': {
      const file = (part as { file?: { file_data?: unknown; file_id?: unknown } }).file;
      if (typeof file?.file_id === 'string') throw unsupported(`${path}.file.file_id`, 'Files referenced by OpenAI `file_id`');
      const parsed = typeof file?.file_data === 'string' ? parseBase64DataUrl(file.file_data) : undefined;
      if (parsed === undefined) throw invalid(`${path}.file.file_data`, 'A file part needs `file_data` as a base64 data URL.');
      return [{ inlineData: { mimeType: parsed.mediaType, data: parsed.data } }];
    }
    default:
      throw unsupported(`${path}.type`, `Content parts of type "${part.type}"`);
  }
}

const IMAGE_EXTENSIONS: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  heic: 'image/heic',
  heif: 'image/heif',
};

/**
 * Base64 data URLs go inline (`inlineData`). Since January 2026 the Gemini API also fetches public
 * http(s) URLs given as `fileData {fileUri, mimeType}`; the MIME type is required there, so it is
 * taken from the URL path's extension, and a URL without a known image extension is refused
 * (Switchboard does not fetch client URLs itself).
 */
function imagePart(url: string, param: string): GeminiPart {
  if (url.startsWith('data:')) {
    const parsed = parseBase64DataUrl(url);
    if (parsed === undefined) throw invalid(param, 'Image data URLs must be base64 encoded (data:<type>;base64,...).');
    if (!parsed.mediaType.startsWith('image/')) throw invalid(param, `"${parsed.mediaType}" is not an image type.`);
    return { inlineData: { mimeType: parsed.mediaType, data: parsed.data } };
  }
  if (/^https?:\/\//i.test(url)) {
    let extension: string | undefined;
    try {
      extension = /\.([a-z0-9]+)$/i.exec(new URL(url).pathname)?.[1]?.toLowerCase();
    } catch {
      throw invalid(param, 'The image URL is not a valid URL.');
    }
    const mimeType = extension === undefined ? undefined : IMAGE_EXTENSIONS[extension];
    if (mimeType === undefined) {
      throw unsupported(param, 'Image URLs without a .png/.jpg/.jpeg/.webp/.gif/.heic/.heif extension (Gemini needs the image type; send a base64 data: URL instead)');
    }
    return { fileData: { mimeType, fileUri: url } };
  }
  throw invalid(param, 'Image URLs must be http(s) URLs or base64 data URLs.');
}

function modelParts(
  message: Extract<ChatMessage, { role: 'assistant' }>,
  path: string,
  toolNames: Map<string, string>,
): GeminiPart[] {
  const parts: GeminiPart[] = assistantTexts(message, path).flatMap(textParts);
  (message.tool_calls ?? []).forEach((call, k) => {
    parts.push(functionCallPart(call, `${path}.tool_calls[${k}]`));
    toolNames.set(call.id, call.function.name);
  });
  return parts;
}

function functionCallPart(call: ChatToolCall, path: string): GeminiPart {
  checkFunctionToolCall(call, path, unsupported);
  const args = parseToolArguments(call.function.arguments, `${path}.function.arguments`);
  const signature = thoughtSignatureOf(call.id);
  return { functionCall: { name: call.function.name, args }, ...(signature !== undefined && { thoughtSignature: signature }) };
}

/** The thought signature a tool call id carries (see from-gemini-response.ts), if any. */
export function thoughtSignatureOf(toolCallId: string): string | undefined {
  const at = toolCallId.indexOf(THOUGHT_SIGNATURE_SEPARATOR);
  if (at === -1) return undefined;
  const signature = toolCallId.slice(at + THOUGHT_SIGNATURE_SEPARATOR.length);
  return signature === '' ? undefined : signature;
}

function toolOutput(content: string | ChatContentPart[], path: string): string {
  if (typeof content === 'string') return content;
  return textOnlyParts(content, path, 'Tool').join('');
}
