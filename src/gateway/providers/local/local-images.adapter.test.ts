import { crc32 as zlibCrc32, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { thrown } from '../../../../test/helpers/adapter-replay.js';
import type { CallContext, ImageGenerationRequest } from '../provider.js';
import { localImagesAdapter } from './local-images.adapter.js';
import { crc32, encodePng } from './png.js';

const ctx: CallContext = { model: 'pattern', apiKey: '', baseUrl: 'local:', requestId: 'req_1', createdAt: 1767225600, includeUsage: false };

function generate(request: Partial<ImageGenerationRequest>): { body: { data: Array<{ b64_json?: string; url?: string }>; model?: string }; usage: unknown } {
  const step = localImagesAdapter.startImageGeneration({ model: 'local/pattern', prompt: 'p', response_format: 'b64_json', ...request }, ctx);
  if (step.kind !== 'done') throw new Error('the local generator answers at once');
  return step;
}

/** Chunks of a PNG, each CRC checked with node:zlib's own crc32. */
function chunks(png: Buffer): Array<{ type: string; data: Buffer }> {
  expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  const out: Array<{ type: string; data: Buffer }> = [];
  for (let offset = 8; offset < png.length; ) {
    const length = png.readUInt32BE(offset);
    const type = png.subarray(offset + 4, offset + 8).toString('ascii');
    const data = png.subarray(offset + 8, offset + 8 + length);
    expect(png.readUInt32BE(offset + 8 + length)).toBe(zlibCrc32(png.subarray(offset + 4, offset + 8 + length)));
    out.push({ type, data });
    offset += 12 + length;
  }
  return out;
}

describe('local image generator', () => {
  it('draws a valid PNG of the requested size', () => {
    const png = Buffer.from(generate({ size: '40x24' }).body.data[0]!.b64_json!, 'base64');
    const parts = chunks(png);
    expect(parts.map((part) => part.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    expect(parts[0]!.data.readUInt32BE(0)).toBe(40);
    expect(parts[0]!.data.readUInt32BE(4)).toBe(24);
    expect(inflateSync(parts[1]!.data).length).toBe(24 * (40 * 3 + 1));
  });

  it('is deterministic per prompt and size, and differs across prompts, sizes and images of one request', () => {
    const a = generate({ prompt: 'a fox', size: '32x32', n: 2 }).body.data.map((item) => item.b64_json);
    expect(generate({ prompt: 'a fox', size: '32x32', n: 2 }).body.data.map((item) => item.b64_json)).toEqual(a);
    expect(a[0]).not.toBe(a[1]);
    expect(generate({ prompt: 'a cat', size: '32x32' }).body.data[0]!.b64_json).not.toBe(a[0]);
    expect(generate({ prompt: 'a fox', size: '32x48' }).body.data[0]!.b64_json).not.toBe(a[0]);
  });

  it('names itself, meters images, answers url as a data: URL', () => {
    const result = generate({ size: '16x16', response_format: 'url', n: 3 });
    expect(result.body.model).toBe('local/pattern');
    expect(result.body.data[0]!.url).toMatch(/^data:image\/png;base64,iVBORw0KGgo/);
    expect(result.usage).toEqual({ images: 3, imageVariant: '16x16' });
  });

  it('refuses sizes, formats and models it cannot draw', () => {
    expect(thrown(() => generate({ size: '4096x4096' }))).toMatchObject({ code: 'invalid_request', param: 'size' });
    expect(thrown(() => generate({ output_format: 'jpeg' }))).toMatchObject({ code: 'unsupported_parameter', param: 'output_format' });
    expect(thrown(() => generate({ style: 'vivid' }))).toMatchObject({ code: 'unsupported_parameter', param: 'style' });
    expect(thrown(() => localImagesAdapter.startImageGeneration({ model: 'local/x', prompt: 'p' }, { ...ctx, model: 'x' }))).toMatchObject({ param: 'model' });
  });

  it('its CRC-32 matches node:zlib’s', () => {
    const bytes = Buffer.from('IHDR switchboard');
    expect((crc32(bytes) ^ 0xffffffff) >>> 0).toBe(zlibCrc32(bytes));
    expect(encodePng(1, 1, new Uint8Array([255, 0, 0])).length).toBeGreaterThan(50);
  });
});
