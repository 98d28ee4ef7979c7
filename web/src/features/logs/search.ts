/** The Logs page's URL search params (WEBAPP.md §4.2), validated by the page (invalid ones are dropped). */
import * as z from 'zod/mini';

const text = (max: number) => z.optional(z.string().check(z.maxLength(max)));

export const logsSearch = z.object({
  model: text(200),
  service: text(64),
  key_id: text(64),
  integration_id: text(64),
  /** A class, success/error, or an exact status such as 429 (what the server accepts; see parseStatusFilter). */
  status: z.optional(z.string().check(z.regex(/^(success|error|[2-5]xx|[1-5]\d\d)$/))),
  error_source: z.optional(z.string().check(z.regex(/^(user|provider|platform)$/))),
  fallback: z.optional(z.string().check(z.regex(/^true$/))),
  /** Filters the table by record id or x-request-id (the "Request ID" searchbox). */
  request_id: text(128),
  from: text(40),
  to: text(40),
  /** The open "Request details" dialog (an x-request-id or record id): shareable. */
  request: text(128),
});
