/**
 * "Prices": the catalog in effect (GET /api/admin/prices: the price in force per model, with its
 * source) and "Models without a price": unpriced_requests per model over the last 30 days from the
 * global usage aggregate (GET /api/admin/usage?group_by=day,model), never $0.
 */
import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { ApiResponse, UsageAggregate } from '../../api/types';
import { formatMoney, formatNumber } from '../../format';
import { cellClass as cell, LoadError, TableRegion } from '../../ui/DataRegion';

const money = (micros: number | null) => (micros === null ? '—' : formatMoney(micros));

export default function AdminPricesTab() {
  const catalog = useQuery({ queryKey: ['admin', 'prices'], queryFn: ({ signal }) => api<ApiResponse<'/api/admin/prices'>>('/api/admin/prices?limit=500', { signal }) });
  const unpriced = useQuery({ queryKey: ['admin', 'usage', 'unpriced'], queryFn: ({ signal }) => api<UsageAggregate>('/api/admin/usage?group_by=day,model', { signal }) });
  const missing = new Map<string, number>();
  for (const row of unpriced.data?.data ?? []) if (row.unpriced_requests > 0 && row.model) missing.set(row.model, (missing.get(row.model) ?? 0) + row.unpriced_requests);
  return (
    <div className="flex flex-col gap-4">
      <section aria-labelledby="unpriced-heading" className="flex flex-col gap-2">
        <h2 id="unpriced-heading" className="font-semibold">Models without a price</h2>
        {unpriced.isError ? <LoadError what="Unpriced models" onRetry={() => void unpriced.refetch()} /> : null}
        {unpriced.isSuccess && missing.size === 0 ? <p className="text-sm">Every request of the last 30 days was priced.</p> : null}
        {missing.size > 0 ? (
          <TableRegion caption="Models without a price" minWidth="20rem" head={<><th scope="col" className={cell}>Model</th><th scope="col" className={cell}>Unpriced requests (30 days)</th></>}>
            {[...missing.entries()].sort((a, b) => b[1] - a[1]).map(([model, count]) => (
              <tr key={model} className="border-t border-border">
                <th scope="row" className={`${cell} font-mono font-medium`}>{model}</th>
                <td className={cell}>{formatNumber(count)}</td>
              </tr>
            ))}
          </TableRegion>
        ) : null}
      </section>
      <section aria-labelledby="catalog-heading" className="flex flex-col gap-2">
        <h2 id="catalog-heading" className="font-semibold">Catalog in effect{catalog.data ? ` (version ${catalog.data.catalog_version})` : ''}</h2>
        {catalog.isError ? <LoadError what="The prices" onRetry={() => void catalog.refetch()} /> : null}
        {catalog.data ? (
          <TableRegion
            caption="Prices"
            minWidth="48rem"
            head={
              <>
                <th scope="col" className={cell}>Model</th>
                <th scope="col" className={cell}>Input / 1M tokens</th>
                <th scope="col" className={cell}>Output / 1M tokens</th>
                <th scope="col" className={cell}>Per image</th>
                <th scope="col" className={cell}>Per second</th>
                <th scope="col" className={cell}>Source</th>
              </>
            }
          >
            {catalog.data.data.map((entry) => {
              const price = entry.prices.find((candidate) => candidate.in_force) ?? entry.prices[0];
              return (
                <tr key={`${entry.service}/${entry.model}`} className="border-t border-border tabular-nums">
                  <th scope="row" className={`${cell} font-mono font-medium`}>{entry.service}/{entry.model}</th>
                  <td className={cell}>{money(price?.input_micros_per_mtok ?? null)}</td>
                  <td className={cell}>{money(price?.output_micros_per_mtok ?? null)}</td>
                  <td className={cell}>{money(price?.per_image_micros ?? null)}</td>
                  <td className={cell}>{money(price?.per_second_micros ?? null)}</td>
                  <td className={cell}>{price?.source ?? '—'}</td>
                </tr>
              );
            })}
          </TableRegion>
        ) : null}
      </section>
    </div>
  );
}
