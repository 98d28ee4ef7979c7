/**
 * The in-process server's own rules, with a stand-in for node-llama-cpp so timing is under the
 * test's control (the real runtime and a real GGUF file run in test/app/local-fallback.test.ts):
 * its bearer key, the bounded queue (503 when full), and a load failure turned into
 * `local_unavailable`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../platform/errors.js';
import { createLogger } from '../../platform/logger.js';
import type { ChatHistoryItem, NodeLlamaCpp } from './llama-runtime.js';
import { createLocalText, type LocalText } from './local-text.js';

const logger = createLogger({ level: 'silent' });
const opened: Array<{ local: LocalText; dir: string }> = [];

afterEach(async () => {
  for (const { local, dir } of opened.splice(0)) {
    await local.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A runtime whose generations finish when the test says so. */
function gatedRuntime() {
  const gates: Array<() => void> = [];
  let output = 0;
  const runtime: NodeLlamaCpp = {
    getLlama: async () => ({
      loadModel: async () => ({
        tokenizer: {},
        createContext: async () => ({
          getSequence: () => ({ tokenMeter: { getState: () => ({ usedInputTokens: 0, usedOutputTokens: output }) } }),
          dispose: async () => {},
        }),
        dispose: async () => {},
      }),
      dispose: async () => {},
    }),
    LlamaChat: class {
      readonly chatWrapper = {
        generateContextState: ({ chatHistory }: { chatHistory: ChatHistoryItem[] }) => ({ contextText: { tokenize: () => new Array(chatHistory.length * 3) } }),
      };
      async generateResponse(_history: ChatHistoryItem[], options: { onTextChunk?: (text: string) => void }) {
        await new Promise<void>((resolve) => gates.push(resolve));
        options.onTextChunk?.('ok');
        output += 1;
        return { response: 'ok', metadata: { stopReason: 'eogToken' } };
      }
    },
  };
  return { runtime, gates };
}

function open(options: { maxQueue: number; loadRuntime: () => Promise<NodeLlamaCpp> }) {
  const dir = mkdtempSync(path.join(tmpdir(), 'switchboard-local-'));
  const modelPath = path.join(dir, 'stand-in.gguf');
  writeFileSync(modelPath, 'GGUF');
  const local = createLocalText(
    { llmUrl: undefined, llmApiKey: undefined, modelPath, modelName: undefined, contextSize: undefined, threads: undefined, maxQueue: options.maxQueue, maxTokens: 16 },
    logger,
    { loadRuntime: options.loadRuntime },
  );
  opened.push({ local, dir });
  return local;
}

const chat = (credential: { baseUrl: string; apiKey: string }, key = credential.apiKey) =>
  fetch(`${credential.baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'stand-in', messages: [{ role: 'user', content: 'hi' }] }),
  });

const until = async (condition: () => boolean) => {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(condition()).toBe(true);
};

describe('in-process GGUF server', () => {
  it('listens on 127.0.0.1, answers only its per-boot key, and names the model after the file', async () => {
    const { runtime, gates } = gatedRuntime();
    const local = open({ maxQueue: 1, loadRuntime: async () => runtime });
    const credential = await local.credential('stand-in');
    expect(credential.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    expect((await chat(credential, 'sb-local-guess')).status).toBe(401);
    const answer = chat(credential);
    await until(() => gates.length === 1);
    gates.shift()!();
    const body = (await (await answer).json()) as { model: string; usage: { prompt_tokens: number; completion_tokens: number } };
    expect(body.model).toBe('local/stand-in');
    expect(body.usage).toEqual({ prompt_tokens: 6, completion_tokens: 1, total_tokens: 7 });
    expect(await local.listModels()).toEqual([{ id: 'local/stand-in', backend: 'in_process' }]);
  });

  it('serves one request at a time, lets maxQueue wait, and answers 503 beyond that', async () => {
    const { runtime, gates } = gatedRuntime();
    const local = open({ maxQueue: 1, loadRuntime: async () => runtime });
    const credential = await local.credential('stand-in');
    const first = chat(credential);
    await until(() => gates.length === 1);
    // Two more: one may wait, the other is refused at once (whichever arrives second).
    const more = [chat(credential), chat(credential)];
    const refused = await Promise.race(more);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('local_busy');
    expect(gates.length).toBe(1);
    gates.shift()!();
    expect((await first).status).toBe(200);
    await until(() => gates.length === 1);
    gates.shift()!();
    const statuses = (await Promise.all(more)).map((response) => response.status).sort();
    expect(statuses).toEqual([200, 503]);
  });

  it('turns a model that cannot be loaded into local_unavailable, and retries the load next time', async () => {
    let attempts = 0;
    const local = open({
      maxQueue: 1,
      loadRuntime: async () => {
        attempts += 1;
        throw new Error('unsupported model architecture');
      },
    });
    const failure = await local.credential('stand-in').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AppError);
    expect(failure).toMatchObject({ code: 'local_unavailable', status: 503 });
    expect((failure as AppError).message).toContain('SWITCHBOARD_LOCAL_MODEL_PATH');
    await local.credential('stand-in').catch(() => undefined);
    expect(attempts).toBe(2);
  });

  it('names the available model when another local model is asked for, and the variables when none is configured', async () => {
    const { runtime } = gatedRuntime();
    const local = open({ maxQueue: 1, loadRuntime: async () => runtime });
    await expect(local.credential('llama3')).rejects.toMatchObject({ code: 'unknown_model', param: 'model' });
    const none = createLocalText(
      { llmUrl: undefined, llmApiKey: undefined, modelPath: undefined, modelName: undefined, contextSize: undefined, threads: undefined, maxQueue: 1, maxTokens: 16 },
      logger,
    );
    await expect(none.credential('llama3')).rejects.toMatchObject({ code: 'local_unavailable' });
    expect(await none.listModels()).toEqual([]);
  });
});
