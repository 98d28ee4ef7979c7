/** The fake Gemini API answers in Gemini's real shapes (see the reference noted in gemini.ts). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeProvider } from './fake-server.js';
import { geminiAnswer, startFakeGemini } from './gemini.js';

const KEY = 'AIzaSyFAKE-test-key-0000000000000000000';
let fake: FakeProvider;

beforeAll(async () => {
  fake = await startFakeGemini({ keys: ['AIzaSyOTHER', KEY] });
});
afterAll(async () => {
  await fake?.close();
});

const post = (path: string, body: unknown, headers: Record<string, string> = { 'x-goog-api-key': KEY }) =>
  fetch(`${fake.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
const hello = { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] };

describe('fake Gemini', () => {
  it('answers generateContent with a GenerateContentResponse naming the key that served', async () => {
    const response = await post('/v1beta/models/gemini-2.5-flash:generateContent', hello);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, any>;
    expect(body.candidates[0]).toMatchObject({ content: { role: 'model', parts: [{ text: geminiAnswer(2) }] }, finishReason: 'STOP', index: 0 });
    expect(body.usageMetadata.promptTokenCount).toBeGreaterThan(0);
    expect(body.modelVersion).toBe('gemini-2.5-flash');
  });

  it('accepts the key as the key query parameter too', async () => {
    const response = await post(`/v1beta/models/gemini-2.5-flash:generateContent?key=${KEY}`, hello, {});
    expect(response.status).toBe(200);
  });

  it('answers an unknown key with 400 INVALID_ARGUMENT / API_KEY_INVALID and no key with 403', async () => {
    const invalid = await post('/v1beta/models/gemini-2.5-flash:generateContent', hello, { 'x-goog-api-key': 'nope' });
    expect(invalid.status).toBe(400);
    const body = (await invalid.json()) as Record<string, any>;
    expect(body.error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
    expect(body.error.details[0]).toMatchObject({ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID' });
    expect((await post('/v1beta/models/gemini-2.5-flash:generateContent', hello, {})).status).toBe(403);
  });

  it('rejects unknown fields, empty contents and unknown models as Gemini does', async () => {
    const unknown = await post('/v1beta/models/gemini-2.5-flash:generateContent', { ...hello, temperature: 1 });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as Record<string, any>).error.message).toContain('Unknown name "temperature"');
    expect((await post('/v1beta/models/gemini-2.5-flash:generateContent', { contents: [] })).status).toBe(400);
    expect((await post('/v1beta/models/gemini-0:generateContent', hello)).status).toBe(404);
  });

  it('streams CRLF-separated SSE chunks with the finishReason on the last', async () => {
    const response = await post('/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse', hello);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const text = await response.text();
    const events = text.split('\r\n\r\n').filter((e) => e !== '').map((e) => JSON.parse(e.replace(/^data: /, '')) as Record<string, any>);
    expect(events.length).toBeGreaterThan(2);
    expect(events.map((e) => e.candidates[0].content.parts[0].text).join('')).toBe(geminiAnswer(2));
    expect(events.map((e) => e.candidates[0].finishReason)).toEqual([...events.slice(1).map(() => undefined), 'STOP']);
  });

  it('calls the first function when tools are given, and answers text after a functionResponse', async () => {
    const tools = [{ functionDeclarations: [{ name: 'f', parametersJsonSchema: { type: 'object', properties: { a: { type: 'integer' } } } }] }];
    const call = (await (await post('/v1beta/models/gemini-2.5-pro:generateContent', { ...hello, tools })).json()) as Record<string, any>;
    expect(call.candidates[0].content.parts).toEqual([{ functionCall: { name: 'f', args: { a: 1 } } }]);
    const contents = [...hello.contents, { role: 'model', parts: [{ functionCall: { name: 'f', args: { a: 1 } } }] }, { role: 'user', parts: [{ functionResponse: { name: 'f', response: { output: 'x' } } }] }];
    const text = (await (await post('/v1beta/models/gemini-2.5-pro:generateContent', { contents, tools })).json()) as Record<string, any>;
    expect(text.candidates[0].content.parts[0].text).toBe(geminiAnswer(2));
  });

  it('embeds in batches and lists models', async () => {
    const response = await post('/v1beta/models/text-embedding-004:batchEmbedContents', {
      requests: [{ model: 'models/text-embedding-004', content: { parts: [{ text: 'a' }] }, outputDimensionality: 4 }],
    });
    expect(((await response.json()) as Record<string, any>).embeddings[0].values).toHaveLength(4);
    const mismatch = await post('/v1beta/models/text-embedding-004:batchEmbedContents', { requests: [{ model: 'models/other', content: { parts: [{ text: 'a' }] } }] });
    expect(mismatch.status).toBe(400);
    const list = await fetch(`${fake.baseUrl}/v1beta/models`, { headers: { 'x-goog-api-key': KEY } });
    expect(((await list.json()) as Record<string, any>).models.map((m: { name: string }) => m.name)).toContain('models/gemini-2.5-flash');
  });
});
