/**
 * The route editor (dialog "Create route" / "Edit route"): "Route name", "Strategy", the ordered list
 * "Targets" (each row "Model", optional "Integration" and "Weight", "Move up" / "Move down" — the
 * keyboard way to reorder; focus follows the moved row), the switch "Fall back to local model", and
 * "Preview order": the order the gateway would try now, with breaker states, from
 * POST …/routes/preview (the router's own ordering code, nothing stored).
 */
import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { api } from '../../api/client';
import type { ApiBody, Schemas } from '../../api/types';
import { Button } from '../../ui/Button';
import { Dialog } from '../../ui/Dialog';
import { Field, inputClass } from '../../ui/Field';
import { Select } from '../../ui/Select';
import { Switch } from '../../ui/Switch';
import { ServerError } from '../auth/FormParts';
import { integrationsQuery } from '../integrations/scope';
import { routesBase, type Route } from './routes-api';

interface Row {
  key: number;
  model: string;
  integration: string;
  weight: string;
}

type Strategy = Route['strategy'];
const strategies: Array<{ value: Strategy; label: string }> = [
  { value: 'priority', label: 'Priority (in this order)' },
  { value: 'cost', label: 'Cost (cheapest first)' },
  { value: 'latency', label: 'Latency (fastest first)' },
  { value: 'weighted', label: 'Weighted (random by weight)' },
];
const breakerWords = { closed: 'breaker closed', open: 'breaker open', half_open: 'breaker half-open' } as const;
const skipWords = { breaker_open: 'skipped: breaker open', no_integration: 'skipped: no key for this service', integration_disabled: 'skipped: its integration is disabled' } as const;

