/**
 * OpenAI image generation (`POST {base}/images/generations`) for dall-e-2, dall-e-3 and the GPT
 * image models, and the same wire format for custom OpenAI-compatible image APIs.
 *
 * Checked against the OpenAI API reference (Images → Create image) and the openai-node 6.49 types
 * (`resources/images.d.ts`: ImageGenerateParamsBase, ImagesResponse incl. `usage` for GPT image
 * models): GPT image models always answer `b64_json` and reject `response_format`; dall-e-3 takes
 * n=1 only; prompt limits 1000 (dall-e-2), 4000 (dall-e-3), 32000 (GPT image models).
 */
import { AppError } from '../../../platform/errors.js';
import { dataUrl, imageUsage, refuseParameters, toBase64 } from '../image-translation.js';
import type { CallContext, ImageGenerationRequest, ImageGenerationResponse, ImageStep, ImageStepInput, ImagesAdapter, NormalizedUsage } from '../provider.js';
import { mapOpenAIError } from './map-openai-error.js';

type Family = 'dall-e-2' | 'dall-e-3' | 'gpt-image' | 'compatible';

function familyOf(service: 'openai' | 'openai_compatible', model: string): Family {
  if (service === 'openai_compatible') return 'compatible';
  if (model.startsWith('dall-e-3')) return 'dall-e-3';
  if (model.startsWith('gpt-image') || model.startsWith('chatgpt-image')) return 'gpt-image';
  return 'dall-e-2';
}

const PROMPT_LIMITS: Record<Family, number> = { 'dall-e-2': 1000, 'dall-e-3': 4000, 'gpt-image': 32000, compatible: 32000 };

function checkRequest(family: Family, request: ImageGenerationRequest): void {
  if (request.prompt.length > PROMPT_LIMITS[family]) {
    throw new AppError('invalid_request', {
      param: 'prompt',
      message: `prompt is too long for this model: at most ${PROMPT_LIMITS[family]} characters.`,
    });
  }
  if (family === 'dall-e-3' && request.n !== undefined && request.n !== 1) {
    throw new AppError('invalid_request', { param: 'n', message: 'dall-e-3 generates one image per request: n must be 1.' });
  }
  if (family === 'dall-e-2' || family === 'dall-e-3') {
    refuseParameters(request, ['output_format', 'background', 'moderation', 'output_compression'], `OpenAI ${family}`);
    if (family === 'dall-e-2') refuseParameters(request, ['style'], 'OpenAI dall-e-2');
  }
  if (family === 'gpt-image') refuseParameters(request, ['style'], 'OpenAI GPT image');
}

interface ProviderImagesBody {
  created?: unknown;
  data?: unknown;
  usage?: { input_tokens?: unknown; output_tokens?: unknown; total_tokens?: unknown };
  size?: unknown;
  quality?: unknown;
  output_format?: unknown;
  background?: unknown;
}

type ImageItem = ImageGenerationResponse['data'][number];

interface FetchState {
  body: ImageGenerationResponse;
  usage: NormalizedUsage;
  /** Index of the item whose URL is being fetched. */
  index: number;
}

const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

