import { describe, expect, it } from 'vitest';
import { classifyError } from './error-handler.js';

/** What node-postgres throws, wrapped as Drizzle wraps it (`cause`). */
const wrapped = (code: string, message: string) => Object.assign(new Error('Failed query: insert …'), { cause: Object.assign(new Error(message), { code }) });

describe('classifyError', () => {
  it('makes a NUL PostgreSQL refused in text a 400, not an internal error', () => {
    const error = classifyError(wrapped('22021', 'invalid byte sequence for encoding "UTF8": 0x00'));
    expect(error).toMatchObject({ code: 'invalid_request', status: 400, source: 'user' });
  });

  it('keeps other query failures internal, and a lost connection a 503', () => {
    expect(classifyError(wrapped('23505', 'duplicate key value'))).toMatchObject({ code: 'internal_error', status: 500 });
    expect(classifyError(wrapped('57P01', 'terminating connection due to administrator command'))).toMatchObject({ code: 'storage_unavailable', status: 503 });
  });
});
