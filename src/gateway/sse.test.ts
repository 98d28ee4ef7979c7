import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatSseEvent, SseParser } from './sse.js';

const parseAll = (chunks: Array<string | Uint8Array>) => {
  const parser = new SseParser();
  return [...chunks.flatMap((chunk) => parser.push(chunk)), ...parser.end()];
};

describe('SseParser', () => {
  it('parses named events, multi-line data, ids and ignores comments', () => {
    const events = parseAll([': keep-alive\n', 'event: message_start\ndata: {"a":1}\n\n', 'id: 7\ndata: line1\ndata: line2\n\n']);
    expect(events).toEqual([
      { event: 'message_start', data: '{"a":1}', id: undefined },
      { event: undefined, data: 'line1\nline2', id: '7' },
    ]);
  });

  it('handles LF, CRLF and CR line endings, including a CR at the very end', () => {
    expect(parseAll(['data: a\r\n\r\n'])).toEqual([{ event: undefined, data: 'a', id: undefined }]);
    expect(parseAll(['data: a\r\r'])).toEqual([{ event: undefined, data: 'a', id: undefined }]);
    expect(parseAll(['data: a\r', '\ndata: b\n\n'])).toEqual([{ event: undefined, data: 'a\nb', id: undefined }]);
  });

  it('discards an unterminated final event and strips a leading BOM', () => {
    expect(parseAll(['\uFEFFdata: x\n\ndata: partial'])).toEqual([{ event: undefined, data: 'x', id: undefined }]);
  });

  it('decodes UTF-8 split across chunks', () => {
    const bytes = new TextEncoder().encode('data: héllo ✓\n\n');
    expect(parseAll([bytes.slice(0, 8), bytes.slice(8, 15), bytes.slice(15)])[0]?.data).toBe('héllo ✓');
  });

  it('gives the same events however the bytes are chunked (property)', () => {
    const event = fc.record({
      name: fc.option(fc.stringMatching(/^[a-z_]{1,12}$/), { nil: undefined }),
      data: fc.string({ maxLength: 40 }).filter((value) => !/[\r\n]/.test(value)),
    });
    fc.assert(
      fc.property(fc.array(event, { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 10 }), fc.constantFrom('\n', '\r\n', '\r'), (events, cuts, eol) => {
        const text = events.map((e) => formatSseEvent(e.data, e.name).replaceAll('\n', eol)).join('');
        const bytes = new TextEncoder().encode(text);
        const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
        const chunks: Uint8Array[] = [];
        let last = 0;
        for (const point of points) {
          chunks.push(bytes.slice(last, point));
          last = point;
        }
        chunks.push(bytes.slice(last));
        const parsed = parseAll(chunks);
        expect(parsed.map((e) => [e.event, e.data])).toEqual(events.map((e) => [e.name, e.data]));
      }),
    );
  });
});
