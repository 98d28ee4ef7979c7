import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, type LogLevel } from '../platform/logger.js';
import { createAccessLog, type AccessFields } from './access-log.js';

function capture(level: LogLevel = 'info') {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  return { logger: createLogger({ level, destination }), lines };
}

/** What pino itself writes for the same line (the shape access-log.ts reproduces). */
function pinoLine(fields: AccessFields): Record<string, unknown> {
  const { logger, lines } = capture();
  const line = { request_id: fields.requestId, method: fields.method, path: fields.path, status: fields.status, duration_ms: fields.durationMs, ip: fields.ip, user_id: fields.userId };
  if (fields.status >= 500) logger.error(line, 'request');
  else logger.info(line, 'request');
  return JSON.parse(lines[0]!) as Record<string, unknown>;
}

const withoutTime = (line: Record<string, unknown>) => ({ ...line, time: typeof line.time });

const cases: AccessFields[] = [
  { requestId: 'req_01JXYZ', method: 'POST', path: '/v1/chat/completions', status: 200, durationMs: 1.5, ip: '127.0.0.1', userId: '01JUSER' },
  { requestId: 'client-id.42', method: 'GET', path: '/api/usage?from="x"&q=\\é\u2028', status: 404, durationMs: 0, ip: null, userId: undefined },
  { requestId: 'req_2', method: 'GET', path: '/odd\ud800/\u0001', status: 499, durationMs: 12345.6, ip: '::1', userId: undefined },
  { requestId: 'req_3', method: 'POST', path: '/v1/embeddings', status: 502, durationMs: 3.2, ip: '10.0.0.1', userId: '01JUSER' },
];

describe('access log line', () => {
  it.each(cases)('is what pino writes for the same fields (status $status)', (fields) => {
    const { logger, lines } = capture();
    createAccessLog(logger)(fields);
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(withoutTime(line)).toEqual(withoutTime(pinoLine(fields)));
    // Key order too: log shippers and people read these lines.
    expect(Object.keys(line)).toEqual(Object.keys(pinoLine(fields)));
    expect(new Date(line.time as string).toISOString()).toBe(line.time);
  });

  it('writes nothing below the logger level, server errors still at warn', () => {
    const { logger, lines } = capture('warn');
    const write = createAccessLog(logger);
    write(cases[0]!);
    expect(lines).toHaveLength(0);
    write(cases[3]!);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'error', status: 502, msg: 'request' });
  });
});
