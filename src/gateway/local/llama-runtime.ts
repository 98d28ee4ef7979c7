/**
 * Loads node-llama-cpp lazily, only when SWITCHBOARD_LOCAL_MODEL_PATH is used, from the root
 * node_modules (an operator's own install, e.g. with GPU builds) or else from ./local-llm, where
 * `npm run local-llm:install` puts the CPU build (see scripts/install-local-llm.mjs for why it is
 * not a regular dependency: +723 MB of GPU binaries per checkout).
 *
 * The types below are the small part of node-llama-cpp 3.22.1's API this gateway uses, checked
 * against its .d.ts (evaluator/LlamaChat/LlamaChat.d.ts, TokenMeter.d.ts, bindings/getLlama.d.ts),
 * so the package is not needed to type-check.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { AppError } from '../../platform/errors.js';

export const NODE_LLAMA_CPP_VERSION = '3.22.1';

export type ChatHistoryItem = { type: 'system'; text: string } | { type: 'user'; text: string } | { type: 'model'; response: string[] };

export interface LlamaTokenMeterState {
  usedInputTokens: number;
  usedOutputTokens: number;
}

export interface LlamaContextSequence {
  readonly tokenMeter: { getState(): LlamaTokenMeterState };
}

export interface LlamaChatInstance {
  readonly chatWrapper: {
    generateContextState(options: { chatHistory: ChatHistoryItem[] }): { contextText: { tokenize(tokenizer: unknown): unknown[] } };
  };
  generateResponse(
    history: ChatHistoryItem[],
    options: {
      onTextChunk?: (text: string) => void;
      signal?: AbortSignal;
      stopOnAbortSignal?: boolean;
      maxTokens?: number;
      temperature?: number;
      topP?: number;
      seed?: number;
      customStopTriggers?: string[];
    },
  ): Promise<{ response: string; metadata: { stopReason: string } }>;
}

export interface LlamaModelInstance {
  readonly tokenizer: unknown;
  createContext(options: { contextSize?: number; sequences: number; threads?: number }): Promise<{
    getSequence(): LlamaContextSequence;
    dispose(): Promise<void>;
  }>;
  dispose(): Promise<void>;
}

export interface NodeLlamaCpp {
  getLlama(options: { gpu?: false | 'auto'; build: 'never'; logLevel: 'error' | 'warn'; maxThreads?: number }): Promise<{
    loadModel(options: { modelPath: string }): Promise<LlamaModelInstance>;
    dispose(): Promise<void>;
  }>;
  LlamaChat: new (options: { contextSequence: LlamaContextSequence }) => LlamaChatInstance;
}

/** ./local-llm/node_modules/node-llama-cpp, found by walking up from this file (src/ or dist/src/). */
function localPrefixEntry(): string | undefined {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 6; depth++) {
    const entry = path.join(dir, 'local-llm', 'node_modules', 'node-llama-cpp', 'dist', 'index.js');
    if (existsSync(entry)) return entry;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

const isNotFound = (error: unknown) => (error as { code?: string })?.code === 'ERR_MODULE_NOT_FOUND';

export async function loadNodeLlamaCpp(): Promise<NodeLlamaCpp> {
  // A variable specifier: the package is optional, so neither tsc nor the bundler may resolve it.
  const packageName = 'node-llama-cpp';
  try {
    return (await import(packageName)) as NodeLlamaCpp;
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  const entry = localPrefixEntry();
  if (entry) return (await import(pathToFileURL(entry).href)) as NodeLlamaCpp;
  throw new AppError('local_unavailable', {
    message: `SWITCHBOARD_LOCAL_MODEL_PATH is set but node-llama-cpp is not installed. Run \`npm run local-llm:install\` (CPU build, ~85 MB) or \`npm install node-llama-cpp@${NODE_LLAMA_CPP_VERSION}\`.`,
  });
}
