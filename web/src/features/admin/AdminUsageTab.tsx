/**
 * "Usage": a placeholder with GET /api/admin/usage totals (per UTC day and service, last 30 days)
 * in a table; the dashboard slice's UsageDashboard at global scope replaces it at merge.
 */
import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import { formatMoney, formatNumber } from '../../format';
import { cellClass as cell, LoadError, TableRegion } from '../../ui/DataRegion';

interface Totals {
  from: string;
  to: string;
  data: Array<{ day: string; service: string; requests: number; input_tokens: number | null; output_tokens: number | null; cost_micros: number | null }>;
}

export default function AdminUsageTab() {
  const usage = useQuery({ queryKey: ['admin', 'usage', 'totals'], queryFn: ({ signal }) => api<Totals>('/api/admin/usage', { signal }) });
  if (usage.isError) return <LoadError what="Usage" onRetry={() => void usage.refetch()} />;
  const rows = usage.data?.data ?? [];
  if (usage.isSuccess && rows.length === 0) return <p className="text-sm">No requests in the last 30 days.</p>;
  return (
    <TableRegion
      caption="Platform usage"
      minWidth="36rem"
      head={
        <>
          <th scope="col" className={cell}>Day (UTC)</th>
          <th scope="col" className={cell}>Service</th>
          <th scope="col" className={cell}>Requests</th>
          <th scope="col" className={cell}>Input tokens</th>
          <th scope="col" className={cell}>Output tokens</th>
          <th scope="col" className={cell}>Cost</th>
        </>
      }
    >
      {rows.map((row) => (
        <tr key={`${row.day} ${row.service}`} className="border-t border-border tabular-nums">
          <th scope="row" className={`${cell} font-medium`}>{row.day}</th>
          <td className={cell}>{row.service}</td>
          <td className={cell}>{formatNumber(row.requests)}</td>
          <td className={cell}>{row.input_tokens === null ? '—' : formatNumber(row.input_tokens)}</td>
          <td className={cell}>{row.output_tokens === null ? '—' : formatNumber(row.output_tokens)}</td>
          <td className={cell}>{formatMoney(row.cost_micros)}</td>
        </tr>
      ))}
    </TableRegion>
  );
}
