/**
 * The Logs filters, all in the URL: comboboxes "Model", "Service", "API key", "Integration",
 * "Error source"; "Status", a text field with suggestions (free entry: 429, 4xx, success…, checked
 * before it reaches the URL); switch "Fallback only"; searchbox "Request ID"; the date range
 * "From" / "To" (a minimal local range picker until the shared ui/DateRangePicker lands).
 */
import { useEffect, useState, type KeyboardEvent } from 'react';
import { Field, inputClass } from '../../ui/Field';
import { Select, type SelectOption } from '../../ui/Select';
import { Switch } from '../../ui/Switch';
import { parseStatusFilter, STATUS_HINT, STATUS_PRESETS, type Facets, type LogsSearch } from './model';

const ANY = '';
const any = (label: string): SelectOption => ({ value: ANY, label });

export default function LogFilters({ search, facets, onChange }: { search: LogsSearch; facets: Facets | undefined; onChange: (patch: Partial<LogsSearch>) => void }) {
  const set = (key: keyof LogsSearch) => (event: { target: { value: string } }) => onChange({ [key]: event.target.value === ANY ? undefined : event.target.value });
  // A filter value the facets do not list (a link from Overview, an old key) stays selectable.
  const withCurrent = (options: SelectOption[], current: string | undefined) =>
    current && !options.some((option) => option.value === current) ? [...options, { value: current, label: current }] : options;
  const [requestId, setRequestId] = useState(search.request_id ?? '');
  useEffect(() => setRequestId(search.request_id ?? ''), [search.request_id]);
  const [status, setStatus] = useState(search.status ?? '');
  const [statusError, setStatusError] = useState<string | undefined>();
  useEffect(() => {
    setStatus(search.status ?? '');
    setStatusError(undefined);
  }, [search.status]);
  /** The typed status, checked: the field says why when it is not one, and nothing else changes. */
  const checkStatus = (text: string): { value: string | undefined } | null => {
    const parsed = parseStatusFilter(text);
    if ('error' in parsed) {
      setStatusError(parsed.error);
      return null;
    }
    setStatusError(undefined);
    setStatus(parsed.value ?? '');
    return parsed;
  };
  const commitStatus = (text: string) => {
    const parsed = checkStatus(text);
    if (parsed && parsed.value !== search.status) onChange({ status: parsed.value });
  };

  return (
    <form
      role="search"
      aria-label="Filters"
      className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-4"
      onSubmit={(event) => {
        event.preventDefault();
        // One navigation for both typed fields (two in a row would race on the previous search).
        const parsed = checkStatus(status);
        if (parsed) onChange({ status: parsed.value, request_id: requestId.trim() || undefined });
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
      <Field label="Status" hint={STATUS_HINT} error={statusError}>
        <input
          type="text"
          list="logs-status-options"
          className={inputClass}
          value={status}
          placeholder="Any status"
          autoComplete="off"
          spellCheck={false}
          enterKeyHint="search"
          onChange={(event) => {
            setStatus(event.target.value);
            // A suggestion picked from the list applies at once; typing applies on Enter or leaving the field.
            if ((event.nativeEvent as InputEvent).inputType === 'insertReplacementText') commitStatus(event.target.value);
          }}
          onBlur={(event) => commitStatus(event.target.value)}
          onKeyDown={submitOnEnter}
        />
      </Field>
      <datalist id="logs-status-options">
        {STATUS_PRESETS.map((option) => (
          <option key={option.value} value={option.value} label={option.label} />
        ))}
      </datalist>
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
        <input id="logs-request-id" type="search" className={inputClass} value={requestId} onChange={(event) => setRequestId(event.target.value)} onKeyDown={submitOnEnter} placeholder="x-request-id" />
      </div>
      <div className="flex items-end">
        <Switch label="Fallback only" checked={search.fallback === 'true'} onCheckedChange={(checked) => onChange({ fallback: checked ? 'true' : undefined })} />
      </div>
    </form>
  );
}

/**
 * Enter applies the typed filters. The form has several text fields and no submit button, so the
 * browser's implicit submission would do nothing.
 */
function submitOnEnter(event: KeyboardEvent<HTMLInputElement>) {
  if (event.key !== 'Enter' || event.nativeEvent.isComposing) return;
  event.preventDefault();
  event.currentTarget.form?.requestSubmit();
}

/** The date part of a from/to value (links may carry a full ISO date-time). */
const dateOf = (value: string | undefined) => (value ? value.slice(0, 10) : '');
