/** Status in words, never colour alone (WEBAPP.md §6.5 rule 5). */
export type Status = 'healthy' | 'degraded' | 'failing' | 'disabled' | 'unchecked' | 'ok' | 'warning' | 'exhausted';

const labels: Record<Status, string> = {
  healthy: 'Healthy',
  degraded: 'Degraded',
  failing: 'Failing',
  disabled: 'Disabled',
  unchecked: 'Unchecked',
  ok: 'OK',
  warning: 'Warning',
  exhausted: 'Exhausted',
};

const tones: Record<Status, string> = {
  healthy: 'border-ok text-ok',
  ok: 'border-ok text-ok',
  degraded: 'border-warn text-warn',
  warning: 'border-warn text-warn',
  failing: 'border-danger text-danger',
  exhausted: 'border-danger text-danger',
  disabled: 'border-border text-muted',
  unchecked: 'border-border text-muted',
};

const marks: Record<Status, string> = { healthy: '●', ok: '●', degraded: '▲', warning: '▲', failing: '✕', exhausted: '✕', disabled: '○', unchecked: '○' };

export function StatusPill({ status }: { status: Status }) {
  return (
    <span className={`inline-flex items-center gap-1 rounded-full border px-2 py-0.5 text-xs font-medium ${tones[status]}`}>
      <span aria-hidden="true">{marks[status]}</span>
      {labels[status]}
    </span>
  );
}
