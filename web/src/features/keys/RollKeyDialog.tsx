/**
 * "Roll <name>": a replacement key with the same settings (name, workspace, allowed models, rate
 * limit, budget, expiry), and the old key revoked now or after a grace ("Revoke old key in: now /
 * 1 h / 24 h"). The new key goes to the one-time reveal only (never into the query cache).
 *
 * A browser session never authenticates with a platform key (the management API takes access
 * tokens only), so rolling a key can never cut off this page: the dialog says so instead of
 * detecting "the key this session uses".
 */
import { useMutation } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { api } from '../../api/client';
import type { PlatformKey, RolledPlatformKey } from '../../api/types';
import { ServerError } from '../auth/FormParts';
import { Button } from '../../ui/Button';
import { Dialog } from '../../ui/Dialog';

const GRACE_CHOICES = [
  { seconds: 0, label: 'Now' },
  { seconds: 3600, label: 'In 1 hour' },
  { seconds: 86_400, label: 'In 24 hours' },
] as const;

export function RollKeyDialog({ platformKey, onClose, onRolled }: { platformKey: PlatformKey; onClose: () => void; onRolled: (secret: string) => void }) {
  const [grace, setGrace] = useState<number>(0);
  const legendId = useId();
  const roll = useMutation({
    mutationFn: (seconds: number) => api<RolledPlatformKey>(`/api/keys/${platformKey.id}/roll`, { body: { revoke_old_in: seconds } }),
  });
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const rolled = await roll.mutateAsync(grace).catch(() => undefined);
    if (!rolled) return;
    const secret = rolled.key;
    roll.reset();
    onClose();
    onRolled(secret);
  };
  return (
    <Dialog
      open
      onOpenChange={(open) => {
        if (!open) {
          roll.reset();
          onClose();
        }
      }}
      title={`Roll ${platformKey.name}`}
      description="A new key with the same settings replaces this one; you see it once. Programs must switch to the new key before the old one is revoked."
    >
      <form noValidate className="flex flex-col gap-4" onSubmit={(event) => void submit(event)}>
        <ServerError error={roll.error} />
        <fieldset className="flex flex-col gap-2 rounded-md border border-border p-3" aria-labelledby={legendId}>
          <legend id={legendId} className="px-1 text-sm font-medium">
            Revoke old key in
          </legend>
          {GRACE_CHOICES.map((choice) => (
            <label key={choice.seconds} className="flex min-h-11 items-center gap-2 text-sm">
              <input type="radio" name="revoke_old_in" className="h-5 w-5" value={choice.seconds} checked={grace === choice.seconds} onChange={() => setGrace(choice.seconds)} />
              {choice.label}
            </label>
          ))}
        </fieldset>
        <p className="text-sm text-muted">This browser session signs in with your account, not with an API key: rolling a key never signs you out here.</p>
        <div className="flex justify-end gap-2">
          <Button variant="primary" type="submit" busy={roll.isPending}>
            Roll key
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
