/**
 * Cheap token estimates, for what no provider reported: the tokens a token limit reserves before
 * a call, and the prompt and delivered tokens of a stream that was cut short (billed and marked
 * `estimated`). About 4 characters per token (OpenAI's rule of thumb for English text), plus a
 * few tokens of framing per message. No tokenizer: this runs on the request path.
 */

export const CHARS_PER_TOKEN = 4;
/** Per-message framing (role, separators) in chat formats; OpenAI's cookbook counts 3–4. */
const TOKENS_PER_MESSAGE = 4;
/** Every answer is primed with a few tokens. */
const TOKENS_PER_REQUEST = 3;

export const tokensForChars = (chars: number): number => Math.ceil(chars / CHARS_PER_TOKEN);

/** From the request body's size alone (Content-Length): for requests no handler estimated better. */
export function requestBodyTokens(contentLength: string | undefined): number {
  const bytes = Number(contentLength);
  return Number.isFinite(bytes) && bytes > 0 ? tokensForChars(bytes) : 0;
}

/**
 * Keys whose string values are not text the model reads as prompt tokens (identifiers, enums,
 * binary payloads and links: an image is billed by the provider's own rules, not its base64).
 */
const NOT_TEXT = new Set(['role', 'type', 'id', 'tool_call_id', 'tool_use_id', 'url', 'image_url', 'data', 'media_type', 'detail', 'cache_control', 'file_id', 'signature']);

function textChars(value: unknown, key: string | undefined, depth: number): number {
  if (typeof value === 'string') return key !== undefined && NOT_TEXT.has(key) ? 0 : value.length;
  if (depth > 16 || typeof value !== 'object' || value === null) return 0;
  let chars = 0;
  if (Array.isArray(value)) {
    for (const item of value) chars += textChars(item, key, depth + 1);
    return chars;
  }
  for (const [name, item] of Object.entries(value)) chars += textChars(item, name, depth + 1);
  return chars;
}

/**
 * A chat (`messages`, `tools`) or Anthropic Messages (`messages`, `system`, `tools`) request's
 * prompt tokens: the text of its messages, system prompt and tool definitions.
 */
export function estimatePromptTokens(request: { messages?: unknown; system?: unknown; tools?: unknown }): number {
  const messages = Array.isArray(request.messages) ? request.messages : [];
  const chars = textChars(messages, undefined, 0) + textChars(request.system, 'system', 0) + textChars(request.tools, 'tools', 0);
  return tokensForChars(chars) + messages.length * TOKENS_PER_MESSAGE + TOKENS_PER_REQUEST;
}

/**
 * Where a stream payload's delivered text sits: chat chunks (`delta.content`, tool call
 * `arguments`, `reasoning_content`) and Anthropic events (`delta.text`, `partial_json`,
 * `thinking`). Each payload carries one kind of text, so the first key with text ends the search.
 */
const TEXT_KEYS = ['"content":', '"text":', '"arguments":', '"partial_json":', '"thinking":', '"reasoning_content":'] as const;

/**
 * Characters of text in one stream payload (a chat chunk or an Anthropic event), without parsing
 * it: a few substring searches after `"delta":`. Escapes count as written (`\n` is 2), which is
 * close enough for an estimate. Runs once per relayed payload, so it must stay this cheap.
 */
export function deliveredTextChars(payload: string): number {
  const delta = payload.indexOf('"delta":');
  if (delta === -1) return 0;
  for (const key of TEXT_KEYS) {
    let at = payload.indexOf(key, delta);
    if (at === -1) continue;
    let chars = 0;
    // n > 1 chat choices repeat the key, one per choice.
    while (at !== -1) {
      let start = at + key.length;
      while (payload.charCodeAt(start) === 32) start += 1;
      if (payload.charCodeAt(start) !== 34 /* " */) break;
      start += 1;
      let end = start;
      for (;;) {
        const code = payload.charCodeAt(end);
        if (Number.isNaN(code) || code === 34) break;
        end += code === 92 /* \ */ ? 2 : 1;
      }
      chars += end - start;
      at = payload.indexOf(key, end);
    }
    // `"content":null` beside tool calls: the text is under another key.
    if (chars > 0) return chars;
  }
  return 0;
}
