/** "Teams": search by name, the table "Teams" (members, spend this month, state) and disable/enable behind an alertdialog. */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useDeferredValue, useState } from 'react';
import { api } from '../../api/client';
import type { ApiResponse } from '../../api/types';
import { browserTimeZone, formatDate, formatMoney } from '../../format';
import { Button } from '../../ui/Button';
import { cellClass as cell, LoadError, TableRegion } from '../../ui/DataRegion';
import { AlertDialog } from '../../ui/Dialog';
import { inputClass } from '../../ui/Field';
import type { AdminTeam } from './admin-api';

export default function AdminTeamsTab() {
  const client = useQueryClient();
  const [search, setSearch] = useState('');
  const query = useDeferredValue(search.trim());
  const teams = useQuery({
    queryKey: ['admin', 'teams', query],
    queryFn: ({ signal }) => api<ApiResponse<'/api/admin/teams'>>(`/api/admin/teams?limit=100${query ? `&query=${encodeURIComponent(query)}` : ''}`, { signal }),
    placeholderData: keepPreviousData,
  });
  const [pending, setPending] = useState<AdminTeam | null>(null);
  const toggle = useMutation({
    mutationFn: (team: AdminTeam) => api<void>(`/api/admin/teams/${team.id}/${team.disabled ? 'enable' : 'disable'}`, { method: 'POST' }),
    onSuccess: async () => {
      setPending(null);
      await client.invalidateQueries({ queryKey: ['admin', 'teams'] });
    },
  });
  const zone = browserTimeZone();
  const rows = teams.data?.data ?? [];
  return (
    <div className="flex flex-col gap-3">
      <label className="flex max-w-md flex-col gap-1 text-sm font-medium">
        Search teams
        <input type="search" value={search} onChange={(event) => setSearch(event.target.value)} placeholder="Team name" className={inputClass} />
      </label>
      {teams.isError ? <LoadError what="The teams" onRetry={() => void teams.refetch()} /> : null}
      {teams.isSuccess && rows.length === 0 ? <p className="text-sm">No team matches.</p> : null}
      {rows.length > 0 ? (
        <TableRegion
          caption="Teams"
          minWidth="44rem"
          head={
            <>
              <th scope="col" className={cell}>Name</th>
              <th scope="col" className={cell}>Members</th>
              <th scope="col" className={cell}>Spend this month</th>
              <th scope="col" className={cell}>Created</th>
              <th scope="col" className={cell}>State</th>
              <th scope="col" className={cell}>
                <span className="sr-only">Actions</span>
              </th>
            </>
          }
        >
          {rows.map((team) => (
            <tr key={team.id} className="border-t border-border">
              <th scope="row" className={`${cell} font-medium`}>{team.name}</th>
              <td className={cell}>{team.member_count}</td>
              <td className={`${cell} tabular-nums`}>{formatMoney(team.spend_this_month_micros)}</td>
              <td className={cell}>{formatDate(team.created_at, zone)}</td>
              <td className={cell}>{team.disabled ? 'Disabled' : 'Active'}</td>
              <td className={cell}>
                <Button variant="ghost" onClick={() => setPending(team)} aria-label={`${team.disabled ? 'Enable team' : 'Disable team'} ${team.name}`}>
                  {team.disabled ? 'Enable team' : 'Disable team'}
                </Button>
              </td>
            </tr>
          ))}
        </TableRegion>
      ) : null}
      <AlertDialog
        open={pending !== null}
        onOpenChange={(open) => (open ? undefined : setPending(null))}
        title={pending ? `${pending.disabled ? 'Enable' : 'Disable'} team ${pending.name}?` : ''}
        description={pending?.disabled ? 'Its keys and secrets serve again.' : 'Its platform keys and secrets stop serving at once; members still see the team. Recorded in the audit log.'}
        confirmLabel={pending?.disabled ? 'Enable team' : 'Disable team'}
        busy={toggle.isPending}
        onConfirm={() => pending && toggle.mutate(pending)}
      />
    </div>
  );
}
