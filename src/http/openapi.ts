/**
 * Management API routers are OpenAPIHono apps: one zod schema validates input, types the handler
 * and documents the endpoint in /api/openapi.json. Validation failures become our 400 shape.
 */
import { OpenAPIHono, z } from '@hono/zod-openapi';
import { AppError } from '../platform/errors.js';
import { isUlid } from '../platform/ids.js';
import type { AppEnv } from './context.js';

export function createApiRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (result.success) return;
      const issues = result.error.issues;
      const first = issues[0];
      const param = first?.path.map(String).join('.') || undefined;
      const details = issues.slice(0, 5).map((issue) => `${issue.path.map(String).join('.') || 'body'}: ${issue.message}`);
      throw new AppError('invalid_request', {
        message: `Invalid request: ${details.join('; ')}.`,
        ...(param ? { param } : {}),
      });
    },
  });
}

export const ErrorSchema = z
  .object({
    error: z.object({
      message: z.string(),
      type: z.string(),
      code: z.string(),
      source: z.enum(['user', 'platform', 'provider']),
      param: z.string().nullable(),
    }),
  })
  .openapi('Error');

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: ErrorSchema } },
});

/** The error responses every authenticated JSON endpoint can produce. */
export const commonErrors = {
  400: errorResponse('Invalid request (source: user)'),
  401: errorResponse('Missing or invalid credentials'),
  404: errorResponse('Not found, or not yours'),
  413: errorResponse('Body too large'),
  503: errorResponse('Storage unavailable; nothing was changed'),
} as const;

export const PageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(50).openapi({ description: 'Page size (1–1000)' }),
  cursor: z.string().max(64).optional().openapi({ description: 'next_cursor from the previous page' }),
});

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ data: z.array(item), next_cursor: z.string().nullable() });

export const bearerSecurity = [{ bearerAuth: [] }];

/** A ULID path or query parameter: a malformed one answers 400 (with `param`), an unknown one 404. */
export const UlidSchema = z
  .string()
  .refine(isUlid, { message: 'must be a ULID (26 Crockford base32 characters)' })
  .openapi({ example: '01JB8ZQ6Q3V8Y3J0K9QK7T1M2N' });
