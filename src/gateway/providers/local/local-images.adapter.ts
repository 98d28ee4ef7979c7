/**
 * The built-in local image generator (service `local`, model `local/pattern`): a deterministic
 * PNG drawn from a SHA-256 of the prompt, size and image index, so the same request always yields
 * the same bytes. No provider, no key, no I/O: the first step is already the answer. It is a
 * labelled fallback (the gateway sets `x-switchboard-fallback: local` and the body's `model`),
 * never passed off as another model.
 */
import { createHash } from 'node:crypto';
import { AppError } from '../../../platform/errors.js';
import { dataUrl, imageUsage, parseSize, refuseParameters } from '../image-translation.js';
import type { ImageGenerationRequest, ImagesAdapter } from '../provider.js';
import { encodePng } from './png.js';

export const LOCAL_IMAGE_MODELS = ['pattern'] as const;
/** The largest edge the local generator draws (it is a placeholder, not an artist). */
export const LOCAL_MAX_EDGE = 1024;
const DEFAULT_SIZE = '256x256';

/** The deterministic pattern: colour bands and rings whose colours and frequencies come from the hash. */
export function drawPattern(prompt: string, width: number, height: number, index: number): Buffer {
  const seed = createHash('sha256').update(`${index}\u0000${width}x${height}\u0000${prompt}`).digest();
  const rgb = new Uint8Array(width * height * 3);
  const fx = 2 + (seed[0]! % 13);
  const fy = 2 + (seed[1]! % 13);
  const cx = (seed[2]! / 255) * width;
  const cy = (seed[3]! / 255) * height;
  const ring = 8 + (seed[4]! % 40);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const band = (Math.floor((x * fx) / width) + Math.floor((y * fy) / height)) % 4;
      const distance = Math.floor(Math.hypot(x - cx, y - cy) / ring) % 2;
      const base = 5 + band * 6 + distance * 3;
      const offset = (y * width + x) * 3;
      rgb[offset] = seed[base % 32]!;
      rgb[offset + 1] = seed[(base + 1) % 32]!;
      rgb[offset + 2] = seed[(base + 2) % 32]!;
    }
  }
  return encodePng(width, height, rgb);
}

function sizeOf(request: ImageGenerationRequest): { size: string; width: number; height: number } {
  const size = request.size === undefined || request.size === 'auto' ? DEFAULT_SIZE : request.size;
  const parsed = parseSize(size);
  if (!parsed || parsed.width > LOCAL_MAX_EDGE || parsed.height > LOCAL_MAX_EDGE) {
    throw new AppError('invalid_request', { param: 'size', message: `The local generator draws sizes up to ${LOCAL_MAX_EDGE}x${LOCAL_MAX_EDGE}, e.g. "256x256".` });
  }
  return { size, ...parsed };
}

export const localImagesAdapter: ImagesAdapter = {
  service: 'local',
  startImageGeneration(request, ctx) {
    if (!(LOCAL_IMAGE_MODELS as readonly string[]).includes(ctx.model)) {
      throw new AppError('invalid_request', { param: 'model', message: `The local image generator offers: ${LOCAL_IMAGE_MODELS.map((m) => `local/${m}`).join(', ')}.` });
    }
    refuseParameters(request, ['quality', 'style', 'background', 'moderation', 'output_compression'], 'The local generator');
    if (request.output_format !== undefined && request.output_format !== 'png') {
      throw new AppError('unsupported_parameter', { param: 'output_format', message: 'The local generator draws png only.' });
    }
    const { size, width, height } = sizeOf(request);
    const n = request.n ?? 1;
    const wantUrl = (request.response_format ?? 'url') === 'url';
    const data = Array.from({ length: n }, (_, index) => {
      const b64 = drawPattern(request.prompt, width, height, index).toString('base64');
      return wantUrl ? { url: dataUrl(b64, 'png') } : { b64_json: b64 };
    });
    return {
      kind: 'done',
      body: { created: ctx.createdAt, model: `local/${ctx.model}`, data, output_format: 'png', size },
      usage: imageUsage(n, size),
    };
  },
  nextImageStep() {
    throw new AppError('internal_error', { message: 'The local image generator has no further steps.' });
  },
  mapError() {
    return new AppError('internal_error', { message: 'The local image generator made no provider call.' });
  },
};
