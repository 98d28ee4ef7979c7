import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, type Logger } from './logger.js';

function createLogCaptureForUnit(): { logger: Logger; lines: () => string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  return { logger: createLogger({ level: 'debug', destination }), lines: () => lines };
}

describe('logger', () => {
  it('censors secret-bearing fields wherever they appear', () => {
    const { logger, lines } = createLogCaptureForUnit();
    logger.info({ headers: { authorization: 'Bearer abc', 'x-api-key': 'sk-x' }, body: { api_key: 'sk-y', password: 'pw' } }, 'request');
    const text = lines().join('\n');
    for (const secret of ['Bearer abc', 'sk-x', 'sk-y', '"pw"']) expect(text).not.toContain(secret);
    expect(text).toContain('[REDACTED]');
  });

  it('drops query parameters from database errors (they hold emails, hashes and ciphertext)', () => {
    const { logger, lines } = createLogCaptureForUnit();
    const cause = new Error('connection terminated');
    const error = Object.assign(new Error('Failed query: insert into "users" values ($1, $2)\nparams: someone@example.com,$argon2id$v=19$secret'), {
      query: 'insert into "users" values ($1, $2)',
      params: ['someone@example.com', '$argon2id$v=19$secret'],
      cause,
    });
    logger.error({ err: error }, 'request failed');
    const text = lines().join('\n');
    expect(text).toContain('Failed query: insert into');
    expect(text).not.toContain('someone@example.com');
    expect(text).not.toContain('argon2id');
  });
});
