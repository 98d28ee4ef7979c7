import { pino, type Logger as PinoLogger, type LoggerOptions } from 'pino';

export type Logger = PinoLogger;
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/**
 * Paths pino censors wherever they appear in a logged object. Secrets must never be logged in the
 * first place; this is the second line of defence for the ones that slip into an object.
 */
export const redactPaths = [
  'authorization',
  'cookie',
  'password',
  'api_key',
  'apiKey',
  'access_token',
  'refresh_token',
  'token',
  'key',
  'secret',
  '*.authorization',
  '*.Authorization',
  '*.cookie',
  '*.set-cookie',
  '*["x-api-key"]',
  '*.password',
  '*.api_key',
  '*.apiKey',
  '*.access_token',
  '*.refresh_token',
  '*.token',
  '*.secret',
  '*.masterKey',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
];

/** Drizzle's query errors carry the bound parameters (emails, hashes, ciphertext) in `params` and in the message. */
const QUERY_PARAMS_LINE = /\nparams: .*$/gm;

/** pino's error serializer, minus query parameters wherever they appear. */
export function serializeError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const serialized = pino.stdSerializers.err(error) as unknown as Record<string, unknown>;
  delete serialized.params;
  for (const field of ['message', 'stack'] as const) {
    const value = serialized[field];
    if (typeof value === 'string') serialized[field] = value.replace(QUERY_PARAMS_LINE, '\nparams: [REDACTED]');
  }
  return serialized;
}

export interface LoggerConfig {
  level: LogLevel;
  /** Where lines go; defaults to stdout. Tests pass a stream to inspect every line. */
  destination?: NodeJS.WritableStream;
}

export function createLogger(config: LoggerConfig): Logger {
  const options: LoggerOptions = {
    level: config.level,
    base: { service: 'switchboard' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: redactPaths, censor: '[REDACTED]' },
    serializers: { err: serializeError },
    formatters: { level: (label) => ({ level: label }) },
  };
  if (config.destination) return pino(options, config.destination as pino.DestinationStream);
  // Lines are written in batches of ≥ 4 KB, and at least once a second: one write per access line
  // measured ~8% of a proxied request's CPU (decision 0010). pino flushes the rest synchronously
  // when the process exits, however it exits.
  // Warnings and errors are written at once.
  const stdout = pino.destination({ dest: process.stdout.fd || 1, minLength: STDOUT_BATCH_BYTES, sync: false });
  setInterval(() => stdout.flush(), STDOUT_FLUSH_INTERVAL_MS).unref();
  options.hooks = {
    logMethod(args, method, level) {
      method.apply(this, args);
      if (level >= WARN_LEVEL) stdout.flush();
    },
  };
  return pino(options, stdout);
}

const STDOUT_BATCH_BYTES = 4096;
const STDOUT_FLUSH_INTERVAL_MS = 1000;
const WARN_LEVEL = 40;
