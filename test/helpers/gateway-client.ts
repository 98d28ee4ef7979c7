/**
 * What the server-level gateway tests do as a client of a running test server: call it through
 * the official `openai` SDK, store a provider integration, and read the caller's metered usage.
 */
import OpenAI from 'openai';
import { expect } from 'vitest';
import type { TestServer } from './test-server.js';

/** A row of GET /api/usage, as the tests read it. */
export interface UsageRow {
  request_id: string;
  service: string;
  model: string;
  operation: string;
  team_id: string | null;
  integration_id: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  image_count: number | null;
  video_seconds: number | null;
  cost_micros: number | null;
  priced: boolean;
  fallback: boolean;
  status: number;
  error_code: string | null;
  error_source: string | null;
  stream: boolean;
  ttft_ms: number | null;
}

/** The official SDK pointed at the test server, without its own retries (the tests count calls). */
export function openaiSdk(server: TestServer, credential: string, headers?: Record<string, string>): OpenAI {
  return new OpenAI({ apiKey: credential, baseURL: `${server.url}/v1`, maxRetries: 0, ...(headers !== undefined && { defaultHeaders: headers }) });
}

/** The caller's usage rows, newest first, after the batched recorder has written what it holds. */
export async function usageRows(server: TestServer, token: string, headers?: Record<string, string>): Promise<UsageRow[]> {
  await server.running.services.recorder.flush();
  const response = await server.api('/api/usage?limit=100', { token, ...(headers !== undefined && { headers }) });
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: UsageRow[] }).data;
}

/** Stores an integration (personal by default; a team's under `path`) and returns what the API answered. */
export async function createIntegration(
  server: TestServer,
  token: string,
  body: Record<string, unknown>,
  path = '/api/integrations',
): Promise<{ id: string; key_last4: string }> {
  const response = await server.api(path, { token, body });
  expect(response.status, await response.clone().text()).toBe(201);
  return (await response.json()) as { id: string; key_last4: string };
}
