import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../platform/logger.js';
import { lazyChild } from './request-context.js';

describe('the request logger', () => {
  it('is made on first use only, carries the request id, and still redacts', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        callback();
      },
    });
    const logger = createLogger({ level: 'debug', destination });
    let children = 0;
    const counting = new Proxy(logger, {
      get(target, property, receiver) {
        if (property === 'child') children += 1;
        return Reflect.get(target, property, receiver) as unknown;
      },
    });
    const requestLogger = lazyChild(counting, 'req_lazy_1');
    expect(children).toBe(0);
    requestLogger.warn({ headers: { authorization: 'Bearer secret-token' } }, 'something went wrong');
    requestLogger.info('again');
    expect(children).toBe(1);
    const [first, second] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(first).toMatchObject({ level: 'warn', request_id: 'req_lazy_1', msg: 'something went wrong' });
    expect(second).toMatchObject({ request_id: 'req_lazy_1', msg: 'again' });
    expect(lines.join('\n')).not.toContain('secret-token');
    expect(requestLogger.isLevelEnabled('debug')).toBe(true);
  });
});