function createAdapter(service: 'openai' | 'openai_compatible'): ImagesAdapter {
  const label = service === 'openai' ? 'OpenAI' : 'The OpenAI-compatible image API';

  const nextUrlFetch = (state: FetchState, from: number): ImageStep | undefined => {
    for (let index = from; index < state.body.data.length; index++) {
      const item = state.body.data[index]!;
      if (item.b64_json === undefined && item.url !== undefined) {
        // A provider-given URL: fetched without our key; the gateway sends it through the guarded client.
        return { kind: 'request', request: { method: 'GET', url: item.url, headers: { accept: 'image/*' } }, responseType: 'binary', state: { ...state, index } };
      }
    }
    return undefined;
  };

  return {
    service,
    startImageGeneration(request, ctx) {
      const family = familyOf(service, ctx.model);
      checkRequest(family, request);
      const body: Record<string, unknown> = {
        model: ctx.model,
        prompt: request.prompt,
        n: request.n,
        size: request.size,
        quality: request.quality,
        style: request.style,
        // GPT image models always answer base64 and reject the parameter.
        response_format: family === 'gpt-image' ? undefined : request.response_format,
        output_format: request.output_format,
        background: request.background,
        moderation: request.moderation,
        output_compression: request.output_compression,
        user: request.user,
      };
      return {
        kind: 'request',
        request: {
          method: 'POST',
          url: `${ctx.baseUrl}/images/generations`,
          headers: { authorization: `Bearer ${ctx.apiKey}`, 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify(body),
        },
      };
    },
    nextImageStep(input: ImageStepInput, request: ImageGenerationRequest, ctx: CallContext): ImageStep {
      if (input.state !== undefined) {
        // A URL fetched because the client asked for b64_json.
        const state = input.state as FetchState;
        const data = state.body.data.map((item, index) => (index === state.index ? { ...item, b64_json: toBase64(input.body as Uint8Array), url: undefined } : item));
        const next = { ...state, body: { ...state.body, data: data.map(stripUndefined) } };
        return nextUrlFetch(next, state.index + 1) ?? { kind: 'done', body: next.body, usage: next.usage };
      }
      const raw = input.body as ProviderImagesBody | null;
      if (typeof raw !== 'object' || raw === null || !Array.isArray(raw.data)) {
        throw new AppError('provider_error', { message: `${label} answered without a data array.` });
      }
      const format = str(raw.output_format) ?? request.output_format;
      const wantUrl = (request.response_format ?? 'url') === 'url';
      const data: ImageItem[] = (raw.data as unknown[]).map((entry) => {
        const item = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
        const b64 = str(item.b64_json);
        const url = str(item.url);
        const out: ImageItem = {};
        if (b64 !== undefined && wantUrl) out.url = dataUrl(b64, format);
        else if (b64 !== undefined) out.b64_json = b64;
        else if (url !== undefined) out.url = url;
        else throw new AppError('provider_error', { message: `${label} answered an image with neither url nor b64_json.` });
        const revised = str(item.revised_prompt);
        if (revised !== undefined) out.revised_prompt = revised;
        return out;
      });
      const family = familyOf(service, ctx.model);
      const size = request.size ?? str(raw.size) ?? '1024x1024';
      const quality = family === 'dall-e-2' ? undefined : (str(raw.quality) ?? request.quality ?? (family === 'dall-e-3' ? 'standard' : undefined));
      const usage: NormalizedUsage = imageUsage(data.length, size, quality);
      const inputTokens = num(raw.usage?.input_tokens);
      const outputTokens = num(raw.usage?.output_tokens);
      if (inputTokens !== undefined) usage.inputTokens = inputTokens;
      if (outputTokens !== undefined) usage.outputTokens = outputTokens;
      const body: ImageGenerationResponse = { created: num(raw.created) ?? ctx.createdAt, data };
      for (const key of ['output_format', 'size', 'quality', 'background'] as const) {
        const value = str(raw[key]);
        if (value !== undefined) body[key] = value;
      }
      if (raw.usage && inputTokens !== undefined) {
        body.usage = { input_tokens: inputTokens, output_tokens: outputTokens ?? 0, total_tokens: num(raw.usage.total_tokens) ?? inputTokens + (outputTokens ?? 0) };
      }
      const state: FetchState = { body, usage, index: 0 };
      return (!wantUrl ? nextUrlFetch(state, 0) : undefined) ?? { kind: 'done', body, usage };
    },
    mapError: mapOpenAIError,
  };
}

function stripUndefined(item: ImageItem): ImageItem {
  const out: ImageItem = {};
  if (item.url !== undefined) out.url = item.url;
  if (item.b64_json !== undefined) out.b64_json = item.b64_json;
  if (item.revised_prompt !== undefined) out.revised_prompt = item.revised_prompt;
  return out;
}

export const openaiImagesAdapter = createAdapter('openai');
export const openaiCompatibleImagesAdapter = createAdapter('openai_compatible');
