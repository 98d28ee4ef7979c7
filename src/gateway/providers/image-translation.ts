/**
 * Small pure helpers shared by the image adapters: refusing parameters a provider cannot express,
 * sizes, `data:` URLs for providers that return bytes, and the usage every image answer reports.
 */
import { AppError } from '../../platform/errors.js';
import type { ImageGenerationRequest, NormalizedUsage } from './provider.js';

const MIME: Record<string, string> = { png: 'image/png', jpeg: 'image/jpeg', jpg: 'image/jpeg', webp: 'image/webp' };

export const mimeOf = (format: string | undefined): string => MIME[format ?? 'png'] ?? 'image/png';

/**
 * `response_format: "url"` for a provider that returns the image itself: Switchboard stores no
 * images, so the URL is a `data:` URL carrying the bytes (documented in docs/api.md).
 */
export const dataUrl = (base64: string, format: string | undefined): string => `data:${mimeOf(format)};base64,${base64}`;

/** 400 `unsupported_parameter` for each given parameter the provider cannot express. */
export function refuseParameters(request: ImageGenerationRequest, params: ReadonlyArray<keyof ImageGenerationRequest>, provider: string): void {
  for (const param of params) {
    if (request[param] !== undefined) {
      throw new AppError('unsupported_parameter', {
        param,
        message: `${provider} image generation does not support "${param}". Remove it or pick another model.`,
      });
    }
  }
}

export function parseSize(size: string): { width: number; height: number } | undefined {
  const match = /^(\d{1,5})x(\d{1,5})$/.exec(size);
  if (!match) return undefined;
  const width = Number(match[1]);
  const height = Number(match[2]);
  return width > 0 && height > 0 ? { width, height } : undefined;
}

/** What the per-image price depends on: `<size>` or `<size>/<quality>`. */
export const imageVariant = (size: string, quality: string | undefined): string => (quality ? `${size}/${quality}` : size);

export function imageUsage(images: number, size: string, quality?: string): NormalizedUsage {
  return { images, imageVariant: imageVariant(size, quality) };
}

export const toBase64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
