import type { Context } from 'hono';
import type { AppEnv } from './context.js';
import { AppError } from '../platform/errors.js';
import { requestHeader } from './node-headers.js';

/** Parse a JSON object body with a clear 4xx for every way it can be wrong. */
export async function readJsonObject(c: Context<AppEnv>): Promise<Record<string, unknown>> {
  const type = requestHeader(c, 'content-type') ?? '';
  if (!/^application\/([a-z0-9.+-]*\+)?json\b/i.test(type)) {
    throw new AppError('unsupported_media_type');
  }
  const text = await c.req.text();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AppError('invalid_json');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AppError('invalid_request', { message: 'The request body must be a JSON object.' });
  }
  return value as Record<string, unknown>;
}
