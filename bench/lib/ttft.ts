/**
 * Time to first token: a small undici client keeps `concurrency` streams in flight for a while and
 * times, per request, the span from just before the request is sent to the first body chunk that
 * carries a `data:` event. Every stream is read to the end and must end with `data: [DONE]`.
 */
import { Agent, request } from 'undici';
import { percentile } from './load.js';

export interface TtftSpec {
  url: string;
  headers: Record<string, string>;
  body: string;
  concurrency: number;
  durationSeconds: number;
}

export interface TtftResult {
  count: number;
  errors: number;
  ms: { p50: number; p90: number; p99: number };
}

export async function measureTtft(spec: TtftSpec): Promise<TtftResult> {
  const agent = new Agent({ connections: spec.concurrency, keepAliveTimeout: 30_000 });
  const samples: number[] = [];
  let errors = 0;
  const deadline = performance.now() + spec.durationSeconds * 1000;

  const one = async () => {
    const started = performance.now();
    let first: number | undefined;
    let tail = '';
    const response = await request(spec.url, { method: 'POST', headers: spec.headers, body: spec.body, dispatcher: agent });
    for await (const chunk of response.body) {
      const text = (chunk as Buffer).toString('utf8');
      if (first === undefined && text.includes('data:')) first = performance.now() - started;
      tail = (tail + text).slice(-64);
    }
    if (response.statusCode !== 200 || first === undefined || !tail.includes('data: [DONE]')) {
      errors += 1;
      return;
    }
    samples.push(first);
  };

  const worker = async () => {
    while (performance.now() < deadline) {
      try {
        await one();
      } catch {
        errors += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: spec.concurrency }, worker));
  await agent.close();
  samples.sort((a, b) => a - b);
  return {
    count: samples.length,
    errors,
    ms: { p50: percentile(samples, 0.5), p90: percentile(samples, 0.9), p99: percentile(samples, 0.99) },
  };
}
