/**
 * Pieces the integration forms share: the write-only "API key" field with its "Show API key"
 * toggle, the settings fields (name, base URL, rate limit, monthly quota) and their validation,
 * and the check result line. Used by Add (dialog and the quick start's inline form), Edit and
 * Replace key.
 */
import { useId, useState } from 'react';
import { formatMoney, parseDollarsToMicros } from '../../format';
import { Field, inputClass } from '../../ui/Field';
import type { Integration, Schemas } from '../../api/types';

export interface SettingsErrors {
  key?: string;
  baseUrl?: string;
  rpm?: string;
  quota?: string;
}

export function KeyField({ error, onChange }: { error?: string | undefined; onChange?: () => void }) {
  const [show, setShow] = useState(false);
  const id = useId();
  return (
    <>
      <Field label="API key" error={error}>
        <input name="api_key" type={show ? 'text' : 'password'} autoComplete="off" spellCheck={false} className={`${inputClass} font-mono`} onChange={onChange} />
      </Field>
      <div className="flex items-center gap-2">
        <input id={id} type="checkbox" className="h-5 w-5" checked={show} onChange={(event) => setShow(event.currentTarget.checked)} />
        <label htmlFor={id} className="text-sm">
          Show API key
        </label>
      </div>
    </>
  );
}

const quotaText = (integration?: Integration) => (integration?.monthly_quota ? formatMoney(integration.monthly_quota.limit_micros).replace(/^\$/, '').replace(/,/g, '') : '');

/** Rate limit and monthly quota, prefilled from an integration when editing. */
export function LimitFields({ errors, integration }: { errors: SettingsErrors; integration?: Integration | undefined }) {
  return (
    <>
      <Field label="Rate limit (requests/min)" hint="Optional: Switchboard keeps calls with this key under it." error={errors.rpm}>
        <input name="rpm" inputMode="numeric" autoComplete="off" className={inputClass} defaultValue={integration?.rate_limit?.rpm ?? ''} />
      </Field>
      <Field label="Monthly quota (USD)" hint="Optional: requests stop using this key when its spend this month reaches it." error={errors.quota}>
        <input name="quota" inputMode="decimal" autoComplete="off" className={inputClass} defaultValue={quotaText(integration)} />
      </Field>
    </>
  );
}

/**
 * Reads and checks the settings of a form. `requireBaseUrl` for services that have no default
 * address. Empty optional fields: omitted when adding, null (cleared) when editing.
 */
export function readSettings(data: FormData, options: { requireBaseUrl: boolean; clearEmpty: boolean }): { body: Schemas['UpdateIntegration']; errors: SettingsErrors } {
  const text = (name: string) => String(data.get(name) ?? '').trim();
  const errors: SettingsErrors = {};
  const body: Schemas['UpdateIntegration'] = {};
  const name = text('name');
  if (name) body.name = name;
  const baseUrl = text('base_url');
  if (options.requireBaseUrl && baseUrl === '') errors.baseUrl = 'This service needs its base URL, e.g. http://my-server:11434/v1.';
  else if (baseUrl !== '' && !/^https?:\/\/[^/\s]+/.test(baseUrl)) errors.baseUrl = 'An http(s) URL with a host, e.g. https://api.example.com/v1.';
  else if (baseUrl) body.base_url = baseUrl;
  else if (options.clearEmpty && data.has('base_url')) body.base_url = null;
  const rpmText = text('rpm');
  if (rpmText !== '') {
    const rpm = Number(rpmText);
    if (!Number.isInteger(rpm) || rpm < 1) errors.rpm = 'A whole number of requests per minute, 1 or more.';
    else body.rate_limit = { rpm };
  } else if (options.clearEmpty) body.rate_limit = null;
  const quotaText = text('quota');
  if (quotaText !== '') {
    const micros = parseDollarsToMicros(quotaText);
    if (micros === null) errors.quota = 'An amount in US dollars, e.g. 50 or 12.50.';
    else body.monthly_quota = { limit_micros: micros };
  } else if (options.clearEmpty) body.monthly_quota = null;
  return { body, errors };
}

/** After the re-render marks them: focus the first invalid field (WEBAPP.md §6.5 rule 4). */
export const focusFirstInvalid = (form: HTMLFormElement) => requestAnimationFrame(() => form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
