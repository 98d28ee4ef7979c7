/**
 * The Logs filters, all in the URL: comboboxes "Model", "Service", "API key", "Integration",
 * "Status", "Error source"; switch "Fallback only"; searchbox "Request ID"; the date range "From" /
 * "To" (a minimal local range picker until the shared ui/DateRangePicker lands).
 */
import { useEffect, useState } from 'react';
import { inputClass } from '../../ui/Field';
import { Select, type SelectOption } from '../../ui/Select';
import { Switch } from '../../ui/Switch';
import type { Facets, LogsSearch } from './model';

const ANY = '';
const SPECIFIC_STATUSES: SelectOption[] = [400, 401, 403, 404, 408, 413, 422, 429, 499, 500, 502, 503, 504].map((code) => ({ value: String(code), label: String(code) }));
const any = (label: string): SelectOption => ({ value: ANY, label });

export default function LogFilters({ search, facets, onChange }: { search: LogsSearch; facets: Facets | undefined; onChange: (patch: Partial<LogsSearch>) => void }) {
  const set = (key: keyof LogsSearch) => (event: { target: { value: string } }) => onChange({ [key]: event.target.value === ANY ? undefined : event.target.value });
  // A filter value the facets do not list (a link from Overview, an old key) stays selectable.
  const withCurrent = (options: SelectOption[], current: string | undefined) =>
    current && !options.some((option) => option.value === current) ? [...options, { value: current, label: current }] : options;
  const [requestId, setRequestId] = useState(search.request_id ?? '');
  useEffect(() => setRequestId(search.request_id ?? ''), [search.request_id]);

  return (
    <form
      role="search"
      aria-label="Filters"
      className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-4"
      onSubmit={(event) => {
        event.preventDefault();
        onChange({ request_id: requestId.trim() || undefined });
      }}
    >
      <Select className="w-full" label="Model" value={search.model ?? ANY} onChange={set('model')} options={withCurrent([any('All models'), ...(facets?.models ?? []).map((model) => ({ value: model, label: model }))], search.model)} />
      <Select className="w-full" label="Service" value={search.service ?? ANY} onChange={set('service')} options={withCurrent([any('All services'), ...(facets?.services ?? []).map((service) => ({ value: service, label: service }))], search.service)} />
      <Select
        className="w-full"
        label="API key"
        value={search.key_id ?? ANY}
        onChange={set('key_id')}
        options={withCurrent([any('All keys'), ...(facets?.keys ?? []).map((key) => ({ value: key.id, label: `${key.name} (sk-sb-…${key.key_last4})` }))], search.key_id)}
      />
      <Select
        className="w-full"
        label="Integration"
        value={search.integration_id ?? ANY}
        onChange={set('integration_id')}
        options={withCurrent([any('All integrations'), ...(facets?.integrations ?? []).map((item) => ({ value: item.id, label: `${item.name} …${item.key_last4}` }))], search.integration_id)}
      />
      <Select
        className="w-full"
        label="Status"
        value={search.status ?? ANY}
        onChange={set('status')}
        options={[any('Any status'), { value: 'success', label: 'Success (< 400)' }, { value: 'error', label: 'Errors (≥ 400)' }, { value: '2xx', label: '2xx' }, { value: '4xx', label: '4xx' }, { value: '5xx', label: '5xx' }, ...SPECIFIC_STATUSES]}
      />
      <Select
        className="w-full"
        label="Error source"
        value={search.error_source ?? ANY}
        onChange={set('error_source')}
        options={[any('Any source'), { value: 'user', label: 'User (request or key)' }, { value: 'provider', label: 'Provider' }, { value: 'platform', label: 'Platform' }]}
      />
      <div className="grid gap-1">
        <label htmlFor="logs-from" className="text-sm font-medium">
          From
        </label>
        <input id="logs-from" type="date" className={inputClass} value={dateOf(search.from)} onChange={(event) => onChange({ from: event.target.value || undefined })} />
      </div>
      <div className="grid gap-1">
        <label htmlFor="logs-to" className="text-sm font-medium">
          To
        </label>
        <input
          id="logs-to"
          type="date"
          aria-describedby="logs-to-hint"
          className={inputClass}
          value={dateOf(search.to)}
          onChange={(event) => onChange({ to: event.target.value || undefined })}
        />
        <span id="logs-to-hint" className="text-xs text-muted">
          Up to the start of this day
        </span>
      </div>
      <div className="grid gap-1 sm:col-span-2">
        <label htmlFor="logs-request-id" className="text-sm font-medium">
          Request ID
        </label>
        <input id="logs-request-id" type="search" className={inputClass} value={requestId} onChange={(event) => setRequestId(event.target.value)} placeholder="x-request-id" />
      </div>
      <div className="flex items-end">
        <Switch label="Fallback only" checked={search.fallback === 'true'} onCheckedChange={(checked) => onChange({ fallback: checked ? 'true' : undefined })} />
      </div>
    </form>
  );
}

/** The date part of a from/to value (links may carry a full ISO date-time). */
const dateOf = (value: string | undefined) => (value ? value.slice(0, 10) : '');
