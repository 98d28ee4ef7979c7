import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AppError, errorCatalog, toAppError, toErrorBody, type ErrorCode } from './errors.js';

describe('error catalogue', () => {
  it('documents every code in docs/errors.md with its status and source', () => {
    const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
    for (const [code, spec] of Object.entries(errorCatalog)) {
      const row = doc.split('\n').find((line) => line.startsWith(`| \`${code}\` |`));
      expect(row, code).toBeDefined();
      expect(row).toContain(`| ${spec.status} | ${spec.source} |`);
    }
  });

  it('renders the one error shape with an OpenAI-style type', () => {
    const body = toErrorBody(new AppError('provider_key_rejected', { param: 'model' }));
    expect(body).toEqual({
      error: {
        message: errorCatalog.provider_key_rejected.message,
        type: 'authentication_error',
        code: 'provider_key_rejected',
        source: 'user',
        param: 'model',
      },
    });
    const types: Array<[ErrorCode, string]> = [
      ['invalid_request', 'invalid_request_error'],
      ['not_found', 'not_found_error'],
      ['rate_limited', 'rate_limit_error'],
      ['provider_overloaded', 'overloaded_error'],
      ['internal_error', 'api_error'],
    ];
    for (const [code, type] of types) expect(toErrorBody(new AppError(code)).error.type).toBe(type);
  });

  it('hides anything that is not an AppError behind internal_error', () => {
    const error = toAppError(new Error('connection string postgres://user:secret@db/x'));
    expect(error.code).toBe('internal_error');
    expect(JSON.stringify(toErrorBody(error))).not.toContain('secret');
  });
});
