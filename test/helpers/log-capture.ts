import { Writable } from 'node:stream';

/** A pino destination that keeps every line, so tests can assert on (and search) the logs. */
export function createLogCapture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.length > 0) lines.push(line);
      callback();
    },
  });
  return {
    stream,
    lines,
    text: () => lines.join('\n'),
    parsed: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
