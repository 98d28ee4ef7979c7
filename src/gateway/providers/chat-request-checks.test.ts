import { describe, expect, it } from 'vitest';
import type { AppError } from '../../platform/errors.js';
import type { ChatMessage } from '../chat-types.js';
import {
  assistantTexts,
  checkKnownParameters,
  jsonSchemaOf,
  parseBase64DataUrl,
  parseToolArguments,
  systemText,
  toStopSequences,
  unknownRoleError,
  unsupportedBy,
} from './chat-request-checks.js';

const unsupported = unsupportedBy('acme');

const thrown = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
};

describe('chat request checks', () => {
  it('names the provider in unsupported_parameter errors and refuses unknown parameters', () => {
    expect(unsupported('n', '`n`')).toMatchObject({ code: 'unsupported_parameter', publicMessage: '`n` is not supported by provider acme.' });
    expect(() => checkKnownParameters({ model: 'x', user: 'u' }, unsupported, new Set(['model']), new Set(['user']))).not.toThrow();
    expect(thrown(() => checkKnownParameters({ frob: 1 }, unsupported, new Set(['model'])))).toMatchObject({ code: 'unsupported_parameter', param: 'frob' });
  });

  it('reads system and assistant text, refusing other parts', () => {
    expect(systemText([{ type: 'text', text: 'a' }, { type: 'text', text: '' }], 'messages[0]')).toEqual(['a']);
    expect(systemText('', 'messages[0]')).toEqual([]);
    expect(thrown(() => systemText([{ type: 'image_url', image_url: { url: 'x' } }], 'messages[0]'))).toMatchObject({ code: 'invalid_request', param: 'messages[0].content[0]' });
    const assistant = { role: 'assistant', content: [{ type: 'text', text: 'a' }, { type: 'refusal', refusal: 'b' }], refusal: 'c' } as Extract<ChatMessage, { role: 'assistant' }>;
    expect(assistantTexts(assistant, 'messages[1]')).toEqual(['a', 'b', 'c']);
  });

  it('tells the deprecated function role from an unknown one', () => {
    expect(unknownRoleError({ role: 'function' } as never, 'messages[2]', unsupported)).toMatchObject({ code: 'unsupported_parameter', param: 'messages[2].role' });
    expect(unknownRoleError({ role: 'robot' } as never, 'messages[2]', unsupported)).toMatchObject({ code: 'invalid_request', param: 'messages[2].role' });
  });

  it('parses data URLs, tool arguments, stop sequences and json_schema formats', () => {
    expect(parseBase64DataUrl('data:Image/PNG;name=a;base64,AAAA')).toEqual({ mediaType: 'image/png', data: 'AAAA' });
    expect(parseBase64DataUrl('data:image/png,%20')).toBeUndefined();
    expect(parseToolArguments(' ', 'p')).toEqual({});
    expect(parseToolArguments('{"a":1}', 'p')).toEqual({ a: 1 });
    expect(thrown(() => parseToolArguments('[1]', 'p'))).toMatchObject({ code: 'invalid_request', param: 'p' });
    // The arguments are prompt content: the error names the field, never quotes them.
    expect(JSON.stringify(thrown(() => parseToolArguments('{secret', 'p')))).not.toContain('secret');
    expect((thrown(() => parseToolArguments('{secret', 'p')) as AppError).publicMessage).not.toContain('secret');
    expect(toStopSequences('x')).toEqual(['x']);
    expect(toStopSequences([])).toBeUndefined();
    expect(jsonSchemaOf({ json_schema: { schema: { type: 'object' } } }, unsupported)).toEqual({ type: 'object' });
    expect(thrown(() => jsonSchemaOf({ json_schema: { schema: {}, description: 'd' } }, unsupported))).toMatchObject({ param: 'response_format.json_schema.description' });
  });
});
