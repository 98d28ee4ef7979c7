/** The explicit provider registry: adding a provider is one folder and one line here. */
import { anthropicAdapter } from './anthropic/anthropic.adapter.js';
import { openaiAdapter } from './openai/openai.adapter.js';
import type { ChatAdapter, ServiceId } from './provider.js';

export const chatAdapters: Partial<Record<ServiceId, ChatAdapter>> = {
  openai: openaiAdapter,
  anthropic: anthropicAdapter,
};