export default function RouteEditor({ team, route, onClose }: { team: string | undefined; route: Route | null; onClose: () => void }) {
  const client = useQueryClient();
  const integrations = useQuery(integrationsQuery(team));
  const nextKey = useRef(1);
  const listRef = useRef<HTMLOListElement>(null);
  const rowOf = (target?: { model: string; integration_id?: string; weight?: number }): Row => ({
    key: nextKey.current++,
    model: target?.model ?? '',
    integration: target?.integration_id ?? '',
    weight: target?.weight === undefined ? '' : String(target.weight),
  });
  const [name, setName] = useState(route?.name ?? '');
  const [strategy, setStrategy] = useState<Strategy>(route?.strategy ?? 'priority');
  const [rows, setRows] = useState<Row[]>(() => (route?.targets.length ? route.targets.map(rowOf) : [rowOf()]));
  const [local, setLocal] = useState(route?.fallback_local ?? false);
  const [nameError, setNameError] = useState<string>();
  const body = (): ApiBody<'/api/routes/{name}', 'put'> => ({
    strategy,
    targets: rows.map((row) => ({ model: row.model.trim(), ...(row.integration ? { integration_id: row.integration } : {}), ...(row.weight.trim() ? { weight: Number(row.weight) } : {}) })),
    fallback_local: local,
  });
  const preview = useMutation({ mutationFn: () => api<Schemas['RoutePreview']>(`${routesBase(team)}/preview`, { body: body() }) });
  const save = useMutation({
    mutationFn: () => api<Route>(`${routesBase(team)}/${encodeURIComponent(name.trim())}`, { method: 'PUT', body: body() }),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: ['routes'] });
      onClose();
    },
  });

  const update = (key: number, change: Partial<Row>) => setRows((current) => current.map((row) => (row.key === key ? { ...row, ...change } : row)));
  const move = (index: number, by: -1 | 1, action: 'up' | 'down') => {
    const to = index + by;
    if (to < 0 || to >= rows.length) return;
    const next = [...rows];
    const [moved] = next.splice(index, 1);
    next.splice(to, 0, moved!);
    setRows(next);
    preview.reset();
    // Keep the keyboard on the moved row: the same button, or the other one at either end.
    requestAnimationFrame(() => {
      const buttons = listRef.current?.querySelectorAll<HTMLButtonElement>(`[data-row="${moved!.key}"] button[data-move]`);
      const same = [...(buttons ?? [])].find((button) => button.dataset.move === action && !button.disabled);
      (same ?? [...(buttons ?? [])].find((button) => !button.disabled))?.focus();
    });
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const error = /^[a-z0-9._-]{1,64}$/.test(name.trim()) ? undefined : '1–64 characters of a-z, 0-9, ".", "_" and "-".';
    setNameError(error);
    if (!error) save.mutate();
  };
  const integrationOptions = [{ value: '', label: 'Any (the workspace’s key)' }, ...(integrations.data?.data ?? []).map((row) => ({ value: row.id, label: `${row.name} (${row.service}, …${row.key_last4})` }))];

  return (
    <Dialog open onOpenChange={(open) => (open ? undefined : onClose())} title={route ? 'Edit route' : 'Create route'}>
      <form noValidate className="flex flex-col gap-4" onSubmit={submit}>
        <ServerError error={save.error} />
        <Field label="Route name" error={nameError} hint="Use it as the model name, e.g. “strict”.">
          <input value={name} onChange={(event) => setName(event.target.value)} readOnly={route !== null} autoComplete="off" spellCheck={false} className={inputClass} />
        </Field>
        <Select label="Strategy" options={strategies} value={strategy} onChange={(event) => setStrategy(event.target.value as Strategy)} />
        <div className="flex flex-col gap-2">
          <h3 id="targets-label" className="text-sm font-medium">Targets</h3>
          <ol ref={listRef} aria-labelledby="targets-label" className="flex flex-col gap-3">
            {rows.map((row, index) => (
              <li key={row.key} data-row={row.key} className="grid gap-2 rounded-md border border-border p-3">
                <span className="text-xs text-muted">#{index + 1}</span>
                <Field label="Model">
                  <input value={row.model} onChange={(event) => update(row.key, { model: event.target.value })} placeholder="openai/gpt-4o-mini" autoComplete="off" spellCheck={false} className={inputClass} />
                </Field>
                <Select label="Integration" options={integrationOptions} value={row.integration} onChange={(event) => update(row.key, { integration: event.target.value })} />
                <Field label="Weight">
                  <input value={row.weight} onChange={(event) => update(row.key, { weight: event.target.value })} inputMode="decimal" autoComplete="off" className={inputClass} />
                </Field>
                <div className="flex flex-wrap gap-2">
                  <Button data-move="up" disabled={index === 0} onClick={() => move(index, -1, 'up')}>
                    Move up
                  </Button>
                  <Button data-move="down" disabled={index === rows.length - 1} onClick={() => move(index, 1, 'down')}>
                    Move down
                  </Button>
                  <Button variant="ghost" disabled={rows.length === 1} onClick={() => setRows((current) => current.filter((other) => other.key !== row.key))}>
                    Remove target
                  </Button>
                </div>
              </li>
            ))}
          </ol>
          <Button onClick={() => setRows((current) => [...current, rowOf()])} disabled={rows.length >= 20}>
            Add target
          </Button>
        </div>
        <Switch label="Fall back to local model" checked={local} onCheckedChange={setLocal} />
        <div className="flex flex-col gap-2">
          <Button onClick={() => preview.mutate()} busy={preview.isPending}>
            Preview order
          </Button>
          <ServerError error={preview.error} />
          {preview.data ? (
            <section aria-label="Candidate order" className="rounded-md border border-border p-3 text-sm">
              <h3 className="mb-1 font-medium">Candidate order now</h3>
              <ol className="list-decimal pl-5">
                {preview.data.candidates.map((candidate, index) => (
                  <li key={index}>
                    <span className="font-mono">{candidate.model}</span> — {candidate.skipped ? skipWords[candidate.reason ?? 'breaker_open'] : breakerWords[candidate.breaker]}
                  </li>
                ))}
                {preview.data.fallback_local ? <li>local model (last resort)</li> : null}
              </ol>
            </section>
          ) : null}
        </div>
        <div className="flex justify-end gap-2">
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" type="submit" busy={save.isPending}>
            Save route
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
