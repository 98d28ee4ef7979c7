/**
 * The explicit provider registry: adding a provider is one folder and a line per capability here.
 * A service missing from a map does not offer that capability (the endpoint answers 400 and lists
 * the services that do).
 */
import { anthropicAdapter } from './anthropic/anthropic.adapter.js';
import { cohereAdapter, cohereEmbeddingsAdapter } from './cohere/cohere.adapter.js';
import { localImagesAdapter } from './local/local-images.adapter.js';
import { createMidjourneyImagesAdapter } from './midjourney/midjourney-images.adapter.js';
import { openaiCompatibleImagesAdapter, openaiImagesAdapter } from './openai/openai-images.adapter.js';
import { stabilityImagesAdapter } from './stability/stability-images.adapter.js';
import { localAdapter } from './local/local.adapter.js';
import { geminiAdapter, geminiEmbeddingsAdapter } from './gemini/gemini.adapter.js';
import { openaiAdapter } from './openai/openai.adapter.js';
import { openaiEmbeddingsAdapter } from './openai/openai.embeddings.js';
import { openaiCompatibleAdapter } from './openai_compatible/compat.adapter.js';
import { openaiCompatibleEmbeddingsAdapter } from './openai_compatible/compat.embeddings.js';
import { openaiCompatibleVideoAdapter, openaiVideoAdapter } from './openai/openai-video.adapter.js';
import { runwayAdapter } from './runway/runway.adapter.js';
import type { ChatAdapter, EmbeddingsAdapter, ImagesAdapter, ServiceId, VideoAdapter } from './provider.js';
import { anthropicKeyCheck } from './anthropic/anthropic.key-check.js';
import { cohereKeyCheck } from './cohere/cohere.key-check.js';
import { geminiKeyCheck } from './gemini/gemini.key-check.js';
import type { KeyCheck } from './key-check.js';
import { openaiCompatibleKeyCheck, openaiKeyCheck } from './openai/openai.key-check.js';
import { runwayKeyCheck } from './runway/runway.key-check.js';
import { stabilityKeyCheck } from './stability/stability.key-check.js';

export const chatAdapters: Partial<Record<ServiceId, ChatAdapter>> = {
  openai: openaiAdapter,
  anthropic: anthropicAdapter,
  cohere: cohereAdapter,
  openai_compatible: openaiCompatibleAdapter,
  gemini: geminiAdapter,
  local: localAdapter,
};

export const embeddingsAdapters: Partial<Record<ServiceId, EmbeddingsAdapter>> = {
  openai: openaiEmbeddingsAdapter,
  cohere: cohereEmbeddingsAdapter,
  openai_compatible: openaiCompatibleEmbeddingsAdapter,
  gemini: geminiEmbeddingsAdapter,
};

export const imagesAdapters: Partial<Record<ServiceId, ImagesAdapter>> = {
  openai: openaiImagesAdapter,
  openai_compatible: openaiCompatibleImagesAdapter,
  stability: stabilityImagesAdapter,
  // Default paths; services.ts replaces it with one built from SWITCHBOARD_MIDJOURNEY_* settings.
  midjourney: createMidjourneyImagesAdapter(),
  local: localImagesAdapter,
};

export const videoAdapters: Partial<Record<ServiceId, VideoAdapter>> = {
  openai: openaiVideoAdapter,
  runway: runwayAdapter,
  openai_compatible: openaiCompatibleVideoAdapter,
};

export interface ProviderRegistry {
  chat: Partial<Record<ServiceId, ChatAdapter>>;
  embeddings: Partial<Record<ServiceId, EmbeddingsAdapter>>;
  images: Partial<Record<ServiceId, ImagesAdapter>>;
  video: Partial<Record<ServiceId, VideoAdapter>>;
}

export const providerRegistry: ProviderRegistry = {
  chat: chatAdapters,
  embeddings: embeddingsAdapters,
  images: imagesAdapters,
  video: videoAdapters,
};

/**
 * Key checks (integration health): the cheapest authenticated call per service. A service without
 * one (midjourney: Midjourney-style task APIs document no cheap authenticated call; local) is
 * saved without a check and verified by its first request.
 */
export const keyChecks: Partial<Record<ServiceId, KeyCheck>> = {
  openai: openaiKeyCheck,
  openai_compatible: openaiCompatibleKeyCheck,
  anthropic: anthropicKeyCheck,
  cohere: cohereKeyCheck,
  gemini: geminiKeyCheck,
  stability: stabilityKeyCheck,
  runway: runwayKeyCheck,
};
