/**
 * The explicit provider registry: adding a provider is one folder and a line per capability here.
 * A service missing from a map does not offer that capability (the endpoint answers 400 and lists
 * the services that do).
 */
import { anthropicAdapter } from './anthropic/anthropic.adapter.js';
import { openaiAdapter } from './openai/openai.adapter.js';
import { openaiCompatibleVideoAdapter, openaiVideoAdapter } from './openai/openai-video.adapter.js';
import { runwayAdapter } from './runway/runway.adapter.js';
import type { ChatAdapter, EmbeddingsAdapter, ImagesAdapter, ServiceId, VideoAdapter } from './provider.js';

export const chatAdapters: Partial<Record<ServiceId, ChatAdapter>> = {
  openai: openaiAdapter,
  anthropic: anthropicAdapter,
};

export const embeddingsAdapters: Partial<Record<ServiceId, EmbeddingsAdapter>> = {};

export const imagesAdapters: Partial<Record<ServiceId, ImagesAdapter>> = {};

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
