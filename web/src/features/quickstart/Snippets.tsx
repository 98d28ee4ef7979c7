/**
 * The `tablist` "Code sample": curl, OpenAI Python/Node, Anthropic Python/Node, plus Embeddings,
 * Images and "Video (async)" when one of the user's integrations supports them. The model is the
 * route `auto` (or the first route) when routes exist, else the first integration's
 * `service/model`. Each block has "Copy code" (its exact text; select + "Press Ctrl+C" fallback).
 */
import { queryOptions, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api/client';
import type { ApiResponse, Integration, Schemas } from '../../api/types';
import { CodeBlock } from '../../ui/CodeBlock';
import { Tabs } from '../../ui/Tabs';
import { serviceInfo } from '../integrations/service-help';
import { buildSnippets } from './snippets';

/** The fields of a usage record (GET /api/usage, SSE usage.created) the quick start shows. */
export type UsageRow = Pick<Schemas['UsageRecord'], 'id' | 'model' | 'latency_ms' | 'cost_micros' | 'priced' | 'status'>;

const routesQuery = queryOptions({ queryKey: ['routes', 'personal'], queryFn: ({ signal }) => api<ApiResponse<'/api/routes'>>('/api/routes', { signal }) });

const EMBEDDING_MODELS: Record<string, string> = { openai: 'text-embedding-3-small', gemini: 'text-embedding-004', cohere: 'embed-english-v3.0', openai_compatible: 'default' };
const IMAGE_MODELS: Record<string, string> = { openai: 'gpt-image-1', stability: 'stable-image-core', midjourney: 'midjourney' };

/** The chat model of an integration: the service's usual one if listed, else the first listed. */
function chatModel(integration: Integration): string {
  const info = serviceInfo(integration.service);
  const fallback = info?.model ?? 'default';
  const listed = integration.models ?? [];
  const model = listed.length === 0 || listed.includes(fallback) ? fallback : listed[0]!;
  return `${integration.service}/${model}`;
}

function modelFor(integrations: Integration[], kind: 'embeddings' | 'images' | 'video', models: Record<string, string>): string | undefined {
  const match = integrations.find((integration) => serviceInfo(integration.service)?.kinds.includes(kind));
  if (!match) return undefined;
  return `${match.service}/${models[match.service] ?? serviceInfo(match.service)?.model ?? 'default'}`;
}

export default function Snippets({ origin, integrations, insertedKey }: { origin: string; integrations: Integration[]; insertedKey?: string | undefined }) {
  const routes = useQuery(routesQuery);
  const [tab, setTab] = useState('curl');
  const routeNames = (routes.data?.data ?? []).map((route) => route.name);
  const model = routeNames.includes('auto') ? 'auto' : (routeNames[0] ?? (integrations[0] ? chatModel(integrations[0]) : 'openai/gpt-4o-mini'));
  const snippets = buildSnippets({
    origin,
    model,
    key: insertedKey,
    embeddingModel: modelFor(integrations, 'embeddings', EMBEDDING_MODELS),
    imageModel: modelFor(integrations, 'images', IMAGE_MODELS),
    videoModel: modelFor(integrations, 'video', { runway: 'gen4_turbo' }),
  });
  return (
    <div className="flex min-w-0 flex-col gap-2">
      <p className="text-sm text-muted">
        {insertedKey
          ? 'Your new key is in these samples for this visit only; it is gone when you leave the page.'
          : 'The samples read your key from the environment: export SWITCHBOARD_API_KEY=sk-sb-… first.'}
      </p>
      <Tabs
        label="Code sample"
        value={snippets.some((snippet) => snippet.value === tab) ? tab : 'curl'}
        onValueChange={setTab}
        items={snippets.map((snippet) => ({ value: snippet.value, label: snippet.label, content: <CodeBlock code={snippet.code} label={`${snippet.label} code`} /> }))}
      />
    </div>
  );
}
