/**
 * One integration (`/integrations/$id`, `?team=` for a team secret): status, breaker, last error
 * with its source, p50 latency, requests and last use in 24 h, limits, and the provider's models
 * from the last key check. Live over SSE like the table. Someone else's (or an unknown) id renders
 * the Not found page, and nothing of the integration is drawn before the answer (no data flash).
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useSearch } from '@tanstack/react-router';
import type { ReactNode } from 'react';
import { api } from '../../api/client';
import { isApiError } from '../../api/errors';
import type { CredentialCheck } from '../../api/types';
import { browserTimeZone, formatDateTime, formatMoney } from '../../format';
import { Button } from '../../ui/Button';
import { LoadError } from '../../ui/DataRegion';
import { Page } from '../../ui/Page';
import { StatusPill } from '../../ui/StatusPill';
import { NotFoundPage } from '../errors/NotFoundPage';
import { disabledText, errorSource, useLiveIntegrationStatus } from './live';
import { integrationQuery, integrationsBase } from './scope';
import { describeCheck, serviceLabel } from './services';

const BREAKER = { closed: 'Closed', open: 'Open: calls are paused', half_open: 'Half-open: trying again' } as const;

export default function IntegrationDetailPage() {
  // The id from the path (/integrations/$id). Read from the location rather than useParams, which
  // nothing else imports: using it made the bundler split the router out of the entry chunk
  // (+1 kB gzip on every page). useSearch re-renders this page on every navigation.
  const { team } = useSearch({ strict: false }) as { team?: string };
  const id = decodeURIComponent(window.location.pathname.split('/')[2] ?? '');
  const client = useQueryClient();
  const detail = useQuery(integrationQuery(id, team));
  useLiveIntegrationStatus(team);
  const test = useMutation({
    mutationFn: () => api<CredentialCheck>(`${integrationsBase(team)}/${id}/test`, { method: 'POST', body: {} }),
    onSettled: () => client.invalidateQueries({ queryKey: ['integrations', team ?? 'personal'] }),
  });

  if (detail.isError) {
    if (isApiError(detail.error) && (detail.error.status === 404 || detail.error.status === 400)) return <NotFoundPage />;
    return (
      <Page title="Integration">
        <LoadError what="The integration" onRetry={() => void detail.refetch()} />
      </Page>
    );
  }
  if (!detail.data) return <p role="status">Loading…</p>;
  const integration = detail.data;
  const zone = browserTimeZone();
  const source = integration.health === 'healthy' || integration.health === 'unchecked' ? undefined : errorSource(integration);
  const rows: Array<[string, ReactNode]> = [
    ['Service', serviceLabel(integration.service)],
    ['Key', <span className="font-mono">…{integration.key_last4}</span>],
    ['Base URL', integration.base_url ?? 'Default'],
    ['Status', <StatusPill status={integration.health} />],
    ...(integration.disabled_at
      ? ([
          ['Disabled', `${disabledText(integration, zone)} Since ${formatDateTime(integration.disabled_at, zone)}.`],
          ['Disabled by', integration.disabled_by === 'system' ? 'Switchboard, automatically (it re-enables the integration when the provider accepts the key again)' : 'A person (re-enable it from Integrations)'],
        ] satisfies Array<[string, ReactNode]>)
      : []),
    ['Breaker', BREAKER[integration.breaker]],
    ['Last error', integration.last_error ? `${integration.last_error}${source ? ` (source: ${source})` : ''}` : 'None'],
    ['Last checked', integration.last_checked_at ? formatDateTime(integration.last_checked_at, zone) : 'Never'],
    ['Latency p50 (24 h)', integration.latency_p50_ms === null ? 'No successful requests' : `${integration.latency_p50_ms} ms`],
    ['Requests (24 h)', String(integration.requests_24h)],
    ['Last used', integration.last_used_at ? formatDateTime(integration.last_used_at, zone) : 'Not in the last 24 hours'],
    ['Monthly quota', integration.monthly_quota ? `${formatMoney(integration.quota_spent_micros ?? 0)} of ${formatMoney(integration.monthly_quota.limit_micros)} / month` : 'None'],
  ];

  return (
    <Page
      title={integration.name}
      actions={
        <Button busy={test.isPending} onClick={() => test.mutate()} aria-label={`Test ${integration.name}`}>
          Test
        </Button>
      }
    >
      <p className="text-sm">
        <Link to="/integrations" search={team ? { team } : {}} className="text-accent underline underline-offset-2">
          Back to Integrations
        </Link>
        <span className="ml-2 text-muted">Times shown in {zone}</span>
      </p>
      <p role="status" className="min-h-6 text-sm">
        {test.isPending ? 'Testing…' : test.data ? describeCheck(test.data, integration.service) : test.error ? `Could not test: ${test.error.message}` : ''}
      </p>
      <dl className="grid grid-cols-1 gap-x-6 gap-y-2 sm:grid-cols-[max-content_1fr]">
        {rows.map(([term, value]) => (
          <div key={term} className="contents">
            <dt className="text-sm font-medium text-muted">{term}</dt>
            <dd className="break-all text-sm">{value}</dd>
          </div>
        ))}
      </dl>
      <section aria-labelledby="models-heading" className="flex flex-col gap-2">
        <h2 id="models-heading" className="text-lg font-semibold">
          Models
        </h2>
        {integration.models && integration.models.length > 0 ? (
          <ul className="flex flex-wrap gap-2 text-sm">
            {integration.models.map((model) => (
              <li key={model} className="rounded border border-border px-2 py-0.5 font-mono">
                {model}
              </li>
            ))}
          </ul>
        ) : (
          <p className="text-sm text-muted">Not listed yet: a successful key check lists the provider’s models.</p>
        )}
      </section>
    </Page>
  );
}
