/**
 * Per-service help for the integration form (where to get a key, its format, the provider's
 * console) and what the quick start's samples use per service. Only the lazily loaded form and
 * the quick start import it; the table needs just the labels (services.ts).
 */
import type { Schemas } from '../../api/types';

/** A service an integration can be created for, as POST /api/integrations takes it. */
export type ServiceId = Schemas['CreateIntegration']['service'];

export interface ServiceInfo {
  id: ServiceId;
  label: string;
  help: string;
  console?: string;
  /** What the quick start can show for it besides chat. */
  kinds: Array<'chat' | 'embeddings' | 'images' | 'video'>;
  /** A model the quick-start snippets use when the key check listed none. */
  model: string;
}

export const SERVICES: ServiceInfo[] = [
  { id: 'openai', label: 'OpenAI', help: 'A secret key from API keys in the OpenAI platform; it starts with sk-.', console: 'https://platform.openai.com/api-keys', kinds: ['chat', 'embeddings', 'images'], model: 'gpt-4o-mini' },
  { id: 'anthropic', label: 'Anthropic', help: 'A key from API keys in the Anthropic console; it starts with sk-ant-.', console: 'https://console.anthropic.com/settings/keys', kinds: ['chat'], model: 'claude-3-5-haiku-latest' },
  { id: 'gemini', label: 'Google Gemini', help: 'An API key from Google AI Studio (about 39 characters, starting with AIza).', console: 'https://aistudio.google.com/app/apikey', kinds: ['chat', 'embeddings'], model: 'gemini-2.0-flash' },
  { id: 'cohere', label: 'Cohere', help: 'A production or trial key from the Cohere dashboard (40 characters).', console: 'https://dashboard.cohere.com/api-keys', kinds: ['chat', 'embeddings'], model: 'command-r' },
  { id: 'stability', label: 'Stability AI', help: 'A key from your Stability AI account; it starts with sk-.', console: 'https://platform.stability.ai/account/keys', kinds: ['images'], model: 'stable-image-core' },
  { id: 'runway', label: 'Runway', help: 'A key from the Runway developer portal; it starts with key_.', console: 'https://dev.runwayml.com/', kinds: ['video'], model: 'gen4_turbo' },
  { id: 'midjourney', label: 'Midjourney-style task API', help: 'The key of your Midjourney-style proxy, and its base URL.', kinds: ['images'], model: 'midjourney' },
  { id: 'openai_compatible', label: 'OpenAI-compatible server', help: 'Any server speaking OpenAI’s API (Ollama, vLLM, Groq, Mistral…): its base URL ending in /v1, and its key (any text if it needs none).', kinds: ['chat', 'embeddings'], model: 'default' },
];

export const serviceInfo = (id: string): ServiceInfo | undefined => SERVICES.find((service) => service.id === id);
