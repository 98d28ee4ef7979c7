/**
 * Runs both fakes for manual trials and benchmarks, on 127.0.0.1 only:
 *
 *   npx tsx test/fakes/serve.ts --openai-port 9101 --anthropic-port 9102 --gemini-port 9103 --keys sk-a,sk-b
 *
 * Optional: --latency-ms N (processing time before each answer), --stream-interval-ms N (pause
 * between SSE events). Ports default to 0 (any free port). Stops on SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';
import { startFakeAnthropic } from './anthropic.js';
import type { FakeProvider } from './fake-server.js';
import { startFakeGemini } from './gemini.js';
import { startFakeOpenAI } from './openai.js';

interface ServeOptions {
  openaiPort: number;
  anthropicPort: number;
  geminiPort: number;
  keys: string[];
  latencyMs: number | undefined;
  streamIntervalMs: number | undefined;
}

function readOptions(argv: string[]): ServeOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      'openai-port': { type: 'string', default: '0' },
      'anthropic-port': { type: 'string', default: '0' },
      'gemini-port': { type: 'string', default: '0' },
      keys: { type: 'string' },
      'latency-ms': { type: 'string' },
      'stream-interval-ms': { type: 'string' },
    },
  });
  const keys = (values.keys ?? '').split(',').map((key) => key.trim()).filter((key) => key !== '');
  if (keys.length === 0) throw new Error('--keys is required: a comma-separated list of keys the fakes accept');
  return {
    openaiPort: toNumber('--openai-port', values['openai-port']),
    anthropicPort: toNumber('--anthropic-port', values['anthropic-port']),
    geminiPort: toNumber('--gemini-port', values['gemini-port']),
    keys,
    latencyMs: optionalNumber('--latency-ms', values['latency-ms']),
    streamIntervalMs: optionalNumber('--stream-interval-ms', values['stream-interval-ms']),
  };
}

function optionalNumber(flag: string, value: string | undefined): number | undefined {
  return value === undefined ? undefined : toNumber(flag, value);
}

function toNumber(flag: string, value: string | undefined): number {
  const number = Number(value);
  if (value === undefined || !Number.isInteger(number) || number < 0) {
    throw new Error(`${flag} must be a non-negative integer, got ${JSON.stringify(value)}`);
  }
  return number;
}

async function main(): Promise<void> {
  const options = readOptions(process.argv.slice(2));
  const shared = { keys: options.keys, latencyMs: options.latencyMs, streamIntervalMs: options.streamIntervalMs };
  const openai = await startFakeOpenAI({ ...shared, port: options.openaiPort });
  const anthropic = await startFakeAnthropic({ ...shared, port: options.anthropicPort });
  const gemini = await startFakeGemini({ ...shared, port: options.geminiPort });
  const fakes: FakeProvider[] = [openai, anthropic, gemini];

  // The keys themselves are never printed: only how many there are.
  console.log(`fake-openai    ${openai.baseUrl}`);
  console.log(`fake-anthropic ${anthropic.baseUrl}`);
  console.log(`fake-gemini    ${gemini.baseUrl}`);
  console.log(`accepting ${options.keys.length} key(s); Ctrl-C to stop`);

  const stop = (): void => {
    void Promise.all(fakes.map((fake) => fake.close())).then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
