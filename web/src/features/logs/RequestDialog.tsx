/**
 * The dialog "Request details" (its URL is shareable: ?request=<id>): the summary, the upstream
 * attempts as a timeline (integration, status, duration, error source, and the retry or fallback
 * that followed), and the response headers Switchboard set. Bodies are not stored, so not shown.
 * A visible "Close" button closes it, as Escape and a backdrop click do.
 */
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { formatDateTime, formatDuration, formatMoney, formatNumber } from '../../format';
import { Badge } from '../../ui/Badge';
import { Dialog } from '../../ui/Dialog';
import { detailQuery, integrationLabel, modelLabel, type Attempt, type LogDetail } from './model';

const SOURCE_WORDS = { user: 'User (the request or your key)', provider: 'Provider', platform: 'Platform (Switchboard)' } as const;

function Item({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div className="grid grid-cols-[9rem_1fr] gap-2 py-1">
      <dt className="text-muted">{term}</dt>
      <dd className="min-w-0 break-words">{children}</dd>
    </div>
  );
}

const perMtok = (micros: number | null) => (micros === null ? '—' : `${formatMoney(micros)} / 1M tokens`);

function Summary({ detail, zone }: { detail: LogDetail; zone: string }) {
  return (
    <dl className="text-sm">
      <Item term="Request ID">
        <code>{detail.request_id}</code>
      </Item>
      <Item term="Record ID">
        <code>{detail.id}</code>
      </Item>
      <Item term="Time">{formatDateTime(detail.created_at, zone)} ({zone})</Item>
      <Item term="Model">{modelLabel(detail)}</Item>
      <Item term="Integration">{integrationLabel(detail)}</Item>
      <Item term="API key">{detail.key_id ? `${detail.key_name ?? 'Key'}${detail.key_last4 ? ` (sk-sb-…${detail.key_last4})` : ''}` : 'Session'}</Item>
      <Item term="Status">{detail.status}</Item>
      <Item term="Error">{detail.error_code ? `${detail.error_code}${detail.error_source ? ` (source: ${SOURCE_WORDS[detail.error_source]})` : ''}` : 'None'}</Item>
      <Item term="Tokens">
        {detail.input_tokens === null ? '—' : formatNumber(detail.input_tokens)} in / {detail.output_tokens === null ? '—' : formatNumber(detail.output_tokens)} out
        {detail.cached_input_tokens ? ` (${formatNumber(detail.cached_input_tokens)} cached)` : ''}
      </Item>
      <Item term="Cost">
        {detail.priced ? formatMoney(detail.cost_micros) : 'unpriced'} {detail.estimated ? <Badge tone="warn">estimated</Badge> : null}
        {detail.price ? (
          <span className="block text-muted">
            Price used: input {perMtok(detail.price.input_micros_per_mtok)}, output {perMtok(detail.price.output_micros_per_mtok)} ({detail.price.source}
            {detail.catalog_version ? `, catalog ${detail.catalog_version}` : ''})
          </span>
        ) : null}
      </Item>
      <Item term="Latency">{formatDuration(detail.latency_ms)}</Item>
      <Item term="TTFT">{detail.ttft_ms === null ? '—' : formatDuration(detail.ttft_ms)}</Item>
    </dl>
  );
}

function attemptOutcome(attempt: Attempt): string {
  if (attempt.status === 0) return 'No answer (circuit breaker open)';
  if (attempt.status < 400) return `${attempt.status} OK`;
  return `${attempt.status} ${attempt.error_code ?? 'error'}`;
}

function Attempts({ attempts }: { attempts: Attempt[] }) {
  if (attempts.length === 0) return <p className="text-sm text-muted">No upstream attempt was recorded for this request.</p>;
  return (
    <ol className="flex flex-col gap-2 border-l-2 border-border pl-4 text-sm">
      {attempts.map((attempt, index) => (
        <li key={index}>
          <p className="font-medium">
            Attempt {index + 1}: {attempt.service}/{attempt.model}
          </p>
          <p>
            {attempt.integration_id ? (attempt.integration_name ?? attempt.integration_id) : attempt.service === 'local' ? 'Local model' : 'No integration'} · {attemptOutcome(attempt)} ·{' '}
            {formatDuration(attempt.duration_ms)}
            {attempt.error_source ? ` · source: ${SOURCE_WORDS[attempt.error_source]}` : ''}
          </p>
          {attempt.next ? <p className="text-muted">{attempt.next === 'retry' ? 'Then: retried the same target' : 'Then: fell back to the next candidate'}</p> : null}
        </li>
      ))}
    </ol>
  );
}

export default function RequestDialog({ id, zone, onClose }: { id: string; zone: string; onClose: () => void }) {
  const detail = useQuery(detailQuery(id));
  return (
    <Dialog open onOpenChange={(open) => !open && onClose()} title="Request details" closeButton>
      {detail.isPending ? <p className="text-sm">Loading…</p> : null}
      {detail.isError ? (
        <p role="alert" className="text-sm">
          This request could not be loaded.
        </p>
      ) : null}
      {detail.data ? (
        // Scrolls inside a focusable region (the dialog panel itself is not keyboard-scrollable).
        <div role="region" aria-label="Request details content" tabIndex={0} className="flex max-h-[65vh] flex-col gap-4 overflow-auto">
          <section aria-label="Summary">
            <Summary detail={detail.data} zone={zone} />
          </section>
          <section aria-labelledby="attempts-heading" className="flex flex-col gap-2">
            <h3 id="attempts-heading" className="text-base font-semibold">
              Attempts
            </h3>
            <Attempts attempts={detail.data.attempts} />
          </section>
          <section aria-labelledby="headers-heading" className="flex flex-col gap-2">
            <h3 id="headers-heading" className="text-base font-semibold">
              Response headers
            </h3>
            <dl className="font-mono text-xs">
              {Object.entries(detail.data.response_headers).map(([name, value]) => (
                <div key={name} className="flex flex-wrap gap-2">
                  <dt>{name}:</dt>
                  <dd className="break-all">{value}</dd>
                </div>
              ))}
            </dl>
          </section>
        </div>
      ) : null}
    </Dialog>
  );
}
