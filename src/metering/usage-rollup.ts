/**
 * The usage rollup (table usage_hourly, WEBAPP.md §5.4): one row per 15-minute UTC bucket and
 * dimension set, with sums and two fixed logarithmic histograms (latency, time to first token).
 * The same SQL builds it where rows arrive, so they cannot drift: the usage writer's batch insert
 * (rows just inserted), the end-to-end tests' and the aggregation bench's seeding. (The backfill of
 * migration 0004_usage_hourly.sql was generated from this text's earlier int[] form; 0008 converts.)
 *
 * A histogram is stored packed in one `numeric`: the count of cell i is the i-th group of
 * CELL_DIGITS decimal digits from the right, so adding two packed values adds them cell by cell
 * (no group comes near 10^15 requests), and an aggregate sums a histogram with one `sum()` rather
 * than one per cell — 3.5× faster over 42k rollup rows (docs/decisions/0035-packed-histograms.md).
 */

/** Quarter hours: every zone offset in use is a multiple of 15 minutes, so zone days are exact. */
export const BUCKET_SECONDS = 900;

/**
 * Upper bounds (exclusive) of the histogram cells in ms, 5 per decade (×1.585) from 10 ms to
 * 630 s; cell 0 is below 10 ms and the last cell is 630 s or more. Percentiles read from the
 * summed histogram are accurate to one cell.
 */
export const LATENCY_BOUNDS_MS = [
  10, 16, 25, 40, 63, 100, 160, 250, 400, 630, 1_000, 1_600, 2_500, 4_000, 6_300, 10_000, 16_000, 25_000, 40_000, 63_000,
  100_000, 160_000, 250_000, 400_000, 630_000,
] as const;
export const HISTOGRAM_CELLS = LATENCY_BOUNDS_MS.length + 1;

/** Decimal digits per packed cell: a cell's count stays below 10^15, inside a double's exact integers. */
export const CELL_DIGITS = 15;

const boundsLiteral = `'{${LATENCY_BOUNDS_MS.join(',')}}'::int[]`;
/** 10^(CELL_DIGITS × cell) for each cell: one request in that cell, packed. */
const unitsLiteral = `'{${Array.from({ length: HISTOGRAM_CELLS }, (_, cell) => `1e${CELL_DIGITS * cell}`).join(',')}}'::numeric[]`;

const KEY_COLUMNS = 'user_id, bucket_start, team_id, key_id, integration_id, service, model, status_class, error_source, fallback';

/**
 * `insert into usage_hourly … select … from <source> … on conflict do update` (adds to existing
 * rows). `source` is a relation with usage_records' columns: the table itself or a CTE. Groups are
 * sorted by the key so concurrent writers lock rollup rows in the same order (no deadlock).
 */
export function rollupUpsertSql(source: string): string {
  const histogram = (cellColumn: string) => `coalesce(sum((${unitsLiteral})[${cellColumn} + 1]), 0)`;
  const add = (column: string) => `${column} = usage_hourly.${column} + excluded.${column}`;
  return `insert into usage_hourly (${KEY_COLUMNS}, requests, errors, input_tokens, output_tokens, cost_micros,
    unpriced_requests, estimated_requests, latency_sum_ms, latency_hist, ttft_hist)
  select user_id, bucket_start, team_id, key_id, integration_id, service, model, status_class, error_source, fallback,
    count(*), count(*) filter (where status >= 400), coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0),
    coalesce(sum(cost_micros), 0), count(*) filter (where not priced), count(*) filter (where estimated),
    coalesce(sum(latency_ms), 0), ${histogram('latency_cell')}, ${histogram('ttft_cell')}
  from (
    select r.user_id, coalesce(r.team_id, '') as team_id, coalesce(r.key_id, '') as key_id,
      coalesce(r.integration_id, '') as integration_id, r.service, r.model, (r.status / 100)::text || 'xx' as status_class,
      coalesce(r.error_source, '') as error_source, r.fallback, r.status, r.input_tokens, r.output_tokens, r.cost_micros,
      r.priced, r.estimated, r.latency_ms,
      date_bin('${BUCKET_SECONDS} seconds', r.created_at, timestamptz '2000-01-01T00:00:00Z') as bucket_start,
      width_bucket(r.latency_ms, ${boundsLiteral}) as latency_cell, width_bucket(r.ttft_ms, ${boundsLiteral}) as ttft_cell
    from ${source} r
  ) s
  group by ${KEY_COLUMNS}
  order by ${KEY_COLUMNS}
  on conflict on constraint usage_hourly_pk do update set
    ${['requests', 'errors', 'input_tokens', 'output_tokens', 'cost_micros', 'unpriced_requests', 'estimated_requests', 'latency_sum_ms', 'latency_hist', 'ttft_hist'].map(add).join(', ')}`;
}

/** The cell counts of a packed histogram (its decimal text, as PostgreSQL returns a numeric). */
export function unpackHistogram(packed: string): number[] {
  const digits = packed.split('.')[0]!;
  return Array.from({ length: HISTOGRAM_CELLS }, (_, cell) => {
    const end = digits.length - CELL_DIGITS * cell;
    // The last cell takes every digit left over (it cannot carry into anything).
    const start = cell === HISTOGRAM_CELLS - 1 ? 0 : Math.max(0, end - CELL_DIGITS);
    return end <= 0 ? 0 : Number(digits.slice(start, end));
  });
}

/** A histogram's cell counts packed as PostgreSQL stores them (tests and fixtures). */
export function packHistogram(counts: readonly number[]): string {
  return counts.reduce((packed, count, cell) => packed + BigInt(count) * 10n ** BigInt(CELL_DIGITS * cell), 0n).toString();
}

/**
 * The q-quantile (0..1) of a summed histogram in ms, interpolated linearly inside its cell; null
 * when the histogram is empty. The last (open) cell reports its lower bound.
 */
export function histogramQuantile(histogram: readonly number[], q: number): number | null {
  const total = histogram.reduce((sum, count) => sum + count, 0);
  if (total === 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let cell = 0; cell < histogram.length; cell++) {
    const count = histogram[cell] ?? 0;
    if (count > 0 && seen + count >= rank) {
      const low = cell === 0 ? 0 : LATENCY_BOUNDS_MS[cell - 1]!;
      const high = LATENCY_BOUNDS_MS[cell];
      if (high === undefined) return low;
      return Math.round(low + ((high - low) * Math.max(0, rank - seen)) / count);
    }
    seen += count;
  }
  return LATENCY_BOUNDS_MS.at(-1)!;
}

/** The bucket (cell index) a latency falls in, as SQL's width_bucket computes it. */
export function histogramCell(ms: number): number {
  let cell = 0;
  while (cell < LATENCY_BOUNDS_MS.length && ms >= LATENCY_BOUNDS_MS[cell]!) cell++;
  return cell;
}
