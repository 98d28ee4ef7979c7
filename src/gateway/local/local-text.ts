/**
 * Service `local`: text from models the operator runs, with no stored integration.
 *
 * - SWITCHBOARD_LOCAL_MODEL_PATH: a GGUF file served in-process (gguf-server.ts) as
 *   `local/<SWITCHBOARD_LOCAL_MODEL_NAME or the file's name>`.
 * - SWITCHBOARD_LOCAL_LLM_URL: a local OpenAI-compatible server (Ollama, llama.cpp's server, vLLM);
 *   any other `local/<name>` goes there as `<name>`.
 *
 * Both are operator-configured, so they are reached through the trusted pool (loopback allowed).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../../config.js';
import { AppError } from '../../platform/errors.js';
import type { Logger } from '../../platform/logger.js';
import { createGgufServer, type GgufServer } from './gguf-server.js';
import type { NodeLlamaCpp } from './llama-runtime.js';

export type LocalConfig = Config['local'];

/** The built-in credential of a local call (no integration behind it). */
export interface LocalCredential {
  baseUrl: string;
  apiKey: string;
  /** Where the model runs: in this process (GGUF) or on the configured local server. */
  backend: 'in_process' | 'server';
}

export interface LocalModel {
  /** `local/<name>`, as clients put it in `model`. */
  id: string;
  backend: LocalCredential['backend'];
}

export interface LocalText {
  /** The credential for `local/<model>`; throws `local_unavailable` / `unknown_model` with the fix. */
  credential(model: string): Promise<LocalCredential>;
  /**
   * The model a route's `fallback_local` uses: the GGUF model if one is configured, else
   * SWITCHBOARD_LOCAL_MODEL_NAME, else the first model the local server lists (cached a minute).
   * Throws `local_unavailable` when there is none.
   */
  fallbackModel(): Promise<string>;
  /**
   * The local models a caller can use, for GET /v1/models: the GGUF model, and what the local
   * server lists at GET <url>/models (Ollama, llama.cpp and vLLM all answer it), if it answers.
   */
  listModels(options?: { signal?: AbortSignal }): Promise<LocalModel[]>;
  close(): Promise<void>;
}

export function localModelName(config: Pick<LocalConfig, 'modelPath' | 'modelName'>): string | undefined {
  if (!config.modelPath) return undefined;
  return config.modelName ?? path.basename(config.modelPath).replace(/\.gguf$/i, '');
}

const FALLBACK_LIST_TTL_MS = 60_000;

const NOT_CONFIGURED =
  'No local model is configured. Set SWITCHBOARD_LOCAL_LLM_URL to a local OpenAI-compatible server (e.g. Ollama: http://127.0.0.1:11434/v1) or SWITCHBOARD_LOCAL_MODEL_PATH to a GGUF file.';

export function createLocalText(config: LocalConfig, logger: Logger, options: { loadRuntime?: () => Promise<NodeLlamaCpp> } = {}): LocalText {
  const ggufName = localModelName(config);
  let listedFallback: { at: number; model: string | undefined } | undefined;
  let gguf: GgufServer | undefined;
  if (config.modelPath) {
    // A wrong path fails start-up, not the first request an hour later.
    if (!existsSync(config.modelPath)) throw new Error(`SWITCHBOARD_LOCAL_MODEL_PATH: ${config.modelPath} does not exist`);
    gguf = createGgufServer({
      modelPath: config.modelPath,
      name: ggufName!,
      contextSize: config.contextSize,
      threads: config.threads,
      maxQueue: config.maxQueue,
      maxTokens: config.maxTokens,
      logger: logger.child({ component: 'local-model' }),
      ...(options.loadRuntime ? { loadRuntime: options.loadRuntime } : {}),
    });
  }

  return {
    async credential(model) {
      if (gguf && model === ggufName) return { ...(await gguf.start()), backend: 'in_process' };
      if (config.llmUrl) return { baseUrl: config.llmUrl, apiKey: config.llmApiKey ?? 'switchboard-local', backend: 'server' };
      if (gguf) {
        throw new AppError('unknown_model', {
          param: 'model',
          message: `The local model "local/${model.slice(0, 200)}" is not available. Available: local/${ggufName}.`,
        });
      }
      throw new AppError('local_unavailable', { message: NOT_CONFIGURED });
    },
    async fallbackModel() {
      if (ggufName) return ggufName;
      if (config.modelName && config.llmUrl) return config.modelName;
      if (!config.llmUrl) throw new AppError('local_unavailable', { message: NOT_CONFIGURED });
      if (!listedFallback || Date.now() - listedFallback.at > FALLBACK_LIST_TTL_MS) {
        const listed = await this.listModels();
        listedFallback = { at: Date.now(), model: listed[0]?.id.slice('local/'.length) };
      }
      if (listedFallback.model) return listedFallback.model;
      listedFallback = undefined;
      throw new AppError('local_unavailable', { message: 'The local LLM server lists no model to fall back to. Set SWITCHBOARD_LOCAL_MODEL_NAME to the model it serves.' });
    },
    async listModels({ signal } = {}) {
      const models: LocalModel[] = ggufName ? [{ id: `local/${ggufName}`, backend: 'in_process' }] : [];
      if (!config.llmUrl) return models;
      try {
        const response = await fetch(`${config.llmUrl}/models`, {
          headers: { authorization: `Bearer ${config.llmApiKey ?? 'switchboard-local'}` },
          signal: signal ?? AbortSignal.timeout(2_000),
        });
        if (!response.ok) return models;
        const body = (await response.json()) as { data?: Array<{ id?: unknown }> };
        for (const entry of body.data ?? []) {
          if (typeof entry.id === 'string' && entry.id !== ggufName) models.push({ id: `local/${entry.id}`, backend: 'server' });
        }
      } catch (error) {
        logger.debug({ err: error }, 'the local LLM server did not list its models');
      }
      return models;
    },
    async close() {
      await gguf?.close();
    },
  };
}
