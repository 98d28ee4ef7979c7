/**
 * Quick start (WEBAPP.md §6.4), the first-run landing page: the list "Setup steps", each marked
 * done from real data — 1 a provider key (the same form as Integrations, inline), 2 a platform key
 * (the create dialog and its one-time reveal, whose "Insert into snippet" puts the key into the
 * snippets for this visit only), 3 the code samples, 4 "See it arrive": the first usage record,
 * live over SSE `usage.created`, no reload. Beside it, "Your endpoint" with the base URLs.
 */
import { queryOptions, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { lazy, Suspense, useState, type ReactNode } from 'react';
import { api } from '../../api/client';
import { useLiveEvent } from '../../api/events';
import type { ApiResponse } from '../../api/types';
import { formatMoney } from '../../format';
import { Button } from '../../ui/Button';
import { CopyButton } from '../../ui/CopyButton';
import { Page } from '../../ui/Page';
import { StatusPill } from '../../ui/StatusPill';
import { integrationsQuery } from '../integrations/scope';
import type { LogPage } from '../logs/model';
import type { UsageRow } from './Snippets';

const Snippets = lazy(() => import('./Snippets'));
const IntegrationForm = lazy(() => import('../integrations/AddIntegrationDialog').then((module) => ({ default: module.IntegrationForm })));
const CreateKeyDialog = lazy(() => import('../keys/CreateKeyDialog').then((module) => ({ default: module.CreateKeyDialog })));
const RevealKeyDialog = lazy(() => import('../keys/RevealKeyDialog').then((module) => ({ default: module.RevealKeyDialog })));

const keysQuery = queryOptions({ queryKey: ['keys'], queryFn: ({ signal }) => api<ApiResponse<'/api/keys'>>('/api/keys?limit=100', { signal }) });
const latestUsageQuery = queryOptions({ queryKey: ['usage', 'latest'], queryFn: ({ signal }) => api<LogPage>('/api/usage?limit=1', { signal }) });

function Step({ number, title, done, children }: { number: number; title: string; done: boolean; children: ReactNode }) {
  return (
    <li className="flex flex-col gap-3 rounded-lg border border-border bg-surface p-4">
      <h2 className="flex flex-wrap items-center gap-2 text-lg font-semibold">
        <span>
          {number}. {title}
        </span>
        <span className={`rounded-full border px-2 py-0.5 text-xs font-medium ${done ? 'border-ok text-ok' : 'border-border text-muted'}`}>{done ? 'Done' : 'To do'}</span>
      </h2>
      {children}
    </li>
  );
}

export function describeFirst(row: UsageRow): string {
  return `First request received: ${row.model}, ${row.latency_ms} ms, ${formatMoney(row.priced === false ? null : row.cost_micros)}`;
}

export default function QuickStartPage() {
  const client = useQueryClient();
  const integrations = useQuery(integrationsQuery());
  const keys = useQuery(keysQuery);
  const usage = useQuery(latestUsageQuery);
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const [inserted, setInserted] = useState<string | undefined>();
  const [arrived, setArrived] = useState<UsageRow | undefined>();
  useLiveEvent<UsageRow>('usage.created', (row) => {
    setArrived((previous) => previous ?? row);
    void client.invalidateQueries({ queryKey: ['usage'] });
  });

  const origin = window.location.origin;
  const first = arrived ?? usage.data?.data[0];
  const integration = integrations.data?.data[0];
  const hasIntegration = integration !== undefined;
  const hasKey = (keys.data?.data ?? []).some((key) => key.status === 'active');
  const hasUsage = first !== undefined;
  const done = [hasIntegration, hasKey, hasUsage, hasUsage].filter(Boolean).length;

  return (
    <Page title="Quick start">
      <div className="grid min-w-0 gap-6 lg:grid-cols-[minmax(0,1fr)_18rem]">
        <div className="flex min-w-0 flex-col gap-4">
          <p className="text-sm">
            <span className="font-medium">{done}/4 steps done.</span> Bring your own provider key, get a Switchboard key, and call any model with the OpenAI or Anthropic SDKs.
          </p>
          <ol aria-label="Setup steps" className="flex min-w-0 flex-col gap-4">
            <Step number={1} title="Add a provider key" done={hasIntegration}>
              {integration ? (
                <p className="flex flex-wrap items-center gap-2 text-sm">
                  {integration.name} (…{integration.key_last4}) <StatusPill status={integration.health} />
                  <Link to="/integrations" className="text-accent underline underline-offset-2">
                    Manage integrations
                  </Link>
                </p>
              ) : integrations.isSuccess ? (
                <Suspense fallback={<p role="status">Loading the form…</p>}>
                  <IntegrationForm onSaved={() => void client.invalidateQueries({ queryKey: ['integrations'] })} />
                </Suspense>
              ) : null}
            </Step>
            <Step number={2} title="Create an API key" done={hasKey}>
              <p className="text-sm text-muted">Your programs use a Switchboard key (sk-sb-…), never your provider key. It is shown once.</p>
              <div>
                <Button variant={hasKey ? 'secondary' : 'primary'} onClick={() => setCreating(true)}>
                  Create key
                </Button>
              </div>
            </Step>
            <Step number={3} title="Make your first request" done={hasUsage}>
              <Suspense fallback={<p role="status">Loading the code samples…</p>}>
                <Snippets origin={origin} integrations={integrations.data?.data ?? []} insertedKey={inserted} />
              </Suspense>
            </Step>
            <Step number={4} title="See it arrive" done={hasUsage}>
              <p role="status" className="text-sm">
                {first ? describeFirst(first) : usage.isSuccess ? 'Waiting for your first request…' : ''}
              </p>
              {first ? (
                <p className="text-sm">
                  <Link to="/logs" className="text-accent underline underline-offset-2">
                    See it in Logs
                  </Link>
                </p>
              ) : null}
            </Step>
          </ol>
        </div>
        <section aria-label="Your endpoint" className="flex h-fit flex-col gap-3 rounded-lg border border-border bg-surface p-4">
          <h2 className="text-lg font-semibold">Your endpoint</h2>
          <div className="flex flex-col gap-1 text-sm">
            <span className="font-medium">OpenAI SDKs and curl</span>
            <code className="break-all">{origin}/v1</code>
            <CopyButton text={`${origin}/v1`} label="Copy OpenAI base URL" />
          </div>
          <div className="flex flex-col gap-1 text-sm">
            <span className="font-medium">Anthropic SDKs</span>
            <code className="break-all">{origin}</code>
            <CopyButton text={origin} label="Copy Anthropic base URL" />
          </div>
          <p className="text-sm text-muted">Send your Switchboard key as the API key; models are named service/model.</p>
        </section>
      </div>
      <Suspense fallback={null}>
        {creating ? <CreateKeyDialog open onOpenChange={setCreating} onCreated={(created) => setSecret(created)} /> : null}
        {secret !== null ? (
          <RevealKeyDialog
            secret={secret}
            onInsert={(key) => setInserted(key)}
            onDone={() => {
              setSecret(null);
              void client.invalidateQueries({ queryKey: ['keys'] });
            }}
          />
        ) : null}
      </Suspense>
    </Page>
  );
}
