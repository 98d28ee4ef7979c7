/** The Logs page's URL search params (WEBAPP.md §4.2), validated by its route (routes.tsx). */
import * as z from 'zod/mini';

const text = (max: number) => z.optional(z.string().check(z.maxLength(max)));

export const logsSearch = z.object({
  model: text(200),
  service: text(64),
  key_id: text(64),
  integration_id: text(64),
  /** A class, success/error, or an exact status such as 429. */
  status: z.optional(z.union([z.enum(['success', 'error', '2xx', '3xx', '4xx', '5xx']), z.string().check(z.regex(/^[1-5]\d\d$/))])),
  error_source: z.optional(z.enum(['user', 'provider', 'platform'])),
  fallback: z.optional(z.enum(['true'])),
  /** Filters the table by record id or x-request-id (the "Request ID" searchbox). */
  request_id: text(128),
  from: text(40),
  to: text(40),
  /** The open "Request details" dialog (an x-request-id or record id): shareable. */
  request: text(128),
});
